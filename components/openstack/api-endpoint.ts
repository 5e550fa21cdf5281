import type * as pulumi from "@pulumi/pulumi";

/** The stable address every kubeconfig, kubelet and certificate names; the two modes provide the same. */
export interface ApiEndpoint {
    /** Address on the node subnet: kubeadm's controlPlaneEndpoint. */
    readonly privateAddress: pulumi.Output<string>;
    /** Floating IP operators and Pulumi reach the API on. */
    readonly publicAddress: pulumi.Output<string>;
    readonly port: number;
}

/**
 * Who may open a connection to the API endpoint: the admin networks, and the nodes themselves (kubelets and
 * kube-proxy talk to the API through the endpoint, not to one control plane).
 */
export function apiEndpointAllowedCidrs(adminCidrs: readonly string[], nodeCidr: string): string[] {
    return [...new Set([...adminCidrs, nodeCidr])];
}
