import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
    /** IPv4 block of the node subnet. */
    nodeCidr: string;
    /** Resolvers handed to the servers by DHCP. */
    dnsServers: readonly string[];
    /** ID of the site's external (provider) network the router uses as gateway. */
    externalNetworkId: pulumi.Input<string>;
}

/** The project's private network: one subnet for every server, routed to the site's external network. */
export class Network extends pulumi.ComponentResource {
    public readonly networkId: pulumi.Output<string>;
    public readonly subnetId: pulumi.Output<string>;
    public readonly routerId: pulumi.Output<string>;
    /** Floating IPs on the subnet can only be created once this exists: depend on it. */
    public readonly routerInterface: openstack.networking.RouterInterface;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:openstack:Network", name, {}, opts);
        const parent = { parent: this };

        const network = new openstack.networking.Network(`${name}-net`, { name: `${name}-net`, adminStateUp: true }, parent);
        const subnet = new openstack.networking.Subnet(
            `${name}-subnet`,
            {
                name: `${name}-subnet`,
                networkId: network.id,
                cidr: args.nodeCidr,
                ipVersion: 4,
                enableDhcp: true,
                dnsNameservers: [...args.dnsServers],
            },
            parent,
        );
        const router = new openstack.networking.Router(
            `${name}-router`,
            { name: `${name}-router`, externalNetworkId: args.externalNetworkId, adminStateUp: true },
            parent,
        );
        this.routerInterface = new openstack.networking.RouterInterface(
            `${name}-router-if`,
            { routerId: router.id, subnetId: subnet.id },
            parent,
        );

        this.networkId = network.id;
        this.subnetId = subnet.id;
        this.routerId = router.id;
        this.registerOutputs({ networkId: this.networkId, subnetId: this.subnetId, routerId: this.routerId });
    }
}
