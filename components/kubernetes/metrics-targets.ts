import { podSelectorLabels } from "./data/cnpg";
import { RABBITMQ_PORTS, rabbitmqPodLabels } from "./data/rabbitmq";
import { MONITORING, MONITORING_NAMESPACE } from "./platform/kube-prometheus-stack";
import type { ResolvedService } from "./service-defaults";

/**
 * Which catalog entries Prometheus scrapes, and how: an entry declares its metrics by naming a port `metrics`
 * (served at /metrics, the Prometheus exposition convention); a `postgresql` entry's instances always export theirs
 * (CloudNativePG's instance manager, port `metrics` 9187, pkg/specs/pods.go at v1.30.0), and a `rabbitmq` entry's
 * nodes theirs (the rabbitmq_prometheus plugin the operator enables, port `prometheus` 15692; its NetworkPolicy is
 * rabbitmq-manifests.ts', which admits Prometheus there). Each target gets a PodMonitor
 * and an ingress rule admitting Prometheus on that one port; Prometheus' egress names the same port.
 */

/** The port name an entry declares its metrics with. */
export const METRICS_PORT_NAME = "metrics";
/** CloudNativePG's exporter on every instance. */
export const CNPG_METRICS_PORT = 9187;

export interface MetricsTarget {
    service: string;
    namespace: string;
    /** Labels of the pods to scrape, as their workload (or the operator) sets them. */
    podLabels: Record<string, string>;
    portName: string;
    port: number;
    path: string;
}

/** The entry's metrics endpoint, or nothing when it declares none. */
export function metricsTarget(service: ResolvedService): MetricsTarget | undefined {
    const base = { service: service.name, namespace: service.namespace, podLabels: podSelectorLabels(service), portName: METRICS_PORT_NAME, path: "/metrics" };
    if (service.postgresql) {
        return { ...base, port: CNPG_METRICS_PORT };
    }
    if (service.rabbitmq) {
        return { ...base, podLabels: rabbitmqPodLabels(service.name), portName: "prometheus", port: RABBITMQ_PORTS.prometheus };
    }
    const port = service.ports.find((candidate) => candidate.name === METRICS_PORT_NAME && candidate.protocol === "TCP");
    return port ? { ...base, port: port.port } : undefined;
}

/** Every scrape target of a catalog. */
export function metricsTargets(services: readonly ResolvedService[]): MetricsTarget[] {
    return services.flatMap((service) => metricsTarget(service) ?? []);
}

/** The Prometheus pods, as a NetworkPolicy peer. */
export const PROMETHEUS_PEER = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": MONITORING_NAMESPACE } },
    podSelector: { matchLabels: { ...MONITORING.prometheusPodLabels } },
};

/** The ingress rule of a target's own NetworkPolicy: Prometheus, on the metrics port only. */
export function prometheusIngressRule(target: MetricsTarget): { from: (typeof PROMETHEUS_PEER)[]; ports: { protocol: "TCP"; port: number }[] } {
    return { from: [PROMETHEUS_PEER], ports: [{ protocol: "TCP", port: target.port }] };
}

/** The PodMonitor (monitoring.coreos.com/v1) that makes Prometheus scrape a target, in the target's namespace. */
export function podMonitorManifest(target: MetricsTarget): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> } {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: target.service, namespace: target.namespace },
        spec: {
            selector: { matchLabels: target.podLabels },
            podMetricsEndpoints: [{ port: target.portName, path: target.path, interval: "30s" }],
        },
    };
}
