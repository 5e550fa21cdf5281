import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { type InventoryInput, renderInventory } from "../ansible/inventory";
import { sshConnection } from "../ansible/connection";
import { renderKnownHosts } from "../ansible/known-hosts";
import { BASTION_KEY_PATH, PlaybookRun, bastionKnownHostsPath } from "../ansible/playbook-run";
import { stageRelease } from "../ansible/release";
import { poolPlacements } from "../config/pools";
import type { StackConfig } from "../config/schema";
import type { Environment } from "../openstack/environment";
import { cloudTeardownScript } from "./cloud-teardown";
import { pointKubeconfigAt } from "./kubeconfig";

export interface KubeadmClusterArgs {
    config: StackConfig;
    /** The OpenStack environment the cluster runs on. */
    environment: Environment;
    /** The deploy private key, a secret. */
    deployPrivateKey: pulumi.Output<string>;
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

    constructor(name: string, args: KubeadmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:cluster:KubeadmCluster", name, {}, opts);
        const { config, environment } = args;
        const endpoint = environment.apiEndpoint;

        this.inventory = pulumi
            .all([
                environment.nodes,
                environment.bastionPrivateAddress,
                environment.bastionPublicAddress,
                endpoint.privateAddress,
                endpoint.publicAddress,
                environment.dataVolumeIds,
            ])
            .apply(([nodes, bastionPrivate, bastionPublic, endpointPrivate, endpointPublic, dataVolumes]) => {
                const input: InventoryInput = {
                    environment: config.environment,
                    clusterName: name,
                    kubernetesVersion: config.cluster.kubernetesVersion,
                    sshUser: config.site.image.sshUser,
                    privateKeyFile: BASTION_KEY_PATH,
                    knownHostsFile: bastionKnownHostsPath(config.site.image.sshUser),
                    bastion: { name: environment.bastionName, privateAddress: bastionPrivate, publicAddress: bastionPublic },
                    controlPlane: nodes.controlPlane,
                    workers: nodes.workers,
                    endpoint: { mode: config.cluster.apiEndpoint.mode, privateAddress: endpointPrivate, publicAddress: endpointPublic, port: endpoint.port },
                    network: config.network,
                    cni: config.cluster.cni,
                    dataVolumes,
                    runsOn: "bastion",
                    poolPlacements: poolPlacements(config),
                };
                return renderInventory(input);
            });

        // Ansible reaches the nodes by address (ansible_host); operators by name. Every server's key is pinned.
        const knownHosts = pulumi
            .all([environment.nodes, environment.hostPublicKeys])
            .apply(([nodes, keys]) =>
                renderKnownHosts(
                    [...nodes.controlPlane, ...nodes.workers].map((node) => ({
                        names: [node.name, node.privateAddress],
                        publicKey: keys[node.name],
                    })),
                ),
            );
        const hostKeyOf = (server: pulumi.Input<string>) =>
            pulumi.all([environment.hostPublicKeys, server]).apply(([keys, name]) => keys[name]);
        const bastionHostKey = hostKeyOf(environment.bastionName);

        // Only what Ansible reads is hashed and shipped: a README edit neither re-runs Ansible nor reaches the bastion.
        const release = stageRelease(join(__dirname, "..", ".."), PLAYBOOK_FOLDER, RELEASE_BUILD_DIR);
        const playbookRun = new PlaybookRun(
            `${name}-ansible`,
            {
                bastionAddress: environment.bastionPublicAddress,
                bastionHostKey,
                knownHosts,
                sshUser: config.site.image.sshUser,
                privateKey: args.deployPrivateKey,
                inventory: this.inventory,
                playbookFolder: release.folder,
                playbookHash: release.hash,
                bastion: environment.bastion,
                bastionId: environment.bastionId,
                serverIds: environment.serverIds,
                waitFor: environment.clusterResources,
                sshPath: environment.sshPath,
            },
            { parent: this },
        );
        this.playbookTrigger = playbookRun.triggerHash;

        const firstControlPlane = environment.nodes.apply((nodes) => nodes.controlPlane[0]);
        const login = { user: config.site.image.sshUser, privateKey: args.deployPrivateKey };
        this.controlPlaneConnection = {
            ...sshConnection({
                ...login,
                host: firstControlPlane.privateAddress,
                hostKey: hostKeyOf(firstControlPlane.name),
            }),
            proxy: sshConnection({ ...login, host: environment.bastionPublicAddress, hostKey: bastionHostKey }),
        };
        const adminKubeconfig = new command.remote.Command(
            `${name}-admin-kubeconfig`,
            {
                connection: this.controlPlaneConnection,
                create: READ_ADMIN_KUBECONFIG,
                triggers: [playbookRun.triggerHash],
                logging: "none",
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [playbookRun, ...environment.sshPath], additionalSecretOutputs: ["stdout"] },
        );
        this.controlPlaneReached = [adminKubeconfig, playbookRun, ...environment.sshPath, ...environment.clusterResources];
        this.name = name;
        const serverUrl = pulumi.interpolate`https://${endpoint.publicAddress}:${endpoint.port}`;
        this.kubeconfig = pulumi.secret(
            pulumi.all([adminKubeconfig.stdout, serverUrl]).apply(([text, url]) => pointKubeconfigAt(text, url)),
        );
        this.registerOutputs({ playbookTrigger: this.playbookTrigger, kubeconfig: this.kubeconfig });
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
