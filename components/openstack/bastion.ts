import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { type ServerArgs, createServer } from "./server";

export interface BastionArgs extends Omit<ServerArgs, "serverGroupId" | "allowedAddresses" | "bootVolumeSize"> {
    /** Name of the external network floating IPs are taken from. */
    floatingIpPool: string;
    /** The router interface of the subnet, without which Neutron refuses the floating IP. */
    routerInterface: pulumi.Resource;
}

/** The one server with a public address: operators and Ansible reach the nodes through it. */
export class Bastion extends pulumi.ComponentResource {
    public readonly publicAddress: pulumi.Output<string>;
    public readonly privateAddress: pulumi.Output<string>;
    /** Nova server ID: changes when the bastion is replaced. */
    public readonly instanceId: pulumi.Output<string>;
    /** SSH host public key, pinned by every connection to the bastion. */
    public readonly hostPublicKey: pulumi.Output<string>;

    constructor(name: string, args: BastionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:openstack:Bastion", name, {}, opts);
        const { floatingIpPool, routerInterface, ...serverArgs } = args;

        const { port, instance, hostPublicKey } = createServer(name, serverArgs, this);
        const floatingIp = new openstack.networking.FloatingIp(
            `${name}-fip`,
            { pool: floatingIpPool, portId: port.id, description: `Public address of ${name}` },
            { parent: this, dependsOn: [routerInterface] },
        );

        this.publicAddress = floatingIp.address;
        this.privateAddress = port.allFixedIps[0];
        this.instanceId = instance.id;
        this.hostPublicKey = hostPublicKey;
        this.registerOutputs({ publicAddress: this.publicAddress, privateAddress: this.privateAddress });
    }
}
