/**
 * The platform's alerts as one PrometheusRule (monitoring.coreos.com/v1): the list of issue 13. Metric names are the
 * exporters' own, each with its source; `for` keeps a blip from paging. Deployed in the monitoring namespace by
 * observability.ts; Alertmanager sends every one to the stack's receiver (alertmanager-config.ts).
 */

import { CNI_METRICS_JOB } from "./cni-metrics";

/** Seconds in 30 days: certificates expiring sooner need a renewal run (kubeadm certs renew). */
const THIRTY_DAYS = 30 * 24 * 3600;
/** A daily backup missed once, plus two hours of slack. */
const TWENTY_SIX_HOURS = 26 * 3600;

export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning" };
    annotations: { summary: string };
}

export const ALERTS: readonly AlertRule[] = [
    // kube-state-metrics: kube_node_status_condition.
    { alert: "NodeNotReady", expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0', for: "5m", labels: { severity: "critical" }, annotations: { summary: "Node {{ $labels.node }} has not been Ready for 5 minutes" } },
    // etcd's own metrics (etcd "Metrics" docs: etcd_server_has_leader), scraped by the kube-etcd job.
    { alert: "EtcdNoLeader", expr: "etcd_server_has_leader == 0", for: "1m", labels: { severity: "critical" }, annotations: { summary: "etcd member {{ $labels.instance }} has no leader" } },
    { alert: "EtcdMemberDown", expr: 'up{job="kube-etcd"} == 0', for: "3m", labels: { severity: "critical" }, annotations: { summary: "etcd member {{ $labels.instance }} is down" } },
    // kube-apiserver: apiserver_client_certificate_expiration_seconds (the kubernetes-mixin's rule), the client
    // certificates presented to it, kubeadm's included.
    {
        alert: "APIServerCertificateExpiring",
        expr: `apiserver_client_certificate_expiration_seconds_count{job="apiserver"} > 0 and on (job) histogram_quantile(0.01, sum by (job, le) (rate(apiserver_client_certificate_expiration_seconds_bucket{job="apiserver"}[5m]))) < ${THIRTY_DAYS}`,
        for: "1h",
        labels: { severity: "warning" },
        annotations: { summary: "A client certificate used against the API server expires within 30 days: run kubeadm certs renew" },
    },
    // kubelet certificate manager: kubelet_certificate_manager_{client,server}_ttl_seconds.
    {
        alert: "KubeletCertificateExpiring",
        expr: `min by (node) (kubelet_certificate_manager_client_ttl_seconds) < ${THIRTY_DAYS} or min by (node) (kubelet_certificate_manager_server_ttl_seconds) < ${THIRTY_DAYS}`,
        for: "1h",
        labels: { severity: "warning" },
        annotations: { summary: "A kubelet certificate on {{ $labels.node }} expires within 30 days" },
    },
    // A node-exporter textfile metric the etcd snapshot script writes after each successful upload
    // (playbooks/roles/etcd_backup/templates/etcd-backup.sh.j2, into NODE_TEXTFILE_DIRECTORY).
    {
        alert: "EtcdSnapshotTooOld",
        expr: `time() - max(fsgs_etcd_snapshot_last_success_timestamp_seconds) > ${TWENTY_SIX_HOURS} or absent(fsgs_etcd_snapshot_last_success_timestamp_seconds)`,
        for: "10m",
        labels: { severity: "critical" },
        annotations: { summary: "No etcd snapshot has reached the object store for 26 hours" },
    },
    // CloudNativePG's collector: cnpg_collector_last_available_backup_timestamp (docs/src/monitoring.md, v1.30.0).
    {
        alert: "DatabaseBackupTooOld",
        expr: `time() - max by (namespace, pod) (cnpg_collector_last_available_backup_timestamp) > ${TWENTY_SIX_HOURS}`,
        for: "10m",
        labels: { severity: "critical" },
        annotations: { summary: "The last base backup of {{ $labels.namespace }}/{{ $labels.pod }} is older than 26 hours" },
    },
    // pg_stat_archiver through the chart's default monitoring queries (cnpg_pg_stat_archiver_*).
    {
        alert: "DatabaseWALArchivingFailing",
        expr: "cnpg_pg_stat_archiver_last_failed_time > cnpg_pg_stat_archiver_last_archived_time",
        for: "5m",
        labels: { severity: "critical" },
        annotations: { summary: "{{ $labels.pod }} fails to archive WAL: point-in-time recovery is falling behind" },
    },
    // kubelet volume stats.
    {
        alert: "VolumeAlmostFull",
        expr: "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > 0.85",
        for: "15m",
        labels: { severity: "warning" },
        annotations: { summary: "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 85 % full" },
    },
    // kube-state-metrics: kube_pod_container_status_waiting_reason.
    {
        alert: "PodCrashLooping",
        expr: 'max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) == 1',
        for: "15m",
        labels: { severity: "warning" },
        annotations: { summary: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash-looping" },
    },
    // The OpenStack charts' workloads: the CCM DaemonSet, the Cinder CSI controller Deployment and node DaemonSet.
    {
        alert: "CloudControllerManagerFailing",
        expr: 'kube_daemonset_status_number_unavailable{daemonset="openstack-cloud-controller-manager"} > 0',
        for: "10m",
        labels: { severity: "critical" },
        annotations: { summary: "The OpenStack cloud-controller-manager is not running on every control plane" },
    },
    // The CNI agent on each node: its scrape (cni-metrics.ts, job named after the Service) failing, or kube-state-metrics
    // counting one of its DaemonSet's pods unavailable (calico-node in calico-system, cilium in kube-system). A node keeps
    // its Ready condition while the agent is down, but stops programming routes and policies for new pods.
    {
        alert: "CNIAgentDown",
        expr: `up{job="${CNI_METRICS_JOB}"} == 0 or kube_daemonset_status_number_unavailable{daemonset=~"calico-node|cilium"} > 0`,
        for: "10m",
        labels: { severity: "critical" },
        annotations: { summary: "The CNI agent (Calico Felix or cilium-agent) is down or unreachable on a node: pods there lose network policy and routing updates" },
    },
    {
        alert: "CinderCSIFailing",
        expr: 'kube_deployment_status_replicas_available{deployment="openstack-cinder-csi-controllerplugin"} < 1 or kube_daemonset_status_number_unavailable{daemonset="openstack-cinder-csi-nodeplugin"} > 0',
        for: "10m",
        labels: { severity: "critical" },
        annotations: { summary: "Cinder CSI is failing: volumes can neither be created nor attached" },
    },
];

/** The PrometheusRule object carrying every alert. */
export function alertRuleManifest(namespace: string): Record<string, unknown> {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "fsgs-platform-alerts", namespace },
        spec: { groups: [{ name: "fsgs-platform", rules: ALERTS.map((rule) => ({ ...rule })) }] },
    };
}
