/**
 * What each platform alert (components/kubernetes/platform/observability-alerts.ts) does on series that look like
 * the exporters' own, evaluated by Prometheus itself: `promtool test rules` (Debian's prometheus package, which
 * scripts/test-all.sh installs; "Unit Testing for Rules", prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules).
 * Every expectation is written out here: which series fire, after how long (`for`), with which labels and summary,
 * and which series stay quiet. promtool's clock starts at the Unix epoch, so a timestamp of -200000 is a backup
 * about 55 hours old at the start.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ALERTS, alertRuleManifest } from "../components/kubernetes/platform/observability-alerts";

interface Series {
    series: string;
    values: string;
}
interface Expected {
    labels: Record<string, string>;
    summary: string;
}
interface Case {
    name: string;
    series: Series[];
    alert: string;
    /** Evaluation times (minutes) with the alerts expected then. */
    at: [minutes: number, alerts: Expected[]][];
}

/** Runs `promtool test rules` on the given rule groups and cases; exit code and output. */
function promtoolTest(groups: unknown, cases: readonly Case[]): { status: number | null; output: string } {
    const dir = mkdtempSync(join(tmpdir(), "svom-alerts-"));
    writeFileSync(join(dir, "rules.yaml"), stringify({ groups }));
    const tests = cases.map((testCase) => ({
        name: testCase.name,
        interval: "1m",
        input_series: testCase.series,
        alert_rule_test: testCase.at.map(([minutes, alerts]) => ({
            eval_time: `${minutes}m`,
            alertname: testCase.alert,
            exp_alerts: alerts.map((alert) => ({ exp_labels: alert.labels, exp_annotations: { summary: alert.summary } })),
        })),
    }));
    writeFileSync(join(dir, "tests.yaml"), stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }));
    const result = spawnSync("promtool", ["test", "rules", "tests.yaml"], { cwd: dir, encoding: "utf8" });
    if (result.error) {
        throw new Error(`promtool is not installed (apt-get install prometheus; scripts/test-all.sh does): ${result.error.message}`);
    }
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const groups = () => (alertRuleManifest("monitoring") as { spec: { groups: unknown } }).spec.groups;
const s = (series: string, values: string): Series => ({ series, values });

const CASES: Case[] = [
    {
        name: "a node not Ready for 5 minutes",
        alert: "NodeNotReady",
        series: [s('kube_node_status_condition{condition="Ready",status="true",node="worker-1"}', "0x20"), s('kube_node_status_condition{condition="Ready",status="true",node="worker-2"}', "1x20")],
        at: [
            [4, []],
            [5, [{ labels: { severity: "critical", condition: "Ready", status: "true", node: "worker-1" }, summary: "Node worker-1 has not been Ready for 5 minutes" }]],
        ],
    },
    {
        name: "an etcd member without a leader for a minute",
        alert: "EtcdNoLeader",
        series: [s('etcd_server_has_leader{job="kube-etcd",instance="10.0.0.11:2379"}', "0x10"), s('etcd_server_has_leader{job="kube-etcd",instance="10.0.0.12:2379"}', "1x10")],
        at: [
            [0, []],
            [1, [{ labels: { severity: "critical", job: "kube-etcd", instance: "10.0.0.11:2379" }, summary: "etcd member 10.0.0.11:2379 has no leader" }]],
        ],
    },
    {
        name: "an etcd member down for 3 minutes, and another job down is not etcd",
        alert: "EtcdMemberDown",
        series: [s('up{job="kube-etcd",instance="10.0.0.12:2379"}', "0x10"), s('up{job="kube-etcd",instance="10.0.0.13:2379"}', "1x10"), s('up{job="apiserver",instance="10.0.0.11:6443"}', "0x10")],
        at: [
            [2, []],
            [3, [{ labels: { severity: "critical", job: "kube-etcd", instance: "10.0.0.12:2379" }, summary: "etcd member 10.0.0.12:2379 is down" }]],
        ],
    },
    {
        // Every client certificate seen expires within a day: the 1st percentile falls in the first bucket.
        name: "client certificates of the API server expiring within 30 days, for an hour",
        alert: "APIServerCertificateExpiring",
        series: [
            s('apiserver_client_certificate_expiration_seconds_count{job="apiserver",instance="10.0.0.11:6443"}', "0+10x70"),
            s('apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",instance="10.0.0.11:6443",le="86400"}', "0+10x70"),
            s('apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",instance="10.0.0.11:6443",le="2592000"}', "0+10x70"),
            s('apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",instance="10.0.0.11:6443",le="31104000"}', "0+10x70"),
            s('apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",instance="10.0.0.11:6443",le="+Inf"}', "0+10x70"),
        ],
        // rate() needs two samples: true from minute 1, firing an hour later.
        at: [
            [60, []],
            [61, [{ labels: { severity: "warning", job: "apiserver", instance: "10.0.0.11:6443" }, summary: "A client certificate used against the API server expires within 30 days: run kubeadm certs renew" }]],
        ],
    },
    {
        // Every client certificate seen expires in 30 days to a year: the 1st percentile is past 30 days.
        name: "client certificates of the API server valid for months",
        alert: "APIServerCertificateExpiring",
        series: [
            s('apiserver_client_certificate_expiration_seconds_count{job="apiserver",instance="10.0.0.11:6443"}', "0+10x70"),
            s('apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",instance="10.0.0.11:6443",le="86400"}', "0x70"),
            s('apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",instance="10.0.0.11:6443",le="2592000"}', "0x70"),
            s('apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",instance="10.0.0.11:6443",le="31104000"}', "0+10x70"),
            s('apiserver_client_certificate_expiration_seconds_bucket{job="apiserver",instance="10.0.0.11:6443",le="+Inf"}', "0+10x70"),
        ],
        at: [[61, []]],
    },
    {
        name: "kubelet certificates expiring within 30 days, client or server, for an hour",
        alert: "KubeletCertificateExpiring",
        series: [
            // One day left on worker-1's client certificate, on worker-2's serving one; a year on both of worker-3's.
            s('kubelet_certificate_manager_client_ttl_seconds{node="worker-1"}', "86400x70"),
            s('kubelet_certificate_manager_server_ttl_seconds{node="worker-1"}', "31536000x70"),
            s('kubelet_certificate_manager_client_ttl_seconds{node="worker-2"}', "31536000x70"),
            s('kubelet_certificate_manager_server_ttl_seconds{node="worker-2"}', "86400x70"),
            s('kubelet_certificate_manager_client_ttl_seconds{node="worker-3"}', "31536000x70"),
            s('kubelet_certificate_manager_server_ttl_seconds{node="worker-3"}', "31536000x70"),
        ],
        at: [
            [59, []],
            [
                60,
                [
                    { labels: { severity: "warning", node: "worker-1" }, summary: "A kubelet certificate on worker-1 expires within 30 days" },
                    { labels: { severity: "warning", node: "worker-2" }, summary: "A kubelet certificate on worker-2 expires within 30 days" },
                ],
            ],
        ],
    },
    {
        name: "the last etcd snapshot 55 hours old",
        alert: "EtcdSnapshotTooOld",
        series: [s('fsgs_etcd_snapshot_last_success_timestamp_seconds{instance="cp-1"}', "-200000x20"), s('fsgs_etcd_snapshot_last_success_timestamp_seconds{instance="cp-2"}', "-300000x20")],
        at: [
            [9, []],
            [10, [{ labels: { severity: "critical" }, summary: "No etcd snapshot has reached the object store for 26 hours" }]],
        ],
    },
    {
        // The newest snapshot counts: 14 hours old on cp-2, however old cp-1's.
        name: "a recent etcd snapshot on one control plane",
        alert: "EtcdSnapshotTooOld",
        series: [s('fsgs_etcd_snapshot_last_success_timestamp_seconds{instance="cp-1"}', "-200000x20"), s('fsgs_etcd_snapshot_last_success_timestamp_seconds{instance="cp-2"}', "-50000x20")],
        at: [[15, []]],
    },
    {
        name: "no etcd snapshot ever",
        alert: "EtcdSnapshotTooOld",
        series: [s('up{job="node-exporter",instance="cp-1"}', "1x20")],
        at: [
            [9, []],
            [10, [{ labels: { severity: "critical" }, summary: "No etcd snapshot has reached the object store for 26 hours" }]],
        ],
    },
    {
        name: "a database whose last base backup is 55 hours old, and one 14 hours old",
        alert: "DatabaseBackupTooOld",
        series: [
            s('cnpg_collector_last_available_backup_timestamp{namespace="fsgs-archive",pod="catalog-db-1",instance="10.244.1.5:9187"}', "-200000x20"),
            s('cnpg_collector_last_available_backup_timestamp{namespace="fsgs-archive",pod="orders-db-1",instance="10.244.1.6:9187"}', "-50000x20"),
        ],
        at: [
            [9, []],
            [10, [{ labels: { severity: "critical", namespace: "fsgs-archive", pod: "catalog-db-1" }, summary: "The last base backup of fsgs-archive/catalog-db-1 is older than 26 hours" }]],
        ],
    },
    {
        name: "WAL archiving failing since after the last success",
        alert: "DatabaseWALArchivingFailing",
        series: [
            s('cnpg_pg_stat_archiver_last_failed_time{namespace="fsgs-archive",pod="catalog-db-1"}', "200x10"),
            s('cnpg_pg_stat_archiver_last_archived_time{namespace="fsgs-archive",pod="catalog-db-1"}', "100x10"),
            s('cnpg_pg_stat_archiver_last_failed_time{namespace="fsgs-archive",pod="catalog-db-2"}', "100x10"),
            s('cnpg_pg_stat_archiver_last_archived_time{namespace="fsgs-archive",pod="catalog-db-2"}', "200x10"),
        ],
        at: [
            [4, []],
            [5, [{ labels: { severity: "critical", namespace: "fsgs-archive", pod: "catalog-db-1" }, summary: "catalog-db-1 fails to archive WAL: point-in-time recovery is falling behind" }]],
        ],
    },
    {
        name: "a volume over 85 % full for 15 minutes, and one at 85 % exactly",
        alert: "VolumeAlmostFull",
        series: [
            s('kubelet_volume_stats_used_bytes{namespace="fsgs-archive",persistentvolumeclaim="data-store-0"}', "90x20"),
            s('kubelet_volume_stats_capacity_bytes{namespace="fsgs-archive",persistentvolumeclaim="data-store-0"}', "100x20"),
            s('kubelet_volume_stats_used_bytes{namespace="fsgs-archive",persistentvolumeclaim="data-store-1"}', "85x20"),
            s('kubelet_volume_stats_capacity_bytes{namespace="fsgs-archive",persistentvolumeclaim="data-store-1"}', "100x20"),
        ],
        at: [
            [14, []],
            [15, [{ labels: { severity: "warning", namespace: "fsgs-archive", persistentvolumeclaim: "data-store-0" }, summary: "Volume fsgs-archive/data-store-0 is over 85 % full" }]],
        ],
    },
    {
        name: "a container crash-looping for 15 minutes, and one only being created",
        alert: "PodCrashLooping",
        series: [
            s('kube_pod_container_status_waiting_reason{namespace="fsgs-web",pod="portal-7d9f",container="portal",reason="CrashLoopBackOff"}', "1x20"),
            s('kube_pod_container_status_waiting_reason{namespace="fsgs-web",pod="portal-8a1b",container="portal",reason="ContainerCreating"}', "1x20"),
        ],
        at: [
            [14, []],
            [15, [{ labels: { severity: "warning", namespace: "fsgs-web", pod: "portal-7d9f", container: "portal" }, summary: "fsgs-web/portal-7d9f (portal) is crash-looping" }]],
        ],
    },
    {
        name: "the cloud-controller-manager unavailable on a control plane for 10 minutes",
        alert: "CloudControllerManagerFailing",
        series: [
            s('kube_daemonset_status_number_unavailable{namespace="kube-system",daemonset="openstack-cloud-controller-manager"}', "1x20"),
            s('kube_daemonset_status_number_unavailable{namespace="kube-system",daemonset="kube-proxy"}', "1x20"),
        ],
        at: [
            [9, []],
            [10, [{ labels: { severity: "critical", namespace: "kube-system", daemonset: "openstack-cloud-controller-manager" }, summary: "The OpenStack cloud-controller-manager is not running on every control plane" }]],
        ],
    },
    {
        name: "a CNI agent down: a failed scrape, or a calico-node pod unavailable",
        alert: "CNIAgentDown",
        series: [
            s('up{job="cni-agent-metrics",instance="10.0.0.21:9091"}', "0x20"),
            s('up{job="cni-agent-metrics",instance="10.0.0.22:9091"}', "1x20"),
            s('kube_daemonset_status_number_unavailable{namespace="calico-system",daemonset="calico-node"}', "1x20"),
            s('kube_daemonset_status_number_unavailable{namespace="kube-system",daemonset="cilium"}', "0x20"),
        ],
        at: [
            [9, []],
            [
                10,
                [
                    { labels: { severity: "critical", job: "cni-agent-metrics", instance: "10.0.0.21:9091" }, summary: "The CNI agent (Calico Felix or cilium-agent) is down or unreachable on a node: pods there lose network policy and routing updates" },
                    { labels: { severity: "critical", namespace: "calico-system", daemonset: "calico-node" }, summary: "The CNI agent (Calico Felix or cilium-agent) is down or unreachable on a node: pods there lose network policy and routing updates" },
                ],
            ],
        ],
    },
    {
        name: "the Cinder CSI controller with no replica available",
        alert: "CinderCSIFailing",
        series: [
            s('kube_deployment_status_replicas_available{namespace="kube-system",deployment="openstack-cinder-csi-controllerplugin"}', "0x20"),
            s('kube_daemonset_status_number_unavailable{namespace="kube-system",daemonset="openstack-cinder-csi-nodeplugin"}', "0x20"),
        ],
        at: [
            [9, []],
            [10, [{ labels: { severity: "critical", namespace: "kube-system", deployment: "openstack-cinder-csi-controllerplugin" }, summary: "Cinder CSI is failing: volumes can neither be created nor attached" }]],
        ],
    },
    {
        name: "a Cinder CSI node plugin unavailable",
        alert: "CinderCSIFailing",
        series: [
            s('kube_deployment_status_replicas_available{namespace="kube-system",deployment="openstack-cinder-csi-controllerplugin"}', "1x20"),
            s('kube_daemonset_status_number_unavailable{namespace="kube-system",daemonset="openstack-cinder-csi-nodeplugin"}', "1x20"),
        ],
        at: [[10, [{ labels: { severity: "critical", namespace: "kube-system", daemonset: "openstack-cinder-csi-nodeplugin" }, summary: "Cinder CSI is failing: volumes can neither be created nor attached" }]]],
    },
    {
        name: "Cinder CSI healthy",
        alert: "CinderCSIFailing",
        series: [
            s('kube_deployment_status_replicas_available{namespace="kube-system",deployment="openstack-cinder-csi-controllerplugin"}', "2x20"),
            s('kube_daemonset_status_number_unavailable{namespace="kube-system",daemonset="openstack-cinder-csi-nodeplugin"}', "0x20"),
        ],
        at: [[15, []]],
    },
];

describe("the platform alerts, evaluated by promtool", () => {
    it("fire on the series they are for, after their `for`, with these labels and summaries, and stay quiet otherwise", () => {
        const result = promtoolTest(groups(), CASES);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
    });

    it("are checked: a node alert that waits 4 minutes instead of 5, or tests the wrong value, fails the cases", () => {
        const early = ALERTS.map((rule) => (rule.alert === "NodeNotReady" ? { ...rule, for: "4m" } : rule));
        const nodeCase = CASES.filter((testCase) => testCase.alert === "NodeNotReady");
        expect(promtoolTest([{ name: "early", rules: early }], nodeCase).status).toBe(1);
        const inverted = ALERTS.map((rule) => (rule.alert === "NodeNotReady" ? { ...rule, expr: rule.expr.replace("== 0", "== 1") } : rule));
        expect(promtoolTest([{ name: "inverted", rules: inverted }], nodeCase).status).toBe(1);
    });

    it("are one PrometheusRule in the namespace given, one group", () => {
        const manifest = alertRuleManifest("monitoring") as { apiVersion: string; kind: string; metadata: unknown; spec: { groups: { name: string; rules: { alert: string }[] }[] } };
        expect([manifest.apiVersion, manifest.kind, manifest.metadata]).toEqual(["monitoring.coreos.com/v1", "PrometheusRule", { name: "fsgs-platform-alerts", namespace: "monitoring" }]);
        expect(manifest.spec.groups.map((group) => [group.name, group.rules.length])).toEqual([["fsgs-platform", 13]]);
        // Every alert has a case above.
        expect([...new Set(CASES.map((testCase) => testCase.alert))].sort()).toEqual(manifest.spec.groups[0].rules.map((rule) => rule.alert).sort());
    });
});
