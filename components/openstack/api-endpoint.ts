import type * as pulumi from "@pulumi/pulumi";

/** The stable address every kubeconfig, kubelet and certificate names; the two modes provide the same. */
export interface ApiEndpoint {
    /** Address on the node subnet: kubeadm's controlPlaneEndpoint. */
    readonly privateAddress: pulumi.Output<string>;
    /** Floating IP operators and Pulumi reach the API on. */
    readonly publicAddress: pulumi.Output<string>;
    readonly port: number;
}

/** What both kinds of endpoint are built from. */
export interface ApiEndpointArgs {
    /** Subnet of the endpoint's address (the node subnet). */
    subnetId: pulumi.Input<string>;
    /** The API endpoint security group. */
    securityGroupId: pulumi.Input<string>;
    /** Name of the external network floating IPs are taken from. */
    floatingIpPool: string;
    /** The router interface of the subnet, without which Neutron refuses the floating IP. */
    routerInterface: pulumi.Resource;
    /** Refuse to delete the endpoint's address and floating IP: certificates and kubeconfigs name them. */
    protect: boolean;
}

/**
 * Who may open a connection to the API endpoint: the admin networks, and the nodes themselves (kubelets and
 * kube-proxy talk to the API through the endpoint, not to one control plane). Sorted: Octavia keeps the list in
 * its `listener_cidr` table keyed by (listener_id, cidr) and reads it back in that order, and the provider
 * compares `allowed_cidrs` as an ordered list (TypeList, terraform-provider-openstack v1.54.1
 * resource_openstack_lb_listener_v2.go), so any other order shows a change on every `up`.
 */
export function apiEndpointAllowedCidrs(adminCidrs: readonly string[], nodeCidr: string): string[] {
    return [...new Set([...adminCidrs, nodeCidr])].sort();
}
