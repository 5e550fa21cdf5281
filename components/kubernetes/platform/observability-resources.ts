/**
 * The requests and limits of every observability pod, in one typed table: the charts' values read it, and so does the
 * capacity check (components/kubernetes/capacity.ts), which counts what lands on workers and, for DaemonSets, on every
 * node. `where` says which: `controlPlane` pods are left out of the worker check (Prometheus runs there, see
 * kube-prometheus-stack.ts), `daemonSet` pods run once on every node.
 */

export interface ContainerResources {
    requests: { cpu: string; memory: string };
    limits: { memory: string };
}

export interface ObservabilityPod {
    /** Requests and limits of the pod's main container. */
    resources: ContainerResources;
    /** Requests of the sidecars beside it (config reloader, Grafana's provisioning sidecars), summed; counted with the pod. */
    sidecars?: { cpu: string; memory: string };
    where: "workers" | "controlPlane" | "daemonSet";
    /** Replicas: `ha` follows observabilityDecisions().replicas, a number is fixed. */
    replicas: "ha" | number;
}

const resources = (cpu: string, memory: string, limit: string): ContainerResources => ({ requests: { cpu, memory }, limits: { memory: limit } });

/** prometheus-config-reloader, beside every Prometheus and Alertmanager pod (set through the operator's values). */
export const CONFIG_RELOADER_RESOURCES = resources("10m", "32Mi", "64Mi");
/** Each of Grafana's two provisioning sidecars (dashboards, datasources). */
export const GRAFANA_SIDECAR_RESOURCES = resources("10m", "64Mi", "128Mi");

export const OBSERVABILITY_PODS = {
    // Sized for a cluster of about ten nodes and a few hundred pods at a 30 s scrape interval (Prometheus holds about
    // two hours of samples in memory before it cuts a block).
    prometheus: { resources: resources("500m", "2Gi", "4Gi"), sidecars: CONFIG_RELOADER_RESOURCES.requests, where: "controlPlane", replicas: "ha" },
    alertmanager: { resources: resources("50m", "64Mi", "256Mi"), sidecars: CONFIG_RELOADER_RESOURCES.requests, where: "workers", replicas: "ha" },
    prometheusOperator: { resources: resources("100m", "128Mi", "512Mi"), where: "workers", replicas: 1 },
    kubeStateMetrics: { resources: resources("50m", "128Mi", "512Mi"), where: "workers", replicas: 1 },
    grafana: { resources: resources("100m", "256Mi", "512Mi"), sidecars: { cpu: "20m", memory: "128Mi" }, where: "workers", replicas: 1 },
    nodeExporter: { resources: resources("50m", "64Mi", "128Mi"), where: "daemonSet", replicas: 1 },
    // One monolithic Loki: ingestion, queries and the compactor in one process.
    loki: { resources: resources("250m", "512Mi", "2Gi"), where: "workers", replicas: 1 },
    // The log agent on every node, with the chart's config reloader beside it.
    alloy: { resources: resources("50m", "128Mi", "512Mi"), sidecars: CONFIG_RELOADER_RESOURCES.requests, where: "daemonSet", replicas: 1 },
} as const satisfies Record<string, ObservabilityPod>;

/** Requests of one pod, main container and sidecars together. */
function podRequests(pod: ObservabilityPod, quantity: (text: string) => number): { cpu: number; memory: number } {
    const sidecars = pod.sidecars ?? { cpu: "0", memory: "0" };
    return {
        cpu: quantity(pod.resources.requests.cpu) + quantity(sidecars.cpu),
        memory: quantity(pod.resources.requests.memory) + quantity(sidecars.memory),
    };
}

/** The observability pods that land on workers, with how many of each (`replicas`: observabilityDecisions().replicas). */
export function observabilityWorkerDemand(replicas: number, quantity: (text: string) => number): { what: string; pods: number; cpu: number; memory: number }[] {
    return Object.entries(OBSERVABILITY_PODS as Record<string, ObservabilityPod>)
        .filter(([, pod]) => pod.where === "workers")
        .map(([what, pod]) => ({ what, pods: pod.replicas === "ha" ? replicas : pod.replicas, ...podRequests(pod, quantity) }));
}
