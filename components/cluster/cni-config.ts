import { stringify } from "yaml";

/**
 * Calico's operator resources: VXLAN between nodes with BGP off, which is the traffic the security groups
 * let through (UDP 4789), and an IP pool on the stack's pod CIDR.
 *
 * The pool states every field the Tigera operator defaults (tigera/operator pkg/controller/ippool/
 * pool_controller.go fillDefaults): the operator writes its defaults back into the Installation, and ipPools
 * is an atomic list, so a pool missing one would replace the operator's on every server-side apply, and the
 * cni role would report a change on every run.
 */
export function calicoDocuments(podCidr: string): Record<string, unknown>[] {
    return [
        {
            apiVersion: "operator.tigera.io/v1",
            kind: "Installation",
            metadata: { name: "default" },
            spec: {
                calicoNetwork: {
                    bgp: "Disabled",
                    ipPools: [
                        {
                            name: "default-ipv4-ippool",
                            cidr: podCidr,
                            encapsulation: "VXLAN",
                            natOutgoing: "Enabled",
                            nodeSelector: "all()",
                            blockSize: 26,
                            allowedUses: ["Workload", "Tunnel"],
                            disableNewAllocations: false,
                            assignmentMode: "Automatic",
                        },
                    ],
                },
            },
        },
        { apiVersion: "operator.tigera.io/v1", kind: "APIServer", metadata: { name: "default" }, spec: {} },
    ];
}

export function renderCalicoManifest(podCidr: string): string {
    return calicoDocuments(podCidr)
        .map((document) => stringify(document, { lineWidth: 0 }))
        .join("---\n");
}

/** Helm values of the Cilium chart: VXLAN tunnel (UDP 8472), its own IPAM on the pod CIDR, Hubble on. */
export function ciliumValues(podCidr: string, endpoint: { address: string; port: number }): Record<string, unknown> {
    return {
        routingMode: "tunnel",
        tunnelProtocol: "vxlan",
        ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: [podCidr], clusterPoolIPv4MaskSize: 24 } },
        // The agent must reach the API before any Service exists: through the endpoint, not the ClusterIP.
        k8sServiceHost: endpoint.address,
        k8sServicePort: endpoint.port,
        kubeProxyReplacement: false,
        hubble: { enabled: true, relay: { enabled: true } },
    };
}

export function renderCiliumValues(podCidr: string, endpoint: { address: string; port: number }): string {
    return stringify(ciliumValues(podCidr, endpoint), { lineWidth: 0 });
}
