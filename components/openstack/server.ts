import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { renderUserData } from "./user-data";

/**
 * Instance inputs whose change makes OpenStack rebuild or replace the server, wiping its root disk. They are
 * ignored after creation: a new image, new keys or a reordered zone list apply to new servers only, and
 * replacing an existing one is an explicit act (`pulumi up --replace <urn>`), never a side effect.
 */
export const INSTANCE_IGNORED_CHANGES = [
    "imageId",
    "imageName",
    "userData",
    "keyPair",
    "blockDevices",
    "availabilityZone",
    "schedulerHints",
] as const;

export interface ServerArgs {
    /** Nova flavor name. */
    flavorName: string;
    /** Glance image ID the server boots from. */
    imageId: pulumi.Input<string>;
    /** The image's default user, who receives the operators' keys. */
    sshUser: string;
    /** Operators' OpenSSH public keys, installed by cloud-init. */
    sshPublicKeys: readonly string[];
    /** Nova keypair name. */
    keyPairName: pulumi.Input<string>;
    networkId: pulumi.Input<string>;
    subnetId: pulumi.Input<string>;
    /** Security groups of the server's port. */
    securityGroupIds: pulumi.Input<string>[];
    availabilityZone: string;
    /** Nova server group the scheduler places the server in. */
    serverGroupId?: pulumi.Input<string>;
    /** Boot from a Cinder volume of this size (GiB) instead of the flavor's local disk. */
    bootVolumeSize?: number;
    /** Cinder volume type of the boot volume; the site default when absent. */
    volumeType?: string;
    /** Extra addresses the port may answer for (the API VIP held by keepalived). */
    allowedAddresses?: pulumi.Input<string>[];
    /** Key/value metadata set on the server. */
    metadata: Record<string, string>;
    /** Distribution packages cloud-init installs at first boot. */
    packages?: readonly string[];
}

/** A server and the port it owns. */
export interface Server {
    port: openstack.networking.Port;
    instance: openstack.compute.Instance;
    /** The server's SSH host public key (OpenSSH format), which every connection to it pins. */
    hostPublicKey: pulumi.Output<string>;
}

/**
 * A port and an instance plugged into it. The port is a resource of its own so that the address survives a
 * server replacement, and so that its security groups and allowed addresses change without touching the server.
 */
export function createServer(name: string, args: ServerArgs, parent: pulumi.Resource): Server {
    const port = new openstack.networking.Port(
        `${name}-port`,
        {
            name: `${name}-port`,
            networkId: args.networkId,
            fixedIps: [{ subnetId: args.subnetId }],
            securityGroupIds: args.securityGroupIds,
            allowedAddressPairs: (args.allowedAddresses ?? []).map((ipAddress) => ({ ipAddress })),
            adminStateUp: true,
        },
        { parent },
    );
    const bootVolume =
        args.bootVolumeSize === undefined
            ? undefined
            : {
                  sourceType: "image",
                  uuid: args.imageId,
                  destinationType: "volume",
                  volumeSize: args.bootVolumeSize,
                  volumeType: args.volumeType,
                  bootIndex: 0,
                  deleteOnTermination: true,
              };
    // The host key lives in the stack's state, a secret, and outlives the server: a replacement (`up --replace`)
    // boots with the same key, so the pinned key stays right and no "host key changed" needs accepting.
    const hostKey = new tls.PrivateKey(`${name}-host-key`, { algorithm: "ED25519" }, { parent });
    const userData = pulumi
        .all([hostKey.privateKeyOpenssh, hostKey.publicKeyOpenssh])
        .apply(([privateKey, publicKey]) =>
            renderUserData({
                hostname: name,
                sshUser: args.sshUser,
                sshPublicKeys: args.sshPublicKeys,
                packages: args.packages,
                hostKey: { privateKey, publicKey },
            }),
        );
    const instance = new openstack.compute.Instance(
        name,
        {
            name,
            flavorName: args.flavorName,
            imageId: bootVolume ? undefined : args.imageId,
            blockDevices: bootVolume ? [bootVolume] : undefined,
            keyPair: args.keyPairName,
            availabilityZone: args.availabilityZone,
            networks: [{ port: port.id }],
            schedulerHints: args.serverGroupId === undefined ? undefined : [{ group: args.serverGroupId }],
            // A secret, as it holds the host private key.
            userData: pulumi.secret(userData),
            metadata: args.metadata,
        },
        {
            parent,
            ignoreChanges: [...INSTANCE_IGNORED_CHANGES],
            // A replacement (`up --replace`, a new port) boots on the same pre-created port, which Neutron binds to one
            // server at a time: created first, the new server would fail with PortInUse. So the old one goes first
            // (Nova detaches a port it did not create rather than deleting it, and the address stays). Replacing
            // the port with the server instead would change the node's address, which etcd and the inventory name.
            deleteBeforeReplace: true,
        },
    );
    return { port, instance, hostPublicKey: hostKey.publicKeyOpenssh };
}
