import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { type InventoryInput, renderInventory } from "./inventory";
import { AuthorizedDeployKeys } from "../ansible/authorized-keys";
import { sshConnection } from "../ansible/connection";
import { renderKnownHosts } from "../ansible/known-hosts";
import { BASTION_KEY_PATH, PlaybookRun, bastionKnownHostsPath } from "../ansible/playbook-run";
import { stageRelease } from "../ansible/release";
import { poolPlacements } from "../config/pools";
import type { DeployKeys } from "../config/deploy-keys";
import type { StackConfig } from "../config/schema";
import type { ClusterHosts } from "../openstack/cluster-hosts";
import { cloudTeardownScript } from "./cloud-teardown";
import { kubeconfigClientExpiry, kubeconfigExpiryWarning, kubeconfigRefreshPeriod, pointKubeconfigAt } from "./kubeconfig";
import { EtcdBackupCredentials } from "./etcd-backup";
import { NodeRemoval, clusterNodes } from "./node-lifecycle";

export interface KubeadmClusterArgs {
    /** The validated stack config: Kubernetes version, network, CNI, image user, etcd backups. */
    config: StackConfig;
    /** The hosts the OpenStack layer made (nodes, bastion, API endpoint) and what to wait for. */
    hosts: ClusterHosts;
    /** The deploy keys: the one every connection presents, and during a rotation the retiring one (`deployKeys`). */
    deployKeys: DeployKeys;
    /** S3 credentials of the etcd snapshots (secrets). */
    etcdBackupKeys: { accessKey: pulumi.Output<string>; secretKey: pulumi.Output<string> };
}

/** The playbooks folder, relative to the project root where Pulumi runs the program. */
export const PLAYBOOK_FOLDER = "playbooks";
/** Where the files shipped to the bastion are staged, relative to the project root (git-ignored). */
export const RELEASE_BUILD_DIR = "build/ansible-releases";
/** The command that prints the cluster-admin kubeconfig on the first control plane. */
export const READ_ADMIN_KUBECONFIG = "sudo cat /etc/kubernetes/admin.conf";

/** The kubeadm cluster Ansible forms on the environment, and the kubeconfig to reach it. */
export class KubeadmCluster extends pulumi.ComponentResource {
    /** The inventory Ansible runs with (no secret in it: the key is a path on the bastion). */
    public readonly inventory: pulumi.Output<string>;
    /** Changes exactly when Ansible has to run again. */
    public readonly playbookTrigger: pulumi.Output<string>;
    /** Cluster-admin kubeconfig naming the public API endpoint; a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The connection to the first control plane through the bastion, and what it needs. */
    private readonly controlPlaneConnection: ReturnType<typeof sshConnection> & { proxy: ReturnType<typeof sshConnection> };
    private readonly controlPlaneReached: pulumi.Resource[];
    private readonly name: string;
    /** When the kubeconfig's client certificate expires (ISO 8601), or `unknown`; not a secret. */
    public readonly kubeconfigExpiresAt: pulumi.Output<string>;

    constructor(name: string, args: KubeadmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:cluster:KubeadmCluster", name, {}, opts);
        const { config, hosts } = args;
        const endpoint = hosts.endpoint;
        const nodes = pulumi.output(hosts.nodes);

        this.inventory = pulumi
            .all([nodes, hosts.bastion.privateAddress, hosts.bastion.publicAddress, endpoint.privateAddress, endpoint.publicAddress, hosts.dataVolumeIds])
            .apply(([byRole, bastionPrivate, bastionPublic, endpointPrivate, endpointPublic, dataVolumes]) => {
                const input: InventoryInput = {
                    environment: config.environment,
                    clusterName: name,
                    kubernetesVersion: config.cluster.kubernetesVersion,
                    sshUser: config.site.image.sshUser,
                    privateKeyFile: BASTION_KEY_PATH,
                    knownHostsFile: bastionKnownHostsPath(config.site.image.sshUser),
                    bastion: { name: hosts.bastion.name, privateAddress: bastionPrivate, publicAddress: bastionPublic },
                    controlPlane: byRole.controlPlane,
                    workers: byRole.workers,
                    endpoint: { mode: endpoint.mode, privateAddress: endpointPrivate, publicAddress: endpointPublic, port: endpoint.port },
                    network: config.network,
                    cni: config.cluster.cni,
                    dataVolumes,
                    etcdBackup: config.cluster.etcdBackup,
                    runsOn: "bastion",
                    poolPlacements: poolPlacements(config),
                };
                return renderInventory(input);
            });

        // Ansible reaches the nodes by address (ansible_host); operators by name. Every server's key is pinned.
        const knownHosts = pulumi
            .all([nodes, hosts.hostPublicKeys])
            .apply(([byRole, keys]) =>
                renderKnownHosts(
                    [...byRole.controlPlane, ...byRole.workers].map((node) => ({
                        names: [node.name, node.privateAddress],
                        publicKey: keys[node.name],
                    })),
                ),
            );
        const hostKeyOf = (server: pulumi.Input<string>) =>
            pulumi.all([hosts.hostPublicKeys, server]).apply(([keys, name]) => keys[name]);
        const bastionHostKey = hostKeyOf(hosts.bastion.name);
        const deployPrivateKey = args.deployKeys.privateKey;
        const bastionConnection = sshConnection({
            host: hosts.bastion.publicAddress,
            user: config.site.image.sshUser,
            privateKey: deployPrivateKey,
            hostKey: bastionHostKey,
        });
        // Every server accepts the current deploy key before any other command logs in with it (a rotation).
        const addressOf = nodes.apply((byRole) => Object.fromEntries([...byRole.controlPlane, ...byRole.workers].map((node) => [node.name, node.privateAddress])));
        const serverIds = pulumi
            .all(hosts.servers.map((server) => server.instanceId))
            .apply((ids): Record<string, string> => Object.fromEntries(hosts.servers.map((server, index) => [server.name, ids[index]])));
        const authorizedKeys = new AuthorizedDeployKeys(
            `${name}-authorized-deploy-keys`,
            {
                bastion: { name: hosts.bastion.name, address: hosts.bastion.publicAddress, hostKey: bastionHostKey, serverId: hosts.bastion.id },
                nodes: clusterNodes(name, config.cluster).map((node) => ({
                    name: node.name,
                    address: addressOf.apply((addresses) => addresses[node.name]),
                    hostKey: hostKeyOf(node.name),
                    serverId: serverIds.apply((ids) => ids[node.name]),
                })),
                sshUser: config.site.image.sshUser,
                loginKey: args.deployKeys.rotationPrivateKey,
                authorizedPublicKeys: args.deployKeys.authorizedPublicKeys,
                sshPath: hosts.sshPath,
            },
            { parent: this },
        );
        const sshPath = [...hosts.sshPath, ...authorizedKeys.ready];

        // Only what Ansible reads is hashed and shipped: a README edit neither re-runs Ansible nor reaches the bastion.
        const release = stageRelease(join(__dirname, "..", ".."), PLAYBOOK_FOLDER, RELEASE_BUILD_DIR);
        const backupCredentials = new EtcdBackupCredentials(
            `${name}-etcd-backup`,
            {
                connection: bastionConnection,
                sshUser: config.site.image.sshUser,
                ...args.etcdBackupKeys,
                sshPath,
            },
            { parent: this },
        );
        const playbookRun = new PlaybookRun(
            `${name}-ansible`,
            {
                bastionAddress: hosts.bastion.publicAddress,
                bastionHostKey,
                knownHosts,
                sshUser: config.site.image.sshUser,
                privateKey: deployPrivateKey,
                inventory: this.inventory,
                playbookFolder: release.folder,
                playbookHash: release.hash,
                bastion: hosts.bastion.resource,
                bastionId: hosts.bastion.id,
                servers: hosts.servers,
                workers: clusterNodes(name, config.cluster)
                    .filter((node) => node.role === "worker")
                    .map((node) => node.name),
                waitFor: [...hosts.ready, backupCredentials.written],
                sshPath,
            },
            { parent: this },
        );
        this.playbookTrigger = playbookRun.triggerHash;
        // Drains a node and takes it out of the cluster before Pulumi deletes its server (node-lifecycle.ts).
        new NodeRemoval(
            `${name}-node-removal`,
            {
                nodes: clusterNodes(name, config.cluster),
                addresses: addressOf,
                connection: bastionConnection,
                sshUser: config.site.image.sshUser,
                dependsOn: [...hosts.ready, ...sshPath, playbookRun],
            },
            { parent: this },
        );

        const firstControlPlane = nodes.apply((byRole) => byRole.controlPlane[0]);
        const login = { user: config.site.image.sshUser, privateKey: deployPrivateKey };
        this.controlPlaneConnection = {
            ...sshConnection({
                ...login,
                host: firstControlPlane.privateAddress,
                hostKey: hostKeyOf(firstControlPlane.name),
            }),
            proxy: sshConnection({ ...login, host: hosts.bastion.publicAddress, hostKey: bastionHostKey }),
        };
        const adminKubeconfig = new command.remote.Command(
            `${name}-admin-kubeconfig`,
            {
                connection: this.controlPlaneConnection,
                create: READ_ADMIN_KUBECONFIG,
                // Read again each month too: certificates renewed on the control plane reach Pulumi's copy.
                triggers: [playbookRun.triggerHash, kubeconfigRefreshPeriod(new Date())],
                logging: "none",
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [playbookRun, ...sshPath], additionalSecretOutputs: ["stdout"] },
        );
        this.controlPlaneReached = [adminKubeconfig, playbookRun, ...sshPath, ...hosts.ready];
        this.name = name;
        const serverUrl = pulumi.interpolate`https://${endpoint.publicAddress}:${endpoint.port}`;
        this.kubeconfig = pulumi.secret(
            pulumi.all([adminKubeconfig.stdout, serverUrl]).apply(([text, url]) => pointKubeconfigAt(text, url)),
        );
        this.kubeconfigExpiresAt = pulumi.unsecret(
            adminKubeconfig.stdout.apply((text) => {
                const expiresAt = kubeconfigClientExpiry(text);
                const warning = kubeconfigExpiryWarning(expiresAt, new Date());
                if (warning) {
                    void pulumi.log.warn(warning, this);
                }
                return expiresAt?.toISOString() ?? "unknown";
            }),
        );
        this.registerOutputs({ playbookTrigger: this.playbookTrigger, kubeconfig: this.kubeconfig, kubeconfigExpiresAt: this.kubeconfigExpiresAt });
    }

    /**
     * A command whose `delete` removes the LoadBalancer Services and the claims of deletable volumes
     * (`cloudTeardownScript`) at `destroy`, or when the cluster is removed from the program. It depends on the
     * cloud integration (the cloud-controller-manager and Cinder CSI, which must still run to clean up) and on the
     * connection to the control plane, so the engine deletes it before all of them and before the servers, the
     * security groups and the network; the Kubernetes objects of the program go before or beside it.
     */
    public releaseCloudResourcesAtTeardown(cloudIntegration: pulumi.Resource[]): command.remote.Command {
        return new command.remote.Command(
            `${this.name}-cloud-teardown`,
            {
                connection: this.controlPlaneConnection,
                // Nothing to do at creation: the command exists for its delete.
                delete: cloudTeardownScript(),
                addPreviousOutputInEnv: false,
                logging: "stdoutAndStderr",
            },
            {
                parent: this,
                dependsOn: [...cloudIntegration, ...this.controlPlaneReached],
                customTimeouts: { delete: "40m" },
            },
        );
    }
}
