import type * as pulumi from "@pulumi/pulumi";
import type { ApiEndpointMode } from "../config/schema";

/** A Kubernetes node as the next layers (inventory, monitoring) see it. */
export interface NodeAddress {
    name: string;
    privateAddress: string;
    /** Worker pool; absent on control-plane nodes. */
    pool?: string;
}

/** One server's identity: a new server gets a new ID, and a new host key. */
export interface ServerIdentity {
    name: string;
    instanceId: pulumi.Input<string>;
    hostPublicKey: pulumi.Input<string>;
}

export interface NodesByRole {
    controlPlane: NodeAddress[];
    workers: NodeAddress[];
}

/**
 * What the OpenStack layer hands the cluster layer: the hosts Ansible forms a cluster on, how to reach them, and
 * what to wait for. Plain values or `pulumi.Input`s, so the cluster can be rendered alone (tests/kubeadm-cluster.test.ts)
 * without an `Environment`.
 */
export interface ClusterHosts {
    /** The Kubernetes nodes by role, with their private addresses. */
    nodes: pulumi.Input<NodesByRole>;
    bastion: {
        /** Server name; its host key is `hostPublicKeys[name]`. */
        name: string;
        privateAddress: pulumi.Input<string>;
        /** Floating IP, where every SSH connection of the program enters. */
        publicAddress: pulumi.Input<string>;
        /** Nova ID: a new bastion gets the key, the playbooks and the inventory again. */
        id: pulumi.Input<string>;
        /** The bastion itself, which the files sent to it depend on. */
        resource: pulumi.Resource;
    };
    /** The stable API address kubeadm, kubelets and kubeconfigs name. */
    endpoint: { mode: ApiEndpointMode; privateAddress: pulumi.Input<string>; publicAddress: pulumi.Input<string>; port: number };
    /** SSH host public key of every server (bastion and nodes) by name: every connection pins it. */
    hostPublicKeys: pulumi.Input<Record<string, string>>;
    /** Every server (bastion and nodes) with its Nova ID and host key: what changes when one is replaced. */
    servers: readonly ServerIdentity[];
    /** Cinder ID of each node's data volume, by node name (nodes without one are absent). */
    dataVolumeIds: pulumi.Input<Record<string, string>>;
    /** What must exist before Ansible forms the cluster: the node pools (servers, volumes) and the API endpoint. */
    ready: pulumi.Resource[];
    /**
     * What every SSH connection travels through (security groups and their rules, the bastion and its floating
     * IP): remote commands depend on these so that `destroy` deletes them only after the commands.
     */
    sshPath: pulumi.Resource[];
}
