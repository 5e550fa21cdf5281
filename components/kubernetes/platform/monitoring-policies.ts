import type * as k8s from "@pulumi/kubernetes";
import type { GatewayRef } from "../gateway-manifests";
import type { MetricsTarget } from "../metrics-targets";
import type { WithSpec } from "../workload-manifests";
import { ALLOY_POD_LABELS } from "./alloy";
import { HOST_SCRAPE_PORTS, MONITORING, MONITORING_NAMESPACE, NODE_AGENTS_NAMESPACE } from "./kube-prometheus-stack";
import { LOGGING_NAMESPACE, LOKI } from "./loki";

type PolicyManifest = WithSpec<k8s.types.input.networking.v1.NetworkPolicySpec>;

export interface MonitoringPolicyInput {
    gateway: GatewayRef;
    /** The node subnet: the API servers (6443, and the operator's webhook is called from there) and the host scrape targets. */
    nodeCidr: string;
    /** Pod and service ranges: Alertmanager's way out to its receiver excludes them. */
    clusterCidrs: readonly string[];
    /** The catalog's metrics endpoints (metrics-targets.ts): Prometheus may open a connection to each, on its port only. */
    scrapeTargets: readonly MetricsTarget[];
    /** The CNI agent's metrics port on every node (config/ports.ts CNI_METRICS_PORTS). */
    cniMetricsPort: number;
}

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
const LOKI_PEER = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": LOGGING_NAMESPACE } }, podSelector: { matchLabels: { ...LOKI.podLabels } } };
const inMonitoring = (matchLabels: Record<string, string>) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": MONITORING_NAMESPACE } },
    podSelector: { matchLabels },
});
// kubeadm's CoreDNS (k8s-app: kube-dns), DNS on 53 and metrics on 9153 (its Corefile's `prometheus :9153`).
const COREDNS = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };
const COREDNS_METRICS = 9153;
// The config reloader beside Prometheus and Alertmanager serves its own metrics (prometheus-operator, port "reloader-web").
const RELOADER_PORT = 8080;
const GOSSIP = [
    { protocol: "TCP", port: 9094 },
    { protocol: "UDP", port: 9094 },
];

/**
 * The NetworkPolicies of the monitoring and logging namespaces: nothing in or out but the flows the stack needs. The Gateway's
 * proxies reach Grafana; Grafana reaches Prometheus; Prometheus reaches its scrape targets (the stack's own pods,
 * CoreDNS, and the host ports of every node) and Alertmanager; every pod resolves names and calls the API server;
 * the API server calls the operator's admission webhook. Scrape targets in the services' namespaces admit Prometheus
 * in their own policies (network-policy.ts).
 */
export function monitoringPolicies(input: MonitoringPolicyInput): PolicyManifest[] {
    const policy = (name: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec): PolicyManifest => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace: MONITORING_NAMESPACE },
        spec,
    });
    const nodes = { ipBlock: { cidr: input.nodeCidr } };
    const prometheus = inMonitoring(MONITORING.prometheusPodLabels);
    const alertmanager = inMonitoring(MONITORING.alertmanagerPodLabels);
    return [
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy("dns-and-api", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                { to: [COREDNS], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
                // The API servers, reached through the kubernetes Service, whose endpoints are the control planes' 6443.
                { to: [nodes], ports: tcp(HOST_SCRAPE_PORTS.apiServer) },
            ],
        }),
        policy("grafana", {
            podSelector: { matchLabels: MONITORING.grafanaPodLabels },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": input.gateway.proxyNamespace } }, podSelector: { matchLabels: input.gateway.proxyPodLabels } }],
                    ports: tcp(MONITORING.grafanaService.targetPort),
                },
                { from: [prometheus], ports: tcp(MONITORING.grafanaService.targetPort) },
            ],
            egress: [
                { to: [prometheus], ports: tcp(MONITORING.prometheusPort) },
                // The chart's Alertmanager datasource (grafana.sidecar.datasources.alertmanager, on by default).
                { to: [alertmanager], ports: tcp(MONITORING.alertmanagerPort) },
                { to: [LOKI_PEER], ports: tcp(LOKI.port) },
            ],
        }),
        policy("prometheus", {
            podSelector: { matchLabels: MONITORING.prometheusPodLabels },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                { from: [inMonitoring(MONITORING.grafanaPodLabels)], ports: tcp(MONITORING.prometheusPort) },
                // Its own replicas and itself: the chart's self-monitor.
                { from: [prometheus], ports: tcp(MONITORING.prometheusPort, RELOADER_PORT) },
            ],
            egress: [
                { to: [prometheus], ports: tcp(MONITORING.prometheusPort, RELOADER_PORT) },
                { to: [alertmanager], ports: tcp(MONITORING.alertmanagerPort, RELOADER_PORT) },
                { to: [inMonitoring(MONITORING.grafanaPodLabels)], ports: tcp(MONITORING.grafanaService.targetPort) },
                { to: [inMonitoring(MONITORING.kubeStateMetricsPodLabels)], ports: tcp(MONITORING.kubeStateMetricsPort) },
                { to: [inMonitoring(MONITORING.operatorPodLabels)], ports: tcp(MONITORING.operatorPort) },
                { to: [COREDNS], ports: tcp(COREDNS_METRICS) },
                // node-exporter, kubelet and cAdvisor, etcd, controller-manager, scheduler and the CNI agent on the nodes' addresses.
                {
                    to: [nodes],
                    ports: tcp(
                        HOST_SCRAPE_PORTS.nodeExporter,
                        HOST_SCRAPE_PORTS.kubelet,
                        HOST_SCRAPE_PORTS.etcdMetrics,
                        HOST_SCRAPE_PORTS.controllerManager,
                        HOST_SCRAPE_PORTS.scheduler,
                        input.cniMetricsPort,
                    ),
                },
                ...input.scrapeTargets.map((target) => ({
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": target.namespace } }, podSelector: { matchLabels: target.podLabels } }],
                    ports: tcp(target.port),
                })),
            ],
        }),
        policy("alertmanager", {
            podSelector: { matchLabels: MONITORING.alertmanagerPodLabels },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                { from: [prometheus], ports: tcp(MONITORING.alertmanagerPort, RELOADER_PORT) },
                { from: [inMonitoring(MONITORING.grafanaPodLabels)], ports: tcp(MONITORING.alertmanagerPort) },
                // Replicas gossip silences and sent notifications, so that one alert is sent once (Alertmanager's
                // --cluster.listen-address, 9094 over TCP and UDP).
                { from: [alertmanager], ports: GOSSIP },
            ],
            // The receiver: an SMTP relay (25, 465, 587) or a webhook (443) outside the cluster, whose address the
            // program does not know; the nodes, pods and services stay excluded.
            egress: [
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [input.nodeCidr, ...input.clusterCidrs] } }], ports: tcp(25, 443, 465, 587) },
                { to: [alertmanager], ports: GOSSIP },
            ],
        }),
        policy("kube-state-metrics", {
            podSelector: { matchLabels: MONITORING.kubeStateMetricsPodLabels },
            policyTypes: ["Ingress"],
            ingress: [{ from: [prometheus], ports: tcp(MONITORING.kubeStateMetricsPort) }],
        }),
        policy("operator", {
            podSelector: { matchLabels: MONITORING.operatorPodLabels },
            policyTypes: ["Ingress"],
            // The API server calls the admission webhook from the control planes' addresses; Prometheus scrapes it.
            ingress: [{ from: [nodes, prometheus], ports: tcp(MONITORING.operatorPort) }],
        }),
        // The logging namespace: Loki takes pushes from Alloy on every node and queries from Grafana; it calls nothing
        // but DNS (its storage is its own volume).
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny", namespace: LOGGING_NAMESPACE },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "loki", namespace: LOGGING_NAMESPACE },
            spec: {
                podSelector: { matchLabels: { ...LOKI.podLabels } },
                policyTypes: ["Ingress", "Egress"],
                ingress: [
                    {
                        from: [
                            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NODE_AGENTS_NAMESPACE } }, podSelector: { matchLabels: { ...ALLOY_POD_LABELS } } },
                            inMonitoring(MONITORING.grafanaPodLabels),
                        ],
                        ports: tcp(LOKI.port),
                    },
                ],
                egress: [{ to: [COREDNS], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
            },
        },
    ];
}
