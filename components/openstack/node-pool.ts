import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { type ServerArgs, createServer } from "./server";

/** A server of a pool, as later layers (inventory, load balancer members) need it. */
export interface PoolNode {
    /** Server and host name. */
    name: string;
    /** Address on the node subnet. */
    privateAddress: pulumi.Output<string>;
    /** Nova server ID. */
    instanceId: pulumi.Output<string>;
    /** SSH host public key, pinned by every connection to the server. */
    hostPublicKey: pulumi.Output<string>;
    /** Cinder ID of the node's data volume, which Ansible finds by its serial; absent without one. */
    dataVolumeId?: pulumi.Output<string>;
}

export interface NodePoolArgs extends Omit<ServerArgs, "availabilityZone" | "serverGroupId"> {
    /** Number of servers. */
    count: number;
    /** Zones the servers are spread over, round-robin. */
    availabilityZones: readonly string[];
    /** `hard`: never two servers on one hypervisor (scheduling fails instead); `soft`: avoid it when possible. */
    antiAffinity: "hard" | "soft";
    /** One Cinder data volume per server, of this size (GiB). */
    dataVolumeSize?: number;
    /** Protect data volumes from deletion and keep them in OpenStack if removed from the program. */
    protectData: boolean;
}

/**
 * Changes that would make a data volume a new, empty one: zone and type are ForceNew (terraform-provider-openstack
 * v1.54.1 resource_openstack_blockstorage_volume_v3.go). In prod the volume is protected, so a replacement would
 * stop `up` altogether; a new `site.volumeType` therefore applies to new volumes only, and an existing one moves
 * with `openstack volume set --type <new> --retype-policy on-demand <volume>`, which keeps its data.
 */
export const VOLUME_IGNORED_CHANGES = ["availabilityZone", "volumeType"] as const;

/** Zone of the n-th server of a pool: round-robin, so a pool spreads over every zone of the site. */
export function zoneFor(index: number, zones: readonly string[]): string {
    return zones[index % zones.length];
}

/** Servers of one role in one server group, with their data volumes. */
export class NodePool extends pulumi.ComponentResource {
    public readonly nodes: PoolNode[];
    public readonly serverGroupId: pulumi.Output<string>;

    constructor(name: string, args: NodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:openstack:NodePool", name, {}, opts);
        const { count, availabilityZones, antiAffinity, dataVolumeSize, protectData, ...serverArgs } = args;

        const serverGroup = new openstack.compute.ServerGroup(
            `${name}-affinity`,
            { name: `${name}-affinity`, policies: [antiAffinity === "hard" ? "anti-affinity" : "soft-anti-affinity"] },
            { parent: this },
        );

        this.nodes = Array.from({ length: count }, (_, index) => {
            const nodeName = `${name}-${index + 1}`;
            const zone = zoneFor(index, availabilityZones);
            const { port, instance, hostPublicKey } = createServer(
                nodeName,
                { ...serverArgs, availabilityZone: zone, serverGroupId: serverGroup.id },
                this,
            );
            let dataVolumeId: pulumi.Output<string> | undefined;
            if (dataVolumeSize !== undefined) {
                const volume = new openstack.blockstorage.Volume(
                    `${nodeName}-data`,
                    {
                        name: `${nodeName}-data`,
                        description: `Data volume of ${nodeName}`,
                        size: dataVolumeSize,
                        volumeType: args.volumeType,
                        availabilityZone: zone,
                        enableOnlineResize: true,
                        metadata: args.metadata,
                    },
                    {
                        parent: this,
                        protect: protectData,
                        retainOnDelete: protectData,
                        ignoreChanges: [...VOLUME_IGNORED_CHANGES],
                    },
                );
                new openstack.compute.VolumeAttach(
                    `${nodeName}-data-attach`,
                    { instanceId: instance.id, volumeId: volume.id },
                    { parent: this },
                );
                dataVolumeId = volume.id;
            }
            return { name: nodeName, privateAddress: port.allFixedIps[0], instanceId: instance.id, hostPublicKey, dataVolumeId };
        });

        this.serverGroupId = serverGroup.id;
        this.registerOutputs({
            nodes: this.nodes.map((node) => ({ name: node.name, privateAddress: node.privateAddress })),
            serverGroupId: this.serverGroupId,
        });
    }
}
