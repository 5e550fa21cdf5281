import { stringify } from "yaml";
import { CNI_METRICS_PORTS } from "../config/ports";

/**
 * Calico's operator resources: VXLAN between nodes with BGP off, which is the traffic the security groups
 * let through (UDP 4789), and an IP pool on the stack's pod CIDR.
 *
 * The pool states every field the Tigera operator defaults (tigera/operator pkg/controller/ippool/
 * pool_controller.go fillDefaults): the operator writes its defaults back into the Installation, and ipPools
 * is an atomic list, so a pool missing one would replace the operator's on every server-side apply, and the
 * cni role would report a change on every run.
 *
 * Felix serves Prometheus metrics through the Installation's nodeMetricsPort, which the operator turns into calico-node's
 * FELIX_PROMETHEUSMETRICSENABLED and FELIX_PROMETHEUSMETRICSPORT (tigera/operator v1.40.3 pkg/render/node.go; the field
 * is in Calico 3.31.3's and 3.33's operator-crds.yaml), rather than through the FelixConfiguration `default`: that one
 * is written by calico-node at start and by the operator, and its projectcalico.org/v3 form is served only once
 * calico-apiserver runs on the pod network this very apply sets up. One scalar in the object the role already
 * applies server-side needs no new step and shares no object with another writer.
 */
export function calicoDocuments(podCidr: string): Record<string, unknown>[] {
    return [
        {
            apiVersion: "operator.tigera.io/v1",
            kind: "Installation",
            metadata: { name: "default" },
            spec: {
                nodeMetricsPort: CNI_METRICS_PORTS.calico,
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

// Stryker disable next-line ObjectLiteral: lineWidth 0 only keeps long scalars on one line; kubectl's and Helm's YAML parsers read a folded scalar back unchanged
const render = (document: Record<string, unknown>): string => stringify(document, { lineWidth: 0 });

export function renderCalicoManifest(podCidr: string): string {
    return calicoDocuments(podCidr).map(render).join("---\n");
}

/** Helm values of the Cilium chart: VXLAN tunnel (UDP 8472), its own IPAM on the pod CIDR, Hubble on, the agent's metrics on. */
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
        // The agent's Prometheus metrics on every node (docs.cilium.io 1.19 "Monitoring & Metrics"); Prometheus finds
        // them through the program's own Service (platform/cni-metrics.ts), not the chart's ServiceMonitor, whose CRD
        // does not exist yet when Ansible installs Cilium.
        prometheus: { enabled: true, port: CNI_METRICS_PORTS.cilium },
    };
}

export function renderCiliumValues(podCidr: string, endpoint: { address: string; port: number }): string {
    return render(ciliumValues(podCidr, endpoint));
}
