import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { folderHash, readFolder } from "../ansible/content-hash";
import { type InventoryInput, renderInventory } from "../ansible/inventory";
import { poolPlacements } from "../config/pools";
import { BASTION_KEY_PATH, PlaybookRun } from "../ansible/playbook-run";
import type { StackConfig } from "../config/schema";
import type { Environment } from "../openstack/environment";
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

    constructor(name: string, args: KubeadmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:cluster:KubeadmCluster", name, {}, opts);
        const { config, environment } = args;
        const endpoint = environment.apiEndpoint;

        this.inventory = pulumi
            .all([environment.nodes, environment.bastionPrivateAddress, environment.bastionPublicAddress, endpoint.privateAddress, endpoint.publicAddress])
            .apply(([nodes, bastionPrivate, bastionPublic, endpointPrivate, endpointPublic]) => {
                const input: InventoryInput = {
                    environment: config.environment,
                    clusterName: name,
                    kubernetesVersion: config.cluster.kubernetesVersion,
                    sshUser: config.site.image.sshUser,
                    privateKeyFile: BASTION_KEY_PATH,
                    bastion: { name: environment.bastionName, privateAddress: bastionPrivate, publicAddress: bastionPublic },
                    controlPlane: nodes.controlPlane,
                    workers: nodes.workers,
                    endpoint: { mode: config.cluster.apiEndpoint.mode, privateAddress: endpointPrivate, publicAddress: endpointPublic, port: endpoint.port },
                    network: config.network,
                    cni: config.cluster.cni,
                    runsOn: "bastion",
                    poolPlacements: poolPlacements(config),
                };
                return renderInventory(input);
            });

        const playbookRun = new PlaybookRun(
            `${name}-ansible`,
            {
                bastionAddress: environment.bastionPublicAddress,
                sshUser: config.site.image.sshUser,
                privateKey: args.deployPrivateKey,
                inventory: this.inventory,
                playbookFolder: PLAYBOOK_FOLDER,
                playbookHash: folderHash(readFolder(join(__dirname, "..", "..", PLAYBOOK_FOLDER))),
                bastion: environment.bastion,
                waitFor: environment.clusterResources,
            },
            { parent: this },
        );
        this.playbookTrigger = playbookRun.triggerHash;

        const firstControlPlane = environment.nodes.apply((nodes) => nodes.controlPlane[0].privateAddress);
        const login = { user: config.site.image.sshUser, privateKey: args.deployPrivateKey };
        const adminKubeconfig = new command.remote.Command(
            `${name}-admin-kubeconfig`,
            {
                connection: { ...login, host: firstControlPlane, proxy: { ...login, host: environment.bastionPublicAddress } },
                create: READ_ADMIN_KUBECONFIG,
                triggers: [playbookRun.triggerHash],
                logging: "none",
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [playbookRun], additionalSecretOutputs: ["stdout"] },
        );
        const serverUrl = pulumi.interpolate`https://${endpoint.publicAddress}:${endpoint.port}`;
        this.kubeconfig = pulumi.secret(
            pulumi.all([adminKubeconfig.stdout, serverUrl]).apply(([text, url]) => pointKubeconfigAt(text, url)),
        );
        this.registerOutputs({ playbookTrigger: this.playbookTrigger, kubeconfig: this.kubeconfig });
    }
}
