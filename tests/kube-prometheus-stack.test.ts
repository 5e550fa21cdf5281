import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { AlertReceiverConfig } from "../components/config/observability-schema";
import { alertmanagerConfig, renderAlertmanagerConfig, STACK_RECEIVER } from "../components/kubernetes/platform/alertmanager-config";
import { cniMetricsManifests } from "../components/kubernetes/platform/cni-metrics";
import { kubePrometheusStackValues, type KubePrometheusStackInput } from "../components/kubernetes/platform/kube-prometheus-stack";
import { ALERTS, alertRuleManifest } from "../components/kubernetes/platform/observability-alerts";
import { GRAFANA_SIDECAR_RESOURCES, OBSERVABILITY_PODS } from "../components/kubernetes/platform/observability-resources";
import { restrictedViolations } from "../components/kubernetes/pod-security";
import type { Render } from "../scripts/offline/render";
import { chartDefaults, unknownValueKeys } from "./support/chart-values";
import { crdErrors, loadCrds } from "./support/crd-schemas";
import { renderStack, STACKS, type StackName } from "./support/stacks";

loadCrds("prometheus-operator-0.93.1", ["crd-prometheusrules.yaml", "crd-servicemonitors.yaml", "crd-podmonitors.yaml"]);

const CHART = "kube-prometheus-stack-88.5.3";
const defaults = chartDefaults(CHART);
const subcharts = {
    grafana: chartDefaults(CHART, "grafana-12.11.1.values.yaml"),
    "kube-state-metrics": chartDefaults(CHART, "kube-state-metrics-8.4.0.values.yaml"),
    "prometheus-node-exporter": chartDefaults(CHART, "prometheus-node-exporter-4.56.1.values.yaml"),
};
// Keys the chart reads but documents only in a comment of its values.yaml (the line is quoted).
const DOCUMENTED = [
    // values.yaml: "    # configSecret:" under alertmanager.alertmanagerSpec, read by templates/alertmanager/alertmanager.yaml.
    "alertmanager.alertmanagerSpec.configSecret",
    // grafana templates/_helpers.tpl: "{{- if .Values.fullnameOverride }}" (absent from its values.yaml).
    "grafana.fullnameOverride",
    // grafana values.yaml "  # storageClassName: default" and "  # annotations: {}" under persistence, read by
    // templates/pvc.yaml ("with .Values.persistence.storageClassName", "with .Values.persistence.annotations"), chart 12.11.1.
    "grafana.persistence.storageClassName",
    "grafana.persistence.annotations",
];
// Maps the templates render whole, whatever their keys (the Kubernetes API checks a securityContext's fields).
const OPAQUE = [
    // kube-prometheus-stack templates/prometheus-operator/deployment.yaml: "toYaml .Values.prometheusOperator.containerSecurityContext".
    "prometheusOperator.containerSecurityContext",
    // grafana templates/_pod.tpl: "with .Values.securityContext", "with .Values.sidecar.securityContext", the container's
    // containerSecurityContext likewise; templates/_config.tpl ranges over every section and key of grafana.ini.
    "grafana.securityContext",
    "grafana.containerSecurityContext",
    "grafana.sidecar.securityContext",
    "grafana.grafana.ini",
    // kube-state-metrics templates/deployment.yaml: "toYaml .Values.containerSecurityContext".
    "kube-state-metrics.containerSecurityContext",
];
const unknownKeys = (values: Record<string, unknown>) => unknownValueKeys(values, defaults, { subcharts, documented: DOCUMENTED, opaque: OPAQUE });

const INPUT: KubePrometheusStackInput = {
    replicas: 2,
    metrics: { retentionDays: 30, volumeSizeGiB: 100 },
    storageClass: "cinder",
    grafanaAdminSecret: "grafana-admin",
    alertmanagerConfigSecret: "alertmanager-fsgs",
    grafanaHost: "grafana.fsgs.svom.eu",
    lokiUrl: "http://loki.logging.svc:3100",
    keepGrafanaData: true,
};

/** Runs a Debian tool (prometheus-alertmanager's amtool, prometheus' promtool) on a file; exit code and output. */
function tool(command: string, args: string[], file: string, text: string): { status: number | null; output: string } {
    const dir = mkdtempSync(join(tmpdir(), "svom-obs-"));
    const path = join(dir, file);
    writeFileSync(path, text);
    const result = spawnSync(command, [...args, path], { encoding: "utf8" });
    if (result.error) {
        throw new Error(`${command} is not installed (apt-get install prometheus prometheus-alertmanager; scripts/test-all.sh does): ${result.error.message}`);
    }
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("kube-prometheus-stack values", () => {
    it("set only keys the chart and its subcharts know, and the check refuses a misspelled one", () => {
        expect(unknownKeys(kubePrometheusStackValues(INPUT))).toEqual([]);
        const broken = kubePrometheusStackValues(INPUT) as { prometheus: { prometheusSpec: Record<string, unknown> }; grafana: Record<string, unknown> };
        broken.prometheus.prometheusSpec.retentionSise = "90GB";
        broken.grafana.adminn = {};
        expect(unknownKeys(broken as never)).toEqual(["prometheus.prometheusSpec.retentionSise", "grafana.adminn"]);
    });

    it("keep metrics for the stack's days, within 90 % of a Cinder volume of the stack's size, on the control plane", () => {
        const spec = (kubePrometheusStackValues(INPUT) as { prometheus: { prometheusSpec: Record<string, any> } }).prometheus.prometheusSpec;
        expect(spec.retention).toBe("30d");
        expect(spec.retentionSize).toBe("90GB");
        expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({ storageClassName: "cinder", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } } });
        expect(spec.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "" });
    });

    it("give Grafana its admin from the Secret, no anonymous access and no sign-up", () => {
        const grafana = (kubePrometheusStackValues(INPUT) as { grafana: Record<string, any> }).grafana;
        expect(grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        expect(grafana["grafana.ini"]["auth.anonymous"]).toEqual({ enabled: false });
        expect(grafana["grafana.ini"].users.allow_sign_up).toBe(false);
        expect(JSON.stringify(kubePrometheusStackValues(INPUT))).not.toMatch(/adminPassword|password"?:/i);
    });

    it("state restricted security contexts wherever the chart takes them", () => {
        const values = kubePrometheusStackValues(INPUT) as Record<string, any>;
        const pods = [
            { securityContext: values.prometheusOperator.securityContext, containers: [{ name: "operator", securityContext: values.prometheusOperator.containerSecurityContext }] },
            { securityContext: values.grafana.securityContext, containers: [{ name: "grafana", securityContext: values.grafana.containerSecurityContext }, { name: "sidecar", securityContext: values.grafana.sidecar.securityContext }] },
            { securityContext: values["kube-state-metrics"].securityContext, containers: [{ name: "ksm", securityContext: values["kube-state-metrics"].containerSecurityContext }] },
        ];
        for (const pod of pods) {
            expect(restrictedViolations(pod)).toEqual([]);
        }
    });

    it("keep Grafana's users and dashboards on a Cinder claim, replaced by Recreate, and kept by Helm where data is protected", () => {
        const grafana = (kubePrometheusStackValues(INPUT) as { grafana: Record<string, any> }).grafana;
        expect(grafana.persistence).toEqual({
            enabled: true,
            type: "pvc",
            storageClassName: "cinder",
            accessModes: ["ReadWriteOnce"],
            size: "2Gi",
            annotations: { "helm.sh/resource-policy": "keep" },
        });
        // The chart's default RollingUpdate would start the new pod before the old one lets go of the volume.
        expect(grafana.deploymentStrategy).toEqual({ type: "Recreate" });
        const unprotected = (kubePrometheusStackValues({ ...INPUT, keepGrafanaData: false }) as { grafana: Record<string, any> }).grafana;
        expect(unprotected.persistence.annotations).toBeUndefined();
    });

    it("leave out the chart's root chown container that a persistent Grafana would otherwise get, so the pod stays restricted", () => {
        // grafana chart 12.11.1 templates/_pod.tpl: "if ( and .Values.persistence.enabled .Values.initChownData.enabled )"
        // adds init-chown-data with initChownData.securityContext, its values.yaml default unless the program sets one.
        const chart = subcharts.grafana as { initChownData: { enabled: boolean; securityContext: Record<string, unknown> } };
        const podOf = (grafana: Record<string, any>) => {
            const chown = grafana.persistence.enabled && (grafana.initChownData?.enabled ?? chart.initChownData.enabled);
            const init = chown ? [{ name: "init-chown-data", securityContext: grafana.initChownData?.securityContext ?? chart.initChownData.securityContext }] : [];
            // templates/_pod.tpl: the volume `storage` is the claim (existingClaim or the fullname) when persistence is a pvc.
            const volumes = grafana.persistence.enabled ? [{ name: "storage", persistentVolumeClaim: { claimName: "grafana" } }] : [{ name: "storage", emptyDir: {} }];
            return { securityContext: grafana.securityContext, containers: [{ name: "grafana", securityContext: grafana.containerSecurityContext }], initContainers: init, volumes };
        };
        const grafana = (kubePrometheusStackValues(INPUT) as { grafana: Record<string, any> }).grafana;
        expect(restrictedViolations(podOf(grafana))).toEqual([]);
        const withChown = { ...grafana, initChownData: undefined };
        expect(restrictedViolations(podOf(withChown))).toEqual([
            "init-chown-data: allowPrivilegeEscalation must be false",
            "init-chown-data: runAsNonRoot must be true",
            "init-chown-data: runAsUser must not be 0",
            "init-chown-data: capabilities CHOWN, DAC_OVERRIDE may not be added",
        ]);
    });

    it("take every request and limit from the one table the capacity check reads", () => {
        const values = kubePrometheusStackValues(INPUT) as Record<string, any>;
        expect(values.prometheus.prometheusSpec.resources).toEqual(OBSERVABILITY_PODS.prometheus.resources);
        expect(values.alertmanager.alertmanagerSpec.resources).toEqual(OBSERVABILITY_PODS.alertmanager.resources);
        expect(values.grafana.resources).toEqual(OBSERVABILITY_PODS.grafana.resources);
        expect(values["prometheus-node-exporter"].resources).toEqual(OBSERVABILITY_PODS.nodeExporter.resources);
        // Grafana's two sidecars, summed in the table.
        expect(OBSERVABILITY_PODS.grafana.sidecars).toEqual({ cpu: "20m", memory: "128Mi" });
        expect(GRAFANA_SIDECAR_RESOURCES.requests).toEqual({ cpu: "10m", memory: "64Mi" });
    });
});

describe("the CNI agent's scrape", () => {
    it("with Cilium, selects the cilium-agent pods in kube-system on 9962, and the ServiceMonitor stays valid", () => {
        const { service, serviceMonitor } = cniMetricsManifests("cilium");
        expect([service.metadata.namespace, service.spec.selector, service.spec.ports]).toEqual([
            "kube-system",
            { "k8s-app": "cilium" },
            [{ name: "metrics", port: 9962, targetPort: 9962, protocol: "TCP" }],
        ]);
        expect(serviceMonitor.spec.namespaceSelector).toEqual({ matchNames: ["kube-system"] });
        expect(crdErrors(serviceMonitor)).toEqual([]);
    });
});

const WEBHOOK: AlertReceiverConfig = { type: "webhook" };
const EMAIL: AlertReceiverConfig = { type: "email", to: ["ops@example.org"], from: "alerts@example.org", smarthost: "smtp.example.org:587", username: "alerts" };

describe("the Alertmanager configuration", () => {
    it("sends everything to the stack's receiver, except the always-firing Watchdog and info alerts", () => {
        const config = alertmanagerConfig(WEBHOOK, "https://hooks.example.org/abc") as { route: { receiver: string; routes: { receiver: string }[] }; receivers: Record<string, unknown>[] };
        expect(config.route.receiver).toBe(STACK_RECEIVER);
        expect(config.receivers[0]).toEqual({ name: STACK_RECEIVER, webhook_configs: [{ url: "https://hooks.example.org/abc", send_resolved: true }] });
        const email = alertmanagerConfig(EMAIL, "s3cret") as { receivers: { email_configs?: Record<string, unknown>[] }[] };
        expect(email.receivers[0].email_configs?.[0]).toMatchObject({ to: "ops@example.org", smarthost: "smtp.example.org:587", auth_password: "s3cret", require_tls: true });
    });

    it("passes amtool check-config for both receiver kinds, and amtool refuses a broken one", () => {
        for (const [receiver, credential] of [
            [WEBHOOK, "https://hooks.example.org/abc"],
            [EMAIL, "s3cret"],
        ] as const) {
            const result = tool("amtool", ["check-config"], "alertmanager.yaml", renderAlertmanagerConfig(receiver, credential));
            expect([receiver.type, result.status, result.output]).toEqual([receiver.type, 0, expect.stringContaining("SUCCESS")]);
        }
        // A route to a receiver that does not exist.
        const broken = alertmanagerConfig(WEBHOOK, "https://hooks.example.org/abc") as { route: { receiver: string } };
        broken.route.receiver = "nobody";
        expect(tool("amtool", ["check-config"], "alertmanager.yaml", stringify(broken)).status).not.toBe(0);
    });
});

describe("the platform alert rules", () => {
    it("pass promtool check rules, and promtool refuses a broken expression", () => {
        const manifest = alertRuleManifest("monitoring") as { spec: { groups: unknown[] } };
        const good = tool("promtool", ["check", "rules"], "rules.yaml", stringify({ groups: manifest.spec.groups }));
        expect([good.status, good.output]).toEqual([0, expect.stringContaining(`${ALERTS.length} rules found`)]);
        const broken = structuredClone(manifest.spec.groups) as { rules: { expr: string }[] }[];
        broken[0].rules[0].expr = "kube_node_status_condition{ == 0";
        expect(tool("promtool", ["check", "rules"], "rules.yaml", stringify({ groups: broken })).status).not.toBe(0);
    });

    it("validate against the PrometheusRule CRD of Prometheus Operator v0.93.1, which refuses an unknown field", () => {
        const manifest = alertRuleManifest("monitoring") as { apiVersion: string; kind: string; spec: { groups: Record<string, unknown>[] } };
        expect(crdErrors(manifest)).toEqual([]);
        const broken = structuredClone(manifest);
        broken.spec.groups[0].interva = "1m";
        expect(crdErrors(broken)).toEqual(["/spec/groups/0: must NOT have additional properties (interva)"]);
    });
});

describe.each(STACKS)("the observability of %s", (stack: StackName) => {
    let render: Render;
    beforeAll(async () => {
        render = await renderStack(stack);
    }, 120_000);
    const find = (type: string, name: string) => render.resources.find((resource) => resource.type === type && resource.name.endsWith(name));

    it("deploys the pinned chart, the thirteen alerts after it, and Grafana's route on the Gateway", () => {
        const release = find("kubernetes:helm.sh/v3:Release", "-kube-prometheus-stack")!;
        expect(release.inputs).toMatchObject({ chart: "kube-prometheus-stack", version: "88.5.3", namespace: "monitoring" });
        const rule = find("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "-alerts")!;
        const rules = (rule.inputs.spec as { groups: { rules: { alert: string }[] }[] }).groups.flatMap((group) => group.rules.map((r) => r.alert));
        expect(rules).toEqual(ALERTS.map((alert) => alert.alert));
        expect(rule.dependsOn).toContain(release.urn);
        const route = find("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "-grafana-route")!;
        const host = { integration: "grafana.fsgs-integration.svom.eu", preprod: "grafana.fsgs-preprod.svom.eu", prod: "grafana.fsgs.svom.eu" }[stack];
        expect((route.inputs.spec as { hostnames: string[] }).hostnames).toEqual([host]);
        const gateway = find("kubernetes:gateway.networking.k8s.io/v1:Gateway", "-gateway")!;
        expect((gateway.inputs.spec as { listeners: { name: string; hostname?: string }[] }).listeners).toContainEqual(expect.objectContaining({ name: "https-grafana", hostname: host }));
    });

    it("keeps the receiver's credential and Grafana's password secret, never in the chart values", () => {
        for (const name of ["-alertmanager-config", "-grafana-admin"]) {
            expect([name, find("kubernetes:core/v1:Secret", name)?.inputs.stringData]).toEqual([name, "[secret]"]);
        }
        const values = JSON.stringify(find("kubernetes:helm.sh/v3:Release", "-kube-prometheus-stack")!.inputs.values);
        expect(values).not.toContain("offline-plan-placeholder");
        expect(values).not.toContain("hooks.invalid");
    });

    it("scrapes every catalog entry that declares metrics through a PodMonitor valid for the operator's CRD", () => {
        const monitors = render.resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor").map((r) => r.inputs as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: any });
        // vhf-listener names a port `metrics`; the database's instances export on CloudNativePG's 9187, the broker's
        // nodes on the rabbitmq_prometheus plugin's port `prometheus` (15692).
        expect(monitors.map((m) => [m.metadata.namespace, m.metadata.name, m.spec.podMetricsEndpoints[0].port]).sort()).toEqual([
            ["fsgs-data", "database", "metrics"],
            ["fsgs-messaging", "message-broker", "prometheus"],
            ["fsgs-vhf", "vhf-listener", "metrics"],
        ]);
        expect(monitors.find((m) => m.metadata.name === "database")?.spec.selector).toEqual({ matchLabels: { "cnpg.io/cluster": "database" } });
        for (const monitor of monitors) {
            expect([monitor.metadata.name, crdErrors(monitor)]).toEqual([monitor.metadata.name, []]);
        }
        const broken = structuredClone(monitors[0]);
        broken.spec.podMetricsEndpoints[0].scheme = "gopher";
        expect(crdErrors(broken)).not.toEqual([]);
    });

    it("scrapes the CNI agent of every node through a headless Service beside calico-node and a ServiceMonitor valid for the operator's CRD", () => {
        const service = find("kubernetes:core/v1:Service", "-observability-cni-metrics")!;
        // All three stacks run Calico (Pulumi.<stack>.yaml cluster.cni): Felix on 9091 in the operator's calico-system.
        expect(service.inputs.metadata).toMatchObject({ name: "cni-agent-metrics", namespace: "calico-system" });
        expect(service.inputs.spec).toEqual({
            clusterIP: "None",
            selector: { "k8s-app": "calico-node" },
            ports: [{ name: "metrics", port: 9091, targetPort: 9091, protocol: "TCP" }],
        });
        const monitor = find("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "-observability-cni-metrics-monitor")!;
        const manifest = monitor.inputs as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: any };
        expect(crdErrors(manifest)).toEqual([]);
        expect(manifest.spec.namespaceSelector).toEqual({ matchNames: ["calico-system"] });
        // The monitor finds the Service by its labels, on the port the Service names.
        expect(manifest.spec.selector.matchLabels).toEqual((service.inputs.metadata as { labels: Record<string, string> }).labels);
        expect(manifest.spec.endpoints.map((endpoint: { port: string }) => endpoint.port)).toEqual(["metrics"]);
        expect(monitor.dependsOn).toContain(find("kubernetes:helm.sh/v3:Release", "-kube-prometheus-stack")!.urn);
        const broken = structuredClone(manifest);
        broken.spec.endpoints[0].portt = "metrics";
        expect(crdErrors(broken)).not.toEqual([]);
    });

    it("registers every resource under a URN of its own (Pulumi refuses a duplicate)", () => {
        const urns = render.resources.map((resource) => resource.urn);
        expect(urns.filter((urn, index) => urns.indexOf(urn) !== index)).toEqual([]);
    });

    it("keeps Grafana's claim past its release only where stored data is protected (prod)", () => {
        const values = find("kubernetes:helm.sh/v3:Release", "-kube-prometheus-stack")!.inputs.values as { grafana: { persistence: { annotations?: Record<string, string> } } };
        expect(values.grafana.persistence.annotations).toEqual({ integration: undefined, preprod: undefined, prod: { "helm.sh/resource-policy": "keep" } }[stack]);
    });

    it("keeps metrics for the stack's configured days", () => {
        const values = find("kubernetes:helm.sh/v3:Release", "-kube-prometheus-stack")!.inputs.values as { prometheus: { prometheusSpec: { retention: string } } };
        expect(values.prometheus.prometheusSpec.retention).toBe({ integration: "7d", preprod: "15d", prod: "30d" }[stack]);
    });

    it("puts the node agents (node-exporter, Alloy) alone in a privileged namespace, and everything else in a restricted one", () => {
        const namespaces = render.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata as { name: string; labels: Record<string, string> });
        const level = (name: string) => namespaces.find((ns) => ns.name === name)?.labels["pod-security.kubernetes.io/enforce"];
        expect([level("monitoring"), level("node-agents"), level("logging")]).toEqual(["restricted", "privileged", "restricted"]);
        expect(namespaces.filter((ns) => ns.labels["pod-security.kubernetes.io/enforce"] === "privileged").map((ns) => ns.name)).toEqual(["node-agents"]);
    });
});
