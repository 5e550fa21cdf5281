import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { alloyConfig, alloyValues } from "../components/kubernetes/platform/alloy";
import { kubePrometheusStackValues } from "../components/kubernetes/platform/kube-prometheus-stack";
import { LOKI, lokiValues } from "../components/kubernetes/platform/loki";
import { mayReach } from "../components/kubernetes/reachability";
import { worldOf } from "../components/kubernetes/reachability-world";
import type { Render } from "../scripts/offline/render";
import { chartDefaults, unknownValueKeys } from "./support/chart-values";
import { manifestsOf } from "./support/service-manifests";
import { renderStack, STACKS, type StackName } from "./support/stacks";

const LOKI_CHART = "loki-18.11.0";
const schema = JSON.parse(readFileSync(join(__dirname, "fixtures", "charts", LOKI_CHART, "values.schema.json"), "utf8")) as Record<string, unknown>;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
const schemaErrors = (values: Record<string, unknown>) => (validate(values) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath}: ${error.message ?? ""}`));
// Maps the loki chart writes into Loki's config file whole (templates/_helpers.tpl, `tpl (toYaml ...)`); the schema
// marks them `skipProperties`; Loki itself checks their keys at start.
const LOKI_OPAQUE = ["loki.commonConfig", "loki.storage", "loki.schemaConfig", "loki.compactor", "loki.limits_config", "loki.podSecurityContext", "loki.containerSecurityContext"];
const lokiUnknownKeys = (values: Record<string, unknown>) => unknownValueKeys(values, chartDefaults(LOKI_CHART), { opaque: LOKI_OPAQUE });
// alloy templates/containers/_agent.yaml: "with $values.securityContext" -> toYaml; templates/containers/_watch.yaml:
// "with .Values.configReloader.resources" -> toYaml.
const alloyUnknownKeys = (values: Record<string, unknown>) =>
    unknownValueKeys(values, chartDefaults("alloy-1.11.1"), { opaque: ["alloy.securityContext", "configReloader.resources"] });

const INPUT = { logs: { retentionDays: 30, volumeSizeGiB: 100 }, storageClass: "cinder" };

describe("Loki's values", () => {
    it("pass the chart's values.schema.json and its defaults' keys, and both checks refuse a mistake", () => {
        const values = lokiValues(INPUT);
        expect(schemaErrors(values)).toEqual([]);
        expect(lokiUnknownKeys(values)).toEqual([]);
        const broken = lokiValues(INPUT) as { singleBinary: Record<string, unknown>; loki: Record<string, unknown> };
        broken.singleBinary.replicas = "one";
        broken.loki.retention = "30d";
        expect(schemaErrors(broken as never)).toEqual(["/singleBinary/replicas: must be integer,null"]);
        expect(lokiUnknownKeys(broken as never)).toEqual(["loki.retention"]);
    });

    it("keep logs the configured days on a Cinder volume, deleted by the compactor", () => {
        const values = lokiValues(INPUT) as Record<string, any>;
        expect(values.loki.limits_config.retention_period).toBe("720h");
        expect(values.loki.compactor).toEqual({ retention_enabled: true, delete_request_store: "filesystem" });
        expect(values.singleBinary.persistence).toEqual({ enabled: true, size: "100Gi", storageClass: "cinder" });
    });
});

describe("Alloy's values", () => {
    it("set only keys the chart knows, and the check refuses a misspelled one", () => {
        expect(alloyUnknownKeys(alloyValues())).toEqual([]);
        const broken = alloyValues() as { alloy: { mounts: Record<string, unknown> } };
        broken.alloy.mounts.varlogs = true;
        expect(alloyUnknownKeys(broken as never)).toEqual(["alloy.mounts.varlogs"]);
    });

    it("run on every node, read the pods' log files and the journal, and push to Loki", () => {
        const values = alloyValues() as Record<string, any>;
        expect(values.controller.type).toBe("daemonset");
        expect(values.alloy.mounts.varlog).toBe(true);
        const config = alloyConfig(LOKI.pushUrl);
        expect(config).toContain('replacement   = "/var/log/pods/*$1/*.log"');
        expect(config).toContain('path          = "/var/log/journal"');
        expect(config).toContain(`url = "${LOKI.pushUrl}"`);
        // Every component a forward_to names is defined.
        const defined = new Set([...config.matchAll(/^([a-z.]+) "([a-z]+)" \{/gm)].map((match) => `${match[1]}.${match[2]}`));
        for (const [, target] of config.matchAll(/([a-z.]+\.[a-z]+)\.receiver/g)) {
            expect([target, defined.has(target)]).toEqual([target, true]);
        }
    });
});

describe("Grafana", () => {
    it("has Loki as a datasource beside Prometheus", () => {
        const values = kubePrometheusStackValues({
            replicas: 1,
            metrics: { retentionDays: 7, volumeSizeGiB: 20 },
            storageClass: "cinder",
            grafanaAdminSecret: "grafana-admin",
            alertmanagerConfigSecret: "alertmanager-fsgs",
            grafanaHost: "grafana.example.org",
            lokiUrl: LOKI.queryUrl,
            keepGrafanaData: false,
        }) as { grafana: { additionalDataSources: { type: string; url: string }[] } };
        expect(values.grafana.additionalDataSources.map((source) => [source.type, source.url])).toEqual([["loki", "http://loki.logging.svc:3100"]]);
    });
});

describe("the log flows", () => {
    const pods = [
        { name: "loki-0", namespace: "logging", labels: { ...LOKI.podLabels }, ports: [{ name: "http-metrics", containerPort: 3100 }] },
        { name: "alloy-0", namespace: "node-agents", labels: { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": "alloy" }, ports: [] },
        { name: "grafana-0", namespace: "monitoring", labels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "monitoring" }, ports: [] },
    ];
    const { world, pods: all } = worldOf(manifestsOf("prod") as never, pods);
    const pod = (name: string) => ({ pod: all.find((p) => p.name === name)! });

    it("let Alloy push to Loki and Grafana query it, and nobody else reach it", () => {
        expect(mayReach(world, pod("alloy-0"), pod("loki-0"), 3100).allowed).toBe(true);
        expect(mayReach(world, pod("grafana-0"), pod("loki-0"), 3100).allowed).toBe(true);
        expect(mayReach(world, pod("archive-api-0"), pod("loki-0"), 3100).allowed).toBe(false);
        expect(mayReach(world, pod("loki-0"), pod("archive-api-0"), 8000).allowed).toBe(false);
    });
});

describe.each(STACKS)("the logs of %s", (stack: StackName) => {
    let render: Render;
    beforeAll(async () => {
        render = await renderStack(stack);
    }, 120_000);

    it("deploy the pinned Loki and Alloy, with the stack's retention", () => {
        const release = (suffix: string) => render.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith(suffix))!;
        expect(release("-loki").inputs).toMatchObject({ chart: "loki", version: "18.11.0", namespace: "logging" });
        expect(release("-alloy").inputs).toMatchObject({ chart: "alloy", version: "1.11.1", namespace: "node-agents" });
        const values = release("-loki").inputs.values as { loki: { limits_config: { retention_period: string } } };
        expect(values.loki.limits_config.retention_period).toBe({ integration: "168h", preprod: "336h", prod: "720h" }[stack]);
    });
});
