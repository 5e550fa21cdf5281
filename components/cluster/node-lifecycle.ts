import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { SshConnection } from "../ansible/connection";
import type { StackConfig } from "../config/schema";
import type { ServerRole } from "../openstack/server-metadata";

/** What the removal of one node needs to know, as plain values. */
export interface RemovableNode {
    /** Server, host and Kubernetes Node name. */
    name: string;
    role: Exclude<ServerRole, "bastion">;
}

/**
 * The nodes of a stack by name, as the OpenStack layer names its servers (NodePool: `<pool>-<n>`, pools
 * `<env>-cp` and `<env>-<pool name>`). A test checks that every server has its removal command.
 */
export function clusterNodes(environmentName: string, cluster: StackConfig["cluster"]): RemovableNode[] {
    const controlPlanes = Array.from({ length: cluster.controlPlane.count }, (_, index): RemovableNode => ({
        name: `${environmentName}-cp-${index + 1}`,
        role: "control-plane",
    }));
    const workers = cluster.workerPools.flatMap((pool) =>
        Array.from({ length: pool.count }, (_, index): RemovableNode => ({ name: `${environmentName}-${pool.name}-${index + 1}`, role: "worker" })),
    );
    return [...controlPlanes, ...workers];
}

/** Serialises removals: Pulumi may delete several nodes at once, etcd must lose one member at a time. */
export const REMOVAL_LOCK = "/tmp/fsgs-node-removal.lock";

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The shell script the bastion runs when Pulumi deletes a node's removal command, before the server. It runs
 * `playbooks/remove-node.yml` from the newest playbook release with the inventory `up` has just written, unless
 * that inventory still lists the node: then the whole environment is being destroyed (the inventory file is
 * never deleted) and there is no cluster left to take the node out of.
 */
export function removalScript(node: RemovableNode, address: string, workdir: string): string {
    const name = shellQuote(node.name);
    return [
        "set -eu",
        `cd ${shellQuote(workdir)}`,
        `if ! test -f inventory.yml || ansible-inventory -i inventory.yml --host ${name} >/dev/null 2>&1; then`,
        `  echo "${node.name} is still in the inventory: the environment is destroyed as a whole, nothing to drain"`,
        "  exit 0",
        "fi",
        `release="$(ls -td releases/*/ | head -n 1)"`,
        `exec flock ${REMOVAL_LOCK} env ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \\`,
        `  ansible-playbook -i inventory.yml "\${release}playbooks/remove-node.yml" \\`,
        `  -e removed_node_name=${name} -e removed_node_address=${shellQuote(address)} -e removed_node_role=${node.role}`,
    ].join("\n");
}

export interface NodeRemovalArgs {
    /** The nodes of the stack. */
    nodes: readonly RemovableNode[];
    /** Private address of each node by name. */
    addresses: pulumi.Output<Record<string, string>>;
    /** The connection to the bastion, where the removal runs (host key pinned). */
    connection: SshConnection;
    /** The image's default user. */
    sshUser: string;
    /**
     * What must outlive every removal command, so Pulumi deletes the command first: the node pools (their servers),
     * the bastion, and the playbook run (the deploy key and the playbooks on the bastion).
     */
    dependsOn: pulumi.Resource[];
}

/**
 * One command per node that does nothing when created and, when Pulumi deletes it (the node left the config),
 * drains the node and takes it out of the cluster through the bastion. It depends on the servers, so Pulumi
 * deletes it, and runs the removal, before it deletes the server.
 */
export class NodeRemoval extends pulumi.ComponentResource {
    constructor(name: string, args: NodeRemovalArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:cluster:NodeRemoval", name, {}, opts);
        const connection = args.connection;
        const workdir = `/home/${args.sshUser}/fsgs-ansible`;
        for (const node of args.nodes) {
            new command.remote.Command(
                `${name}-${node.name}`,
                {
                    connection,
                    delete: args.addresses.apply((addresses) => removalScript(node, addresses[node.name] ?? "", workdir)),
                    addPreviousOutputInEnv: false,
                    logging: "stdoutAndStderr",
                },
                // A drain waits for PodDisruptionBudgets; the removal of a control plane also resets it.
                { parent: this, dependsOn: args.dependsOn, customTimeouts: { delete: "30m" } },
            );
        }
        this.registerOutputs({});
    }
}
