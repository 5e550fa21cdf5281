import { CNI_METRICS_PORTS } from "../../config/ports";
import type { CniName } from "../../config/schema";
import { MONITORING_NAMESPACE } from "./kube-prometheus-stack";

/**
 * Prometheus' way to the CNI agent on every node. Both agents run on the host network and declare no container port
 * for their metrics (tigera/operator v1.40.3 pkg/render/node.go; the Cilium chart's agent DaemonSet), so a PodMonitor,
 * which keeps targets by declared port, would find nothing: a headless Service selecting the agents' pods lists every
 * node's address with the numeric target port, and a ServiceMonitor scrapes each. The Service is the program's, not
 * the operator's or the chart's: Calico's operator makes one only for its Enterprise variant (pkg/render/node.go
 * nodeMetricsService), and Cilium's chart would need the ServiceMonitor CRD before kube-prometheus-stack installs it.
 */

/** Where each CNI's agent runs: its namespace and its pods' labels (Calico: the operator's calico-system; Cilium: kube-system). */
export const CNI_AGENTS: Record<CniName, { namespace: string; podLabels: Record<string, string>; what: string }> = {
    calico: { namespace: "calico-system", podLabels: { "k8s-app": "calico-node" }, what: "Calico Felix (calico-node)" },
    cilium: { namespace: "kube-system", podLabels: { "k8s-app": "cilium" }, what: "cilium-agent" },
};

/** The Service's name, which the ServiceMonitor makes the scrape job's name (prometheus-operator: job defaults to the Service's name). */
export const CNI_METRICS_JOB = "cni-agent-metrics";
const PORT_NAME = "metrics";

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec: Record<string, unknown> };

/** The headless Service beside the agents and the ServiceMonitor (in `monitoring`) that scrapes each of its endpoints. */
export function cniMetricsManifests(cni: CniName): { service: Manifest; serviceMonitor: Manifest } {
    const agent = CNI_AGENTS[cni];
    const port = CNI_METRICS_PORTS[cni];
    const labels = { "app.kubernetes.io/name": CNI_METRICS_JOB };
    return {
        service: {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: CNI_METRICS_JOB, namespace: agent.namespace, labels },
            // Headless: one endpoint per node, and no kube-proxy rules for a Service that nothing calls by its address.
            spec: { clusterIP: "None", selector: agent.podLabels, ports: [{ name: PORT_NAME, port, targetPort: port, protocol: "TCP" }] },
        },
        serviceMonitor: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: CNI_METRICS_JOB, namespace: MONITORING_NAMESPACE },
            spec: {
                selector: { matchLabels: labels },
                namespaceSelector: { matchNames: [agent.namespace] },
                // The node's name on every series, as the alerts name nodes (the instance is the node's address).
                endpoints: [{ port: PORT_NAME, path: "/metrics", interval: "30s", relabelings: [{ sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }] }],
            },
        },
    };
}
