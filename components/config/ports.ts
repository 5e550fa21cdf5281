import type { ApiEndpointMode, CniName } from "./schema";

/**
 * The cluster's well-known ports, one source for every layer: the security groups (openstack/rules.ts), the
 * kubeadm and haproxy configs (cluster/), the NetworkPolicies (kubernetes/) and the policy pack.
 * Kubernetes "Ports and Protocols" (kubernetes.io/docs/reference/networking/ports-and-protocols/).
 */
export const PORTS = {
    ssh: 22,
    // kube-apiserver's secure port as kubeadm configures it (localAPIEndpoint.bindPort default).
    kubeApi: 6443,
    // haproxy on the control planes in vip mode: 6443 is the local API server's (kubeadm "HA considerations").
    haproxyApi: 8443,
    etcd: { from: 2379, to: 2380 },
    kubelet: 10250,
    controllerManager: 10257,
    scheduler: 10259,
    // kubeadm's etcd metrics listener (--listen-metrics-urls, kubeadm constants.EtcdMetricsPort): /metrics and /health only.
    etcdMetrics: 2381,
    // prometheus-node-exporter's listener on each node's network (chart service.port).
    nodeExporter: 9100,
    nodePorts: { from: 30000, to: 32767 },
} as const;

/**
 * Where each CNI's node agent serves its Prometheus metrics, on the node's own addresses (both agents run on the host
 * network): the security groups open it to the control planes, Prometheus' NetworkPolicy lets it out there.
 */
export const CNI_METRICS_PORTS: Record<CniName, number> = {
    // calico-node's Felix, given the Installation's nodeMetricsPort (tigera/operator v1.40.3, Calico 3.31.3's,
    // pkg/render/node.go sets FELIX_PROMETHEUSMETRICSENABLED and FELIX_PROMETHEUSMETRICSPORT from it); 9091 is Felix's
    // own default (Calico 3.31 docs "Monitor Calico component metrics").
    calico: 9091,
    // cilium-agent with the chart's prometheus.enabled, on prometheus.port's default (docs.cilium.io 1.19 "Monitoring & Metrics").
    cilium: 9962,
};

/** Port of the API endpoint: the Octavia listener forwards 6443; in vip mode haproxy listens beside the API server. */
export function apiEndpointPort(mode: ApiEndpointMode): number {
    return mode === "octavia" ? PORTS.kubeApi : PORTS.haproxyApi;
}
