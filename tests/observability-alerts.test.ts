import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { parser } from "@prometheus-io/lezer-promql";
import { ALERTS, alertRuleManifest } from "../components/kubernetes/platform/observability-alerts";

/** Syntax errors of a PromQL expression, by Prometheus' own Lezer grammar (the one its web UI uses). */
function promqlErrors(expr: string): number[] {
    const positions: number[] = [];
    parser.parse(expr).iterate({
        enter: (node) => {
            if (node.type.isError) {
                positions.push(node.from);
            }
        },
    });
    return positions;
}

describe("the platform alerts", () => {
    it("cover the list of issue 13", () => {
        expect(ALERTS.map((rule) => rule.alert)).toEqual([
            "NodeNotReady",
            "EtcdNoLeader",
            "EtcdMemberDown",
            "APIServerCertificateExpiring",
            "KubeletCertificateExpiring",
            "EtcdSnapshotTooOld",
            "DatabaseBackupTooOld",
            "DatabaseWALArchivingFailing",
            "VolumeAlmostFull",
            "PodCrashLooping",
            "CloudControllerManagerFailing",
            "CNIAgentDown",
            "CinderCSIFailing",
        ]);
    });

    it("page when a node's CNI agent stops answering its scrape, on the job the CNI metrics ServiceMonitor makes", () => {
        expect(ALERTS.find((rule) => rule.alert === "CNIAgentDown")?.expr).toBe(
            'up{job="cni-agent-metrics"} == 0 or kube_daemonset_status_number_unavailable{daemonset=~"calico-node|cilium"} > 0',
        );
    });

    it("each have an expression that parses as PromQL", () => {
        for (const rule of ALERTS) {
            expect([rule.alert, promqlErrors(rule.expr)]).toEqual([rule.alert, []]);
        }
    });

    it("the parser refuses a broken expression", () => {
        expect(promqlErrors("kubelet_volume_stats_used_bytes / > 0.85")).not.toEqual([]);
        expect(promqlErrors("sum(rate(x[5m])")).not.toEqual([]);
    });

    it("validate as a PrometheusRule, and the model refuses a rule without an expression", () => {
        const manifest = alertRuleManifest("monitoring");
        expect(() => new PrometheusRule(manifest as never).validate()).not.toThrow();
        const broken = structuredClone(manifest) as { spec: { groups: { rules: Record<string, unknown>[] }[] } };
        delete broken.spec.groups[0].rules[0].expr;
        expect(() => new PrometheusRule(broken as never).validate()).toThrow();
    });
});
