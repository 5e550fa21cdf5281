import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { ApiEndpoint, ApiEndpointArgs } from "./api-endpoint";
import { PORTS, apiEndpointPort } from "../config/ports";

export interface OctaviaApiEndpointArgs extends ApiEndpointArgs {
    /** Sources the listener accepts; Octavia enforces them on the amphorae. */
    allowedCidrs: readonly string[];
    /** The control-plane nodes behind the endpoint. */
    members: readonly { name: string; address: pulumi.Input<string> }[];
}

// Octavia's default of 50 s cuts idle `kubectl logs -f`, `exec` and watch streams; an hour keeps them open.
const STREAM_IDLE_TIMEOUT_MS = 3_600_000;

/** An Octavia load balancer in front of the control plane: TCP 6443 listener, health-checked members, floating IP. */
export class OctaviaApiEndpoint extends pulumi.ComponentResource implements ApiEndpoint {
    public readonly privateAddress: pulumi.Output<string>;
    public readonly publicAddress: pulumi.Output<string>;
    public readonly port = apiEndpointPort("octavia");

    constructor(name: string, args: OctaviaApiEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:openstack:OctaviaApiEndpoint", name, {}, opts);
        const parent = { parent: this };
        const kept = { parent: this, protect: args.protect };

        const loadBalancer = new openstack.loadbalancer.LoadBalancer(
            `${name}-lb`,
            {
                name: `${name}-lb`,
                vipSubnetId: args.subnetId,
                // The health monitor and the member-side source addresses below assume amphorae; OVN would
                // forward client addresses to the members instead.
                loadbalancerProvider: "amphora",
                // No securityGroupIds: the provider would overwrite the security groups of the VIP port with them
                // (terraform-provider-openstack v1.54.1 lb_v2_shared.go resourceLoadBalancerV2SetSecurityGroups, a plain
                // Neutron port update). That port belongs to Octavia: the amphora driver gives it and the amphorae's
                // VRRP ports its own `lb-<id>` group, whose rules it derives from the listeners and their allowed
                // CIDRs; replacing it on the VIP port is unsupported and undone or broken by Octavia's next update.
                // Octavia's supported way to bring groups (`vip_sg_ids`, spec "Custom Security Groups for VIP Ports",
                // Octavia 15.0 / 2024.2) has no field in this provider version (v1.54.1).
                // The listener's allowed CIDRs below are the filter Octavia enforces.
                description: "Kubernetes API endpoint",
            },
            kept,
        );
        const listener = new openstack.loadbalancer.Listener(
            `${name}-listener`,
            {
                name: `${name}-listener`,
                loadbalancerId: loadBalancer.id,
                protocol: "TCP",
                protocolPort: this.port,
                allowedCidrs: [...args.allowedCidrs],
                timeoutClientData: STREAM_IDLE_TIMEOUT_MS,
                timeoutMemberData: STREAM_IDLE_TIMEOUT_MS,
            },
            parent,
        );
        const pool = new openstack.loadbalancer.Pool(
            `${name}-pool`,
            {
                name: `${name}-pool`,
                listenerId: listener.id,
                protocol: "TCP",
                // Watches are long-lived connections: balance on open connections, not on new ones.
                lbMethod: "LEAST_CONNECTIONS",
            },
            parent,
        );
        new openstack.loadbalancer.Monitor(
            `${name}-monitor`,
            {
                name: `${name}-monitor`,
                poolId: pool.id,
                // /readyz is readable without credentials (system:public-info-viewer) and fails while the
                // API server cannot serve, e.g. when it has lost etcd; a TCP check would still pass.
                type: "HTTPS",
                urlPath: "/readyz",
                expectedCodes: "200",
                delay: 10,
                timeout: 5,
                maxRetries: 3,
                maxRetriesDown: 3,
            },
            parent,
        );
        for (const member of args.members) {
            new openstack.loadbalancer.Member(
                `${name}-member-${member.name}`,
                {
                    name: member.name,
                    poolId: pool.id,
                    address: member.address,
                    protocolPort: PORTS.kubeApi,
                    subnetId: args.subnetId,
                },
                parent,
            );
        }
        const floatingIp = new openstack.networking.FloatingIp(
            `${name}-fip`,
            { pool: args.floatingIpPool, portId: loadBalancer.vipPortId, description: "Kubernetes API endpoint" },
            { ...kept, dependsOn: [args.routerInterface] },
        );

        this.privateAddress = loadBalancer.vipAddress;
        this.publicAddress = floatingIp.address;
        this.registerOutputs({ privateAddress: this.privateAddress, publicAddress: this.publicAddress, port: this.port });
    }
}
