import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { ApiEndpoint, ApiEndpointArgs } from "./api-endpoint";
import { apiEndpointPort } from "../config/ports";

export interface VipApiEndpointArgs extends ApiEndpointArgs {
    /** Network the VIP is reserved on. */
    networkId: pulumi.Input<string>;
}

/**
 * An address reserved by an unbound Neutron port, held by keepalived on one control-plane node at a time. The
 * control-plane ports list it in their allowed address pairs, else Neutron's anti-spoofing drops its traffic.
 */
export class VipApiEndpoint extends pulumi.ComponentResource implements ApiEndpoint {
    public readonly privateAddress: pulumi.Output<string>;
    public readonly publicAddress: pulumi.Output<string>;
    public readonly port = apiEndpointPort("vip");

    constructor(name: string, args: VipApiEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:openstack:VipApiEndpoint", name, {}, opts);
        const kept = { parent: this, protect: args.protect };

        const vipPort = new openstack.networking.Port(
            `${name}-vip`,
            {
                name: `${name}-vip`,
                description: "Kubernetes API VIP, held by keepalived on the control plane",
                networkId: args.networkId,
                fixedIps: [{ subnetId: args.subnetId }],
                securityGroupIds: [args.securityGroupId],
                adminStateUp: true,
            },
            kept,
        );
        const floatingIp = new openstack.networking.FloatingIp(
            `${name}-fip`,
            { pool: args.floatingIpPool, portId: vipPort.id, description: "Kubernetes API endpoint" },
            { ...kept, dependsOn: [args.routerInterface] },
        );

        this.privateAddress = vipPort.allFixedIps[0];
        this.publicAddress = floatingIp.address;
        this.registerOutputs({ privateAddress: this.privateAddress, publicAddress: this.publicAddress, port: this.port });
    }
}
