import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceSchema, type ServiceInput } from "../components/config/service-schema";
import { ComposeFormatError, convertStack, ImportOptionsError, type ConvertOptions, type ConversionResult } from "../scripts/swarm-import/convert";
import { interpolateString, type InterpolationNote } from "../scripts/swarm-import/interpolate";
import { ComposeParseError, parseComposeText } from "../scripts/swarm-import/parse";
import { cpuQuantity, memoryQuantity } from "../scripts/swarm-import/quantities";
import { renderReport } from "../scripts/swarm-import/report";
import { splitShellWords } from "../scripts/swarm-import/shell-words";
import { redactScript, redactWords } from "../scripts/swarm-import/command-secrets";

const FIXTURES = join(__dirname, "fixtures", "swarm");
const REGISTRY = "gitlab-registry.in2p3.fr/svom/fsgs";
const STACKS = ["messaging", "web", "monitoring", "pipeline"] as const;

function readFixture(stack: string): unknown {
    return parseComposeText(readFileSync(join(FIXTURES, `${stack}.yml`), "utf8"));
}

function importStack(stack: string, options: Partial<ConvertOptions> = {}): ConversionResult {
    return convertStack(readFixture(stack), { domain: "fsc", registry: REGISTRY, stackName: stack, ...options });
}

function importText(text: string, options: Partial<ConvertOptions> = {}): ConversionResult {
    return convertStack(parseComposeText(text), { domain: "fsc", registry: REGISTRY, ...options });
}

/** An entry, ready or draft. */
function entry(result: ConversionResult, name: string): ServiceInput {
    const all = [...result.services, ...result.drafts.map((draft) => draft.entry)];
    const found = all.find((service) => service.name === name);
    if (!found) throw new Error(`no entry ${name} among ${all.map((service) => service.name).join(", ")}`);
    return found;
}

function findingsAt(result: ConversionResult, path: string) {
    return result.report.filter((finding) => finding.path === path);
}

function onlyFindingAt(result: ConversionResult, path: string) {
    const found = findingsAt(result, path);
    expect(found).toHaveLength(1);
    return found[0];
}

describe("importing each fixture stack", () => {
    it.each(STACKS)("%s: one entry or draft per service, every one accepted by the catalog schema", (stack) => {
        const compose = readFixture(stack) as { services: Record<string, unknown> };
        const result = importStack(stack);
        expect(result.services.length + result.drafts.length).toBe(Object.keys(compose.services).length);
        for (const service of [...result.services, ...result.drafts.map((draft) => draft.entry)]) {
            expect(() => serviceSchema.parse(service)).not.toThrow();
            expect(service.domain).toBe("fsc");
            expect(Object.keys(compose.services)).toContain(result.origins[service.name]);
        }
    });

    it.each(STACKS)("%s: every finding says where, how bad and what to do", (stack) => {
        const result = importStack(stack);
        expect(result.report.length).toBeGreaterThan(0);
        for (const finding of result.report) {
            expect(["unmapped", "approximated", "info"]).toContain(finding.severity);
            expect(finding.message.length).toBeGreaterThan(10);
            if (finding.service !== undefined) expect(finding.path.startsWith(`services.${finding.service}`)).toBe(true);
        }
    });
});

describe("resources", () => {
    it("turns Docker CPU counts into millicores and Docker memory sizes into binary quantities", () => {
        expect(entry(importStack("messaging"), "rabbitmq").resources).toEqual({
            requests: { cpu: "500m", memory: "1Gi" },
            limits: { cpu: "2", memory: "2Gi" },
        });
        expect(entry(importStack("web"), "portal").resources).toEqual({
            requests: { cpu: "250m", memory: "768Mi" },
            limits: { cpu: "1500m", memory: "1536Mi" },
        });
    });

    it.each([
        ["0.5", "500m"],
        [0.25, "250m"],
        ["2", "2"],
        ["1.5", "1500m"],
        ["0.0001", "1m"],
    ])("cpus %p -> %s", (cpus, quantity) => {
        expect(cpuQuantity(cpus)?.quantity).toBe(quantity);
    });

    it.each([
        ["512M", "512Mi"],
        ["512m", "512Mi"],
        ["1.5g", "1536Mi"],
        ["2048k", "2Mi"],
        ["1gb", "1Gi"],
        [536870912, "512Mi"],
        ["1000", "1Ki"],
    ])("memory %p -> %s", (size, quantity) => {
        expect(memoryQuantity(size)?.quantity).toBe(quantity);
    });

    it("rejects what Docker would reject", () => {
        expect(cpuQuantity("500m")).toBeUndefined();
        expect(cpuQuantity("0")).toBeUndefined();
        expect(memoryQuantity("lots")).toBeUndefined();
    });

    it("says when a request was taken from the limit, and keeps a memory limit given alone", () => {
        const messaging = importStack("messaging");
        expect(entry(messaging, "alert-consumer").resources?.requests).toEqual({ cpu: "500m", memory: "512Mi" });
        expect(onlyFindingAt(messaging, "services.alert-consumer.deploy.resources").message).toContain("the CPU request is the limit");
        const monitoring = importStack("monitoring");
        // limits.memory 128M and nothing else: the memory is Swarm's, the CPU request the Microservice's default, no CPU limit.
        expect(entry(monitoring, "node-exporter").resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } });
        const finding = onlyFindingAt(monitoring, "services.node-exporter.deploy.resources");
        expect(finding.severity).toBe("approximated");
        expect(finding.message).toContain("the CPU request is the default 100m, with no CPU limit");
    });

    it("never writes a reservation above its limit, which Kubernetes refuses", () => {
        const result = importText(`
services:
  api:
    image: ${REGISTRY}/api:1.0.0
    ports: ["8080"]
    deploy:
      resources:
        limits: { cpus: "0.5", memory: 256M }
        reservations: { cpus: "1", memory: 128M }
`);
        expect(entry(result, "api").resources).toBeUndefined();
        expect(onlyFindingAt(result, "services.api.deploy.resources").message).toContain("CPU reservation exceeds the limit");
    });
});

describe("healthchecks", () => {
    it("turns a CMD healthcheck into exec readiness and liveness probes", () => {
        const result = importStack("messaging");
        const command = ["rabbitmq-diagnostics", "-q", "ping"];
        // interval 30s, timeout 10s, retries 5, start_period 40s in the fixture.
        expect(entry(result, "rabbitmq").probes).toEqual({
            readiness: { exec: { command } },
            liveness: { exec: { command } },
            timing: { periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5, initialDelaySeconds: 40 },
        });
        const timings = onlyFindingAt(result, "services.rabbitmq.healthcheck");
        expect(timings.severity).toBe("approximated");
        expect(timings.message).toContain("every 30s, 10s allowed, failing after 5 failures; liveness waits 40s");
    });

    it("runs CMD-SHELL and string tests through /bin/sh, with $$ unescaped", () => {
        expect(entry(importStack("messaging"), "alert-consumer").probes?.liveness).toEqual({
            exec: { command: ["/bin/sh", "-c", "test $(find /tmp/heartbeat -mmin -2 | wc -l) -eq 1"] },
        });
        const web = importStack("web");
        expect(entry(web, "portal").probes?.readiness).toEqual({ exec: { command: ["/bin/sh", "-c", "curl -fsS http://localhost:8000/healthz/ || exit 1"] } });
        expect(onlyFindingAt(web, "services.portal.healthcheck").message).toContain("httpGet probe ({path: /healthz/, port: 8000})");
    });

    it("reports a disabled healthcheck and a service left with neither ports nor probes", () => {
        const pipeline = importStack("pipeline");
        expect(entry(pipeline, "quicklook").probes).toBeUndefined();
        expect(onlyFindingAt(pipeline, "services.quicklook.healthcheck").message).toContain("disabled");
        const bare = findingsAt(pipeline, "services.l1_processor").filter((finding) => finding.severity === "unmapped");
        expect(bare.map((finding) => finding.message)).toEqual([
            expect.stringContaining("write exec probes"),
            expect.stringContaining("does not render in npm run plan: l1-processor: declare probes.readiness"),
        ]);
        expect(pipeline.drafts.map((draft) => draft.entry.name)).toEqual(["l1-processor"]);
    });
});

describe("configs, secrets and volumes", () => {
    it("mounts each Swarm config from a ConfigMap named after it, at its target", () => {
        const result = importStack("messaging");
        expect(entry(result, "rabbitmq").configFiles).toEqual([
            { configMap: "rabbitmq-conf", mountPath: "/etc/rabbitmq/rabbitmq.conf", key: "rabbitmq.conf" },
            { configMap: "rabbitmq-definitions", mountPath: "/etc/rabbitmq/definitions.json", key: "definitions.json" },
        ]);
        expect(onlyFindingAt(result, "services.rabbitmq.configs[0]").message).toContain(
            "kubectl -n fsgs-fsc create configmap rabbitmq-conf --from-file=rabbitmq.conf=./rabbitmq/rabbitmq.conf",
        );
        expect(onlyFindingAt(result, "services.rabbitmq.configs[1]").message).toContain("uid, gid and mode are not carried");
    });

    it("mounts a short-syntax config at /<name>, as Swarm does", () => {
        const result = importText(`
services:
  api:
    image: ${REGISTRY}/api:1.0.0
    ports: ["8080"]
    configs: [api_settings]
configs:
  api_settings:
    file: ./api.toml
`);
        expect(entry(result, "api").configFiles).toEqual([{ configMap: "api-settings", mountPath: "/api_settings", key: "api_settings" }]);
    });

    it("turns a named volume into storage of the default size, asking to check it", () => {
        const result = importStack("web");
        expect(entry(result, "postgres").storage).toEqual({ size: "10Gi", mountPath: "/var/lib/postgresql/data" });
        const finding = onlyFindingAt(result, "services.postgres.volumes[0]");
        expect(finding.severity).toBe("approximated");
        expect(finding.message).toContain("check the size");
        expect(onlyFindingAt(result, "services.nginx.volumes[0]").message).toContain("the data is no longer shared");
    });

    it("turns tmpfs and anonymous volumes into writable paths", () => {
        expect(entry(importStack("messaging"), "alert-consumer").writablePaths).toEqual(["/var/cache/fsgs"]);
        expect(entry(importStack("pipeline"), "ingest").writablePaths).toEqual(["/tmp/work"]);
    });

    it("reports bind mounts as unmapped: hostPath is forbidden under the restricted Pod Security Standard", () => {
        const result = importStack("monitoring");
        for (const path of ["services.node-exporter.volumes[0]", "services.prometheus.volumes[0]", "services.prometheus.volumes[2]"]) {
            const finding = onlyFindingAt(result, path);
            expect(finding.severity).toBe("unmapped");
            expect(finding.message).toContain("hostPath is forbidden under the restricted Pod Security Standard");
        }
        expect(onlyFindingAt(result, "services.prometheus.volumes[2]").message).toContain("the Docker socket");
        const nodeExporter = entry(result, "node-exporter");
        expect(nodeExporter.storage).toBeUndefined();
        expect(nodeExporter.writablePaths).toBeUndefined();
    });

    it("mounts a file secret as a file, says how to create it, and keeps the *_FILE variable that names it", () => {
        const result = importStack("web");
        expect(entry(result, "portal").secretFiles).toEqual([{ secret: "portal-db-password", key: "portal_db_password", mountPath: "/run/secrets/portal_db_password" }]);
        const secret = onlyFindingAt(result, "services.portal.secrets[0]");
        expect(secret.severity).toBe("approximated");
        expect(secret.message).toContain("kubectl -n fsgs-fsc create secret generic portal-db-password --from-file=portal_db_password=./secrets/portal_db_password.txt");
        expect(secret.message).toContain("DATABASE_PASSWORD_FILE");
        expect(entry(result, "portal").env?.DATABASE_PASSWORD_FILE).toBe("/run/secrets/portal_db_password");
    });
});

describe("secrets in the environment", () => {
    const literals = ["k3v-s8-dummy-secret-key-for-tests", "hunter2-not-real", "s3cr3t-from-the-shell"];

    it.each(STACKS)("%s: no secret value reaches an entry or the report", (stack) => {
        const result = importStack(stack, { variables: { PORTAL_DB_PASSWORD: literals[2], CALDB_TOKEN: literals[2] } });
        const everything = JSON.stringify(result) + renderReport(result.report, { stackFile: stack, stackName: stack, domain: "fsc", entryFiles: new Map() });
        for (const literal of literals) expect(everything).not.toContain(literal);
        for (const service of result.services) {
            // A *_FILE variable may stay: it names the path where secretFiles mounts the secret.
            for (const [name, value] of Object.entries(service.env ?? {})) {
                if (/PASSWORD|SECRET|TOKEN|KEY/i.test(name)) expect([name, service.secretFiles?.some((file) => file.mountPath === value)]).toEqual([name, true]);
            }
        }
    });

    it("refers secret-looking variables to a Secret in secretEnv and says to create it", () => {
        const result = importStack("web");
        expect(entry(result, "portal").secretEnv).toEqual({ DJANGO_SECRET_KEY: { secret: "portal-env", key: "DJANGO_SECRET_KEY" } });
        const finding = onlyFindingAt(result, "services.portal.environment.DJANGO_SECRET_KEY");
        expect(finding.value).toBe("(hidden)");
        expect(finding.message).toContain("kubectl -n fsgs-fsc create secret generic portal-env");
    });

    it("treats a URL holding a password as a secret", () => {
        const result = importStack("messaging");
        expect(entry(result, "archive-api").env).toEqual({ ARCHIVE_RETENTION_DAYS: "365" });
        expect(entry(result, "archive-api").secretEnv).toHaveProperty("ARCHIVE_DB_URL");
    });

    it("hides the default of a secret variable", () => {
        const result = importText(`
services:
  api:
    image: ${REGISTRY}/api:1.0.0
    ports: ["8080"]
    environment:
      - DB_PASSWORD=\${DB_PASSWORD:-changeme-default}
`);
        expect(JSON.stringify(result.report)).not.toContain("changeme-default");
    });
});

describe("ports, ingress and networks", () => {
    it("keeps container ports of short and long syntax, reporting that publishing is now the Service's and the ingress's", () => {
        const result = importStack("pipeline");
        expect(entry(result, "ingest").ports).toEqual([
            { name: "tcp-8081", port: 8081, protocol: "TCP" },
            { name: "tcp-9464", port: 9464, protocol: "TCP" },
        ]);
        const published = onlyFindingAt(result, "services.ingest.ports[0]");
        expect(published.severity).toBe("approximated");
        expect(published.message).toContain("port 18081");
        expect(published.message).toContain("ingress");
        expect(findingsAt(result, "services.ingest.ports[1]")).toHaveLength(0);
    });

    it("reads host IPs, UDP and small ranges in the short syntax", () => {
        const result = importText(`
services:
  relay:
    image: ${REGISTRY}/relay:1.0.0
    ports:
      - "127.0.0.1:5514:514/udp"
      - "7000-7002:7000-7002"
`);
        expect(entry(result, "relay").ports).toEqual([
            { name: "udp-514", port: 514, protocol: "UDP" },
            { name: "tcp-7000", port: 7000, protocol: "TCP" },
            { name: "tcp-7001", port: 7001, protocol: "TCP" },
            { name: "tcp-7002", port: 7002, protocol: "TCP" },
        ]);
        expect(onlyFindingAt(result, "services.relay.ports[0]").message).toContain("bound to 127.0.0.1");
    });

    it("turns a Traefik Host rule into the ingress, on the port Traefik sent traffic to", () => {
        const result = importStack("web");
        const nginx = entry(result, "nginx");
        expect(nginx.ingress).toEqual({ host: "portal.svom.example.org", path: "/", port: "tcp-8080" });
        expect(nginx.ports).toEqual([{ name: "tcp-8080", port: 8080, protocol: "TCP" }]);
        expect(nginx.allowFrom).toContain("ingress");
        expect(onlyFindingAt(result, 'services.nginx.deploy.labels["traefik.http.routers.portal.rule"]').severity).toBe("approximated");
        expect(onlyFindingAt(result, 'services.nginx.deploy.labels["traefik.http.routers.portal.middlewares"]').severity).toBe("unmapped");
    });

    it("reads Traefik v1 rules and reports the hosts beyond the first", () => {
        expect(entry(importStack("monitoring"), "grafana").ingress).toEqual({ host: "grafana.svom.example.org", path: "/", port: "tcp-3000" });
        const pipeline = importStack("pipeline");
        expect(entry(pipeline, "quicklook").ingress?.host).toBe("quicklook.svom.example.org");
        expect(onlyFindingAt(pipeline, "services.quicklook.deploy.labels[1]").message).toContain("ql.svom.example.org");
    });

    it("fills allowFrom with the services that name this one, never with a network's other members", () => {
        const result = importStack("messaging");
        // archive-api shares the network with rabbitmq but names it nowhere: it stays out.
        expect(entry(result, "rabbitmq").allowFrom).toEqual(["fsc/alert-consumer"]);
        const finding = onlyFindingAt(result, "services.rabbitmq.networks");
        expect(finding.severity).toBe("approximated");
        expect(finding.message).toContain("alert-consumer (services.alert-consumer.environment[0])");
        expect(finding.message).toContain("says nothing about who calls whom");
        expect(entry(result, "alert-consumer").allowFrom).toBeUndefined();
    });

    it("rewrites Swarm-only host names of the stack's services to their Service names", () => {
        const env = entry(importStack("messaging"), "alert-consumer").env;
        expect(env?.AMQP_HOST).toBe("rabbitmq");
        expect(env?.ALERT_ARCHIVE_URL).toBe("http://archive-api:8080/api/v1");
    });
});

describe("images", () => {
    it("names the mirror in the GitLab registry for an outside image, and says to mirror it", () => {
        const result = importStack("web");
        expect(entry(result, "postgres").image).toEqual({ repository: `${REGISTRY}/mirror/postgres`, tag: "16.4" });
        expect(entry(result, "nginx").image.repository).toBe(`${REGISTRY}/mirror/nginx-unprivileged`);
        expect(onlyFindingAt(result, "services.postgres.image").message).toContain("mirror it into the GitLab registry");
        expect(findingsAt(result, "services.portal.image")).toHaveLength(0);
    });

    it("writes `unpinned` and an unmapped finding for `latest`, an absent tag and a digest", () => {
        const grafana = importStack("monitoring");
        expect(entry(grafana, "grafana").image.tag).toBe("unpinned");
        expect(findingsAt(grafana, "services.grafana.image").some((finding) => finding.severity === "unmapped" && finding.message.includes("pin a tag"))).toBe(true);
        const pipeline = importStack("pipeline");
        expect(entry(pipeline, "l1-processor").image).toEqual({ repository: `${REGISTRY}/l1-processor`, tag: "unpinned" });
        expect(findingsAt(pipeline, "services.l1_processor.image").map((finding) => finding.severity)).toContain("unmapped");
    });

    it("keeps the full reference of an outside image when no registry is given", () => {
        const result = importStack("web", { registry: undefined });
        expect(entry(result, "postgres").image.repository).toBe("docker.io/library/postgres");
        expect(onlyFindingAt(result, "services.postgres.image").severity).toBe("approximated");
    });

    it("writes no entry that the schema rejects, and reports why", () => {
        const result = importText(`
services:
  legacy:
    image: Registry.Example.org/Team/App:1.0
    ports: ["8080"]
  fine:
    image: ${REGISTRY}/fine:1.0.0
    ports: ["8080"]
`);
        expect(result.services.map((service) => service.name)).toEqual(["fine"]);
        const rejection = findingsAt(result, "services.legacy").find((finding) => finding.message.includes("catalog schema rejects image.repository"));
        expect(rejection?.severity).toBe("unmapped");
    });
});

describe("process settings", () => {
    it("splits string commands into words as docker does, entrypoint to command and command to args", () => {
        const web = importStack("web");
        expect(entry(web, "portal").args).toEqual(["gunicorn", "fsgs_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]);
        expect(entry(web, "worker").command).toEqual(["celery"]);
        expect(splitShellWords(`sh -c 'echo "a b" && exit 1' x\\ y # comment`)).toEqual(["sh", "-c", 'echo "a b" && exit 1', "x y"]);
        expect(() => splitShellWords("echo 'unclosed")).toThrow();
    });

    it("maps a numeric user to runAsUser and reports root", () => {
        const messaging = importStack("messaging");
        expect(entry(messaging, "alert-consumer").runAsUser).toBe(10001);
        expect(onlyFindingAt(messaging, "services.alert-consumer.user").message).toContain("group 10001 is dropped");
        const monitoring = importStack("monitoring");
        expect(entry(monitoring, "grafana").runAsUser).toBeUndefined();
        expect(onlyFindingAt(monitoring, "services.grafana.user").severity).toBe("unmapped");
        expect(entry(monitoring, "prometheus").runAsUser).toBe(65534);
    });

    it("reports privileged, cap_add and host namespaces as unmapped under the restricted Pod Security Standard", () => {
        const monitoring = importStack("monitoring");
        for (const path of ["services.node-exporter.privileged", "services.node-exporter.pid"]) {
            const finding = onlyFindingAt(monitoring, path);
            expect(finding.severity).toBe("unmapped");
            expect(finding.message).toContain("forbidden under the restricted Pod Security Standard");
        }
        expect(onlyFindingAt(monitoring, "services.node-exporter.deploy.mode").severity).toBe("unmapped");
        expect(onlyFindingAt(importStack("pipeline"), "services.l1_processor.cap_add").severity).toBe("unmapped");
    });

    it("explains placement, update, rollback and grace periods instead of dropping them silently", () => {
        const messaging = importStack("messaging");
        expect(entry(messaging, "rabbitmq").nodeSelector).toEqual({ "fsgs.broker": "true" });
        expect(onlyFindingAt(messaging, "services.rabbitmq.deploy.placement.constraints[0]").message).toContain("became nodeSelector fsgs.broker: true");
        expect(onlyFindingAt(messaging, "services.alert-consumer.deploy.update_config").message).toContain("PodDisruptionBudget");
        expect(onlyFindingAt(messaging, "services.alert-consumer.deploy.rollback_config").severity).toBe("unmapped");
        expect(entry(messaging, "rabbitmq").terminationGracePeriodSeconds).toBe(60);
        expect(onlyFindingAt(messaging, "services.rabbitmq.stop_grace_period").message).toContain("became terminationGracePeriodSeconds: 60");
        expect(onlyFindingAt(messaging, "services.alert-consumer.logging").severity).toBe("unmapped");
    });

    it("reports fields it does not know, and extension fields as info", () => {
        const result = importText(`
services:
  api:
    image: ${REGISTRY}/api:1.0.0
    ports: ["8080"]
    gpus: all
    x-team: fsc
`);
        expect(onlyFindingAt(result, "services.api.gpus").severity).toBe("unmapped");
        expect(onlyFindingAt(result, "services.api.x-team").severity).toBe("info");
    });
});

describe("anchors, extension fields and interpolation", () => {
    it("follows merge keys and aliases", () => {
        const result = importStack("pipeline");
        const ingest = entry(result, "ingest");
        expect(ingest.env).toMatchObject({ FSGS_CALDB_URL: "https://caldb.svom.example.org", INGEST_POLL_SECONDS: "60" });
        expect(ingest.replicas).toBe(2);
        expect(entry(result, "l1-processor").replicas).toBe(4);
        expect(onlyFindingAt(result, "services.quicklook.logging").severity).toBe("unmapped");
        // ingest and l1-processor share the pipeline network with quicklook but name it nowhere.
        expect(entry(result, "quicklook").allowFrom).toEqual(["ingress"]);
    });

    it("substitutes given variables, falls back on defaults, and reports what is missing", () => {
        const defaults = importStack("pipeline");
        expect(entry(defaults, "ingest").env?.FSGS_ENV).toBe("integration");
        expect(entry(defaults, "ingest").image.tag).toBe("unpinned");
        expect(findingsAt(defaults, "services.ingest.image").find((finding) => finding.value === "${INGEST_TAG}")?.severity).toBe("unmapped");

        const given = importStack("pipeline", { variables: { INGEST_TAG: "1.4.0", FSGS_ENV: "prod", WORKER_REPLICAS: "3" } });
        expect(entry(given, "ingest").image).toEqual({ repository: `${REGISTRY}/l1-ingest`, tag: "1.4.0" });
        expect(entry(given, "ingest").env?.FSGS_ENV).toBe("prod");
        expect(entry(given, "ingest").replicas).toBe(3);
    });

    it.each([
        ["${A:-x}", { A: "" }, "x"],
        ["${A-x}", { A: "" }, ""],
        ["${B-x}", {}, "x"],
        ["${A:+alt}", { A: "1" }, "alt"],
        ["${B:+alt}", {}, ""],
        ["${B:-${C:-nested}}", {}, "nested"],
        ["$$A and $A", { A: "v" }, "$A and v"],
        ["cost: $5", {}, "cost: $5"],
    ])("interpolates %s", (text, variables, expected) => {
        const notes: InterpolationNote[] = [];
        expect(interpolateString(text, new Map(Object.entries(variables)), "x", notes)).toBe(expected);
    });

    it("notes a missing variable without a default, and a required one", () => {
        const notes: InterpolationNote[] = [];
        expect(interpolateString("${MISSING}/${NEEDED:?give it}", new Map(), "x", notes)).toBe("/");
        expect(notes.map((note) => [note.variable, note.severity])).toEqual([["MISSING", "unmapped"], ["NEEDED", "unmapped"]]);
        expect(notes[1].message).toContain("give it");
    });
});

describe("input errors", () => {
    it("refuses options that would make invalid entries", () => {
        expect(() => convertStack(readFixture("web"), { domain: "Science Portal" })).toThrow(ImportOptionsError);
        expect(() => convertStack(readFixture("web"), { domain: "fsc", registry: "https://registry" })).toThrow(ImportOptionsError);
    });

    it("tells a broken file and a file that is no stack", () => {
        expect(() => parseComposeText("services: [\n")).toThrow(ComposeParseError);
        expect(() => convertStack(parseComposeText("just: text\n"), { domain: "fsc" })).toThrow(ComposeFormatError);
    });
});

describe("the report", () => {
    it("has a table per service and escapes the pipes of the values", () => {
        const result = importStack("messaging");
        const markdown = renderReport(result.report, { stackFile: "messaging.yml", stackName: "messaging", domain: "fsc", entryFiles: new Map([["rabbitmq", "services/rabbitmq.yaml"]]) });
        for (const service of ["rabbitmq", "alert-consumer", "archive-api"]) expect(markdown).toContain(`\n## ${service}\n`);
        expect(markdown).toContain("Entry: `services/rabbitmq.yaml`");
        expect(markdown).toContain("**No entry written**");
        const rows = markdown.split("\n").filter((line) => line.startsWith("| `services."));
        for (const row of rows) expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(6);
    });
});

describe("a secret variable where no Secret can be referred to", () => {
    it("writes a placeholder and a finding, never the value nor its mark", () => {
        const result = importText(`
services:
  api:
    image: ${REGISTRY}/api:1.0.0
    ports: ["8080"]
    volumes:
      - "\${DATA_TOKEN:-Tok-In-Path-77}:/data"
    deploy:
      labels:
        traefik.http.routers.api.rule: "Host(\`\${SITE_TOKEN:-Tok-In-Host-88}\`)"
`);
        const text = JSON.stringify(result);
        for (const secret of ["Tok-In-Path-77", "Tok-In-Host-88", "\\u0000"]) expect([secret, text.includes(secret)]).toEqual([secret, false]);
        expect(entry(result, "api").ingress?.host).toBe("<secret SITE_TOKEN>");
        expect(findingsAt(result, "services.api").map((finding) => finding.message)).toContainEqual(expect.stringContaining("held the secret variable SITE_TOKEN"));
    });
});

describe("credentials on a command line", () => {
    const ref = (variable: string) => `$(${variable})`;

    it.each([
        [["redis-server", "--requirepass", "pw1"], ["redis-server", "--requirepass", "$(REDIS_REQUIREPASS)"]],
        [["redis-cli", "-a", "pw2", "ping"], ["redis-cli", "-a", "$(REDISCLI_AUTH)", "ping"]],
        [["mysqladmin", "ping", "-uroot", "-ppw3"], ["mysqladmin", "ping", "-uroot", "-p$(MYSQL_PWD)"]],
        [["app", "--api-key=pw4"], ["app", "--api-key=$(API_KEY)"]],
        [["curl", "-u", "me:pw5", "http://x"], ["curl", "-u", "me:$(CURL_PASSWORD)", "http://x"]],
        [["env", "SMTP_PASS=pw6", "app"], ["env", "SMTP_PASS=$(SMTP_PASS)", "app"]],
        [["app", "postgres://u:pw7@db/x"], ["app", "postgres://u:$(URL_PASSWORD)@db/x"]],
    ])("%j -> %j", (words, expected) => {
        expect(redactWords(words, ref).words).toEqual(expected);
    });

    it("leaves switches and ordinary words alone", () => {
        // --auth is a switch here: the next word is the next flag, not a password; -a and -p mean other things elsewhere.
        for (const words of [["mongod", "--auth", "--bind_ip_all"], ["tar", "-a", "-p", "x"], ["psql", "-p", "5432"], ["ls", "-pla"]]) {
            expect(redactWords(words, ref)).toEqual({ words, secrets: [] });
        }
    });

    it("replaces the literal inside a shell script, keeping its shape", () => {
        expect(redactScript("redis-cli -a pw8 ping && echo ok", (variable) => `\${${variable}}`).script).toBe("redis-cli -a ${REDISCLI_AUTH} ping && echo ok");
    });
});
