import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { environmentProfile } from "../components/config/profile";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { parseCatalog, readCatalog } from "../components/config/catalog";
import { restrictedViolations, type PodSpecLike } from "../components/kubernetes/pod-security";
import { resolveService } from "../components/kubernetes/service-defaults";
import { type WorkloadContext, standaloneContext, workloadManifests } from "../components/kubernetes/workload-manifests";
import { buildStack } from "../components/stack";
import { renderProgram } from "../scripts/offline/render";
import { readStackFiles } from "../scripts/offline/stack-files";
import { runImport } from "../scripts/import-swarm";
import { ROOT } from "./support/stacks";

/**
 * The importer on real stack files (tests/fixtures/swarm/SOURCES.md) and on one that hides a credential in every
 * place: the exit status counts what deploys, every entry written loads in the real catalog and renders through
 * the program's manifest code, drafts are out of the catalog, and no credential of the file is written anywhere.
 */

const FIXTURES = join(__dirname, "fixtures", "swarm");
const REGISTRY = "gitlab-registry.in2p3.fr/svom/fsgs";
const context: WorkloadContext = standaloneContext();

/**
 * The credentials of each fixture, written out by reading the file (not by the importer). A credential that is
 * also an ordinary word elsewhere in the file (swarmprom's password `admin` is also its user name, the voting
 * app's password `postgres` also its user and image) is looked for in the forms that would give it away.
 */
const SECRETS_EVERYWHERE = [
    "Redis-Default-7f3a", // default of ${REDIS_PASSWORD} in a command
    "Master-Auth-91bd", // --masterauth <literal> in a command
    "Cli-Probe-Pw-2c8e", // redis-cli -a in an exec healthcheck
    "Root-Pw-Literal-55aa", // *_PASSWORD variable
    "Db-Default-Pw-0c1d", // default of ${APP_DB_PASSWORD} in a *_PASSWORD variable
    "Shell-Probe-Pw-8e4f", // mysqladmin -p<pw> in a CMD-SHELL healthcheck
    "Entry-Token-6b2e", // --token=<pw> in an entrypoint
    "Entry-Db-Pw-3d7a", // --db-password <pw> in an entrypoint
    "Amqp-Url-Pw-4f9c", // URL credentials in a command
    "Smtp-Pass-8812", // *_PASS variable
    "glpat-Fake-Token-0000", // *_TOKEN variable
    "Session-Secret-77e1", // *_SECRET variable
    "Signing-Key-19af", // *_KEY variable
    "Db-Url-Pw-6a0b", // URL credentials in a variable with a plain name
    "Slack-Hook-Path-x9", // a webhook URL, its own credential
    "Api-Key-Default-2b3c", // default of ${API_KEY}
    "Curl-Probe-Pw-5e6f", // curl -u user:pw in a string healthcheck
    "Basic-Auth-Hash-ab12", // a Traefik basic-auth label
    "Redis-Url-Pw-7c8d", // URL credentials in a sh -c command
    "Pg-Env-Probe-Pw-1a2b", // PGPASSWORD=<pw> in a shell healthcheck
];
/** Given on the command line with --var: a value the file never had, which must not be written either. */
const GIVEN_ON_THE_COMMAND_LINE = "Given-On-Cli-Pw-9z";

interface Fixture {
    file: string;
    status: 0 | 3;
    ready: string[];
    drafts: string[];
    secrets: string[];
}

const FIXTURE_CASES: Fixture[] = [
    {
        file: "swarmprom.yml",
        status: 3,
        // alertmanager: unsee names http://alertmanager:9093; caddy publishes its ports. Three are global
        // (node agents), grafana, prometheus and unsee listen on ports nobody names outside Caddy's config file.
        ready: ["alertmanager", "caddy"],
        drafts: ["cadvisor", "dockerd-exporter", "grafana", "node-exporter", "prometheus", "unsee"],
        secrets: ["hooks.slack.com/services/TOKEN", "GF_SECURITY_ADMIN_PASSWORD=admin", "GF_SECURITY_ADMIN_PASSWORD: admin", "ADMIN_PASSWORD=admin", "ADMIN_PASSWORD: admin", "ADMIN_PASSWORD:-admin"],
    },
    {
        file: "voting-app.yml",
        status: 3,
        // worker has no port and no healthcheck: nothing to probe.
        ready: ["db", "redis", "result", "vote"],
        drafts: ["worker"],
        secrets: ["POSTGRES_PASSWORD: postgres", "POSTGRES_PASSWORD=postgres", 'POSTGRES_PASSWORD: "postgres"'],
    },
    {
        file: "atsea-shop.yml",
        status: 3,
        // visualizer needs the Docker socket; the others have no port and no healthcheck.
        ready: ["reverse-proxy"],
        drafts: ["appserver", "database", "payment-gateway", "visualizer"],
        // Every credential of this stack is an external Swarm secret: the file holds none.
        secrets: [],
    },
    {
        file: "celery-calculator.yml",
        status: 3,
        ready: ["flower", "producer", "rabbit"],
        drafts: ["addition", "division", "multiplication", "subtraction"],
        secrets: ["mypass"],
    },
    {
        file: "secrets-everywhere.yml",
        status: 0,
        ready: ["api", "cache", "db", "worker"],
        drafts: [],
        secrets: [...SECRETS_EVERYWHERE, GIVEN_ON_THE_COMMAND_LINE],
    },
];

interface Imported {
    status: number;
    stdout: string;
    stderr: string;
    /** File name -> text, for everything the command wrote (entries, drafts, report). */
    files: Map<string, string>;
    directory: string;
}

const imports = new Map<string, Imported>();
afterAll(() => {
    for (const imported of imports.values()) rmSync(imported.directory, { recursive: true, force: true });
});

/** Each fixture is imported once for the whole file: the tests only read what the command wrote. */
function importFixture(file: string): Imported {
    const known = imports.get(file);
    if (known) return known;
    const imported = runFixtureImport(file);
    imports.set(file, imported);
    return imported;
}

function runFixtureImport(file: string): Imported {
    const directory = mkdtempSync(join(tmpdir(), "swarm-fixture-"));
    const out = join(directory, "services");
    const stdout: string[] = [];
    const stderr: string[] = [];
    const status = runImport(
        [join(FIXTURES, file), "--domain", "imported", "--registry", REGISTRY, "--out", out, "--report", join(out, "report.md"), "--var", `REDIS_PASSWORD=${GIVEN_ON_THE_COMMAND_LINE}`],
        (line) => stdout.push(line),
        (line) => stderr.push(line),
    );
    const files = new Map(readdirSync(out).map((name) => [name, readFileSync(join(out, name), "utf8")]));
    return { status, stdout: stdout.join("\n"), stderr: stderr.join("\n"), files, directory };
}

/** Renders a catalog entry through the program's path in every environment, and validates what Kubernetes would check. */
function renderEverywhere(text: string, path: string): string[] {
    const [spec] = parseCatalog([{ path, text }], { crossReferences: false });
    const problems: string[] = [];
    for (const environment of ["integration", "preprod", "prod"] as const) {
        try {
            const manifests = workloadManifests(resolveService(spec, undefined, environmentProfile(environment)), context);
            const Model = manifests.workload.kind === "StatefulSet" ? StatefulSet : Deployment;
            new Model(JSON.parse(JSON.stringify(manifests.workload)) as never).validate();
            problems.push(...restrictedViolations((manifests.workload.spec.template as { spec: PodSpecLike }).spec));
        } catch (error) {
            problems.push(`${environment}: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
    return problems;
}

describe.each(FIXTURE_CASES)("importing $file", (fixture) => {
    let imported: Imported;
    beforeAll(() => {
        imported = importFixture(fixture.file);
    });

    it(`exits ${fixture.status}: 0 only when every service is an entry that deploys`, () => {
        expect(imported.stderr).toBe("");
        const services = Object.keys((parse(readFileSync(join(FIXTURES, fixture.file), "utf8")) as { services: object }).services);
        expect(fixture.ready.length + fixture.drafts.length).toBe(services.length);
        expect(imported.status).toBe(fixture.status);
        expect(imported.status === 0).toBe(fixture.drafts.length === 0);
        expect(imported.stdout).toContain(`${fixture.ready.length} of ${services.length} services ready to deploy`);
    });

    it("writes the ready entries where the catalog loads them, and the drafts where it does not", () => {
        const names = [...imported.files.keys()];
        expect(names.filter((name) => name.endsWith(".yaml")).sort()).toEqual(fixture.ready.map((name) => `${name}.yaml`));
        expect(names.filter((name) => name.endsWith(".yaml.draft")).sort()).toEqual(fixture.drafts.map((name) => `${name}.yaml.draft`));
        // The real loader, on the folder the command wrote.
        expect(parseCatalog(readCatalog(imported.directory), { crossReferences: false }).map((service) => service.name)).toEqual([...fixture.ready].sort());
    });

    it("every entry renders through the program's manifest code in every environment", () => {
        for (const name of fixture.ready) {
            expect([name, renderEverywhere(imported.files.get(`${name}.yaml`) ?? "", `services/${name}.yaml`)]).toEqual([name, []]);
        }
    });

    it("every draft says why it would not deploy, and either fails to render or was blocked for that reason", () => {
        for (const name of fixture.drafts) {
            const text = imported.files.get(`${name}.yaml.draft`) ?? "";
            expect(text).toContain("DRAFT: the catalog does not load this file");
            const blocked = /global service|Docker daemon/.test(text);
            let problems: string[];
            try {
                problems = renderEverywhere(text, `services/${name}.yaml`);
            } catch (error) {
                problems = [String(error)];
            }
            expect([name, blocked || problems.length > 0]).toEqual([name, true]);
        }
    });

    it("writes none of the stack's credentials, in any entry, draft, report or message", () => {
        const everything = [...imported.files.values(), imported.stdout, imported.stderr].join("\n");
        const fixtureText = readFileSync(join(FIXTURES, fixture.file), "utf8");
        for (const secret of fixture.secrets) {
            // The list is of this file: each credential is really in it (but the one given with --var).
            if (secret !== GIVEN_ON_THE_COMMAND_LINE && !secret.includes("=") && !secret.includes(": ")) expect(fixtureText).toContain(secret);
            expect([secret, everything.includes(secret)]).toEqual([secret, false]);
        }
    });
});

describe("what each kind of finding became, on the public stacks", () => {
    const entryOf = (file: string, name: string): Record<string, any> => {
        const imported = importFixture(file);
        const text = imported.files.get(`${name}.yaml`) ?? imported.files.get(`${name}.yaml.draft`);
        if (text === undefined) throw new Error(`${file}: no entry ${name}`);
        return parse(text) as Record<string, any>;
    };
    const reportOf = (file: string): string => importFixture(file).files.get("report.md") ?? "";

    it("mounts a Swarm config as a file, not a directory (swarmprom's Caddyfile)", () => {
        expect(entryOf("swarmprom.yml", "caddy").configFiles).toEqual([{ configMap: "caddy-config", mountPath: "/etc/caddy/Caddyfile", key: "Caddyfile" }]);
    });

    it("mounts a Swarm secret as the file the app reads, keeping the *_FILE variable that names it (atsea's database)", () => {
        const database = entryOf("atsea-shop.yml", "database");
        expect(database.secretFiles).toEqual([{ secret: "postgres-password", key: "postgres_password", mountPath: "/run/secrets/postgres_password" }]);
        expect(database.env?.POSTGRES_DB_PASSWORD_FILE).toBe("/run/secrets/postgres_password");
        expect(entryOf("atsea-shop.yml", "payment-gateway").secretFiles).toEqual([{ secret: "staging-token", key: "payment_token", mountPath: "/run/secrets/payment_token" }]);
    });

    it("keeps a stateful replicas: 1 at one instance, saying why (the voting app's PostgreSQL and Redis, swarmprom's Alertmanager)", () => {
        expect(entryOf("voting-app.yml", "db").singleton?.reason).toContain("its data on a volume (/var/lib/postgresql/data)");
        expect(entryOf("voting-app.yml", "redis").singleton?.reason).toContain("a redis server keeps its state to itself");
        expect(entryOf("swarmprom.yml", "alertmanager").singleton?.reason).toContain("(/alertmanager)");
        // vote is stateless: it keeps Swarm's two replicas and no singleton.
        expect(entryOf("voting-app.yml", "vote")).toMatchObject({ replicas: 2 });
        expect(entryOf("voting-app.yml", "vote").singleton).toBeUndefined();
    });

    it("reports Swarm templates, and leaves out a variable that holds one (swarmprom's NODE_ID={{.Node.ID}})", () => {
        const exporter = entryOf("swarmprom.yml", "node-exporter");
        expect(exporter.env?.NODE_ID).toBeUndefined();
        expect(reportOf("swarmprom.yml")).toMatch(/`services\.node-exporter\.environment\[0\]` \| `NODE_ID=\{\{\.Node\.ID\}\}` \| unmapped \| a Swarm template/);
    });

    it("keeps a memory limit given alone (swarmprom's Prometheus: 2048M limit, 128M reservation)", () => {
        expect(entryOf("swarmprom.yml", "prometheus").resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "2Gi" } });
    });

    it("drafts a global service, naming the DaemonSet it would need (swarmprom's node-exporter)", () => {
        const draft = importFixture("swarmprom.yml").files.get("node-exporter.yaml.draft") ?? "";
        expect(draft).toContain("a global service runs one task on every node, a DaemonSet");
    });

    it("turns node.labels constraints into a node selector and flags node.role == manager (atsea)", () => {
        expect(entryOf("atsea-shop.yml", "payment-gateway").nodeSelector).toEqual({ pcidss: "yes" });
        expect(reportOf("atsea-shop.yml")).toMatch(/`services\.visualizer\.deploy\.placement\.constraints\[0\]` \| `node\.role == manager` \| unmapped \| the control planes run no workloads/);
    });

    it("keeps stop_grace_period as terminationGracePeriodSeconds (atsea's visualizer, 1m30s)", () => {
        expect(entryOf("atsea-shop.yml", "visualizer").terminationGracePeriodSeconds).toBe(90);
    });

    it("keeps healthcheck timings (swarmprom's Caddy: every 5s, 1s timeout, 5 retries)", () => {
        expect(entryOf("swarmprom.yml", "caddy").probes?.timing).toEqual({ periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 5, initialDelaySeconds: 0 });
    });

    it("never fills allowFrom from shared networks: the voting app's worker names no one, so Redis and PostgreSQL admit no service", () => {
        // worker shares frontend with redis and backend with db, and uses both (in its code): the file does not say so.
        expect(entryOf("voting-app.yml", "redis").allowFrom).toBeUndefined();
        expect(entryOf("voting-app.yml", "db").allowFrom).toBeUndefined();
        expect(reportOf("voting-app.yml")).toContain("No service of the stack names this one in its environment or command, so allowFrom names no service");
        // flower names amqp://...@rabbit:5672 in its environment: that one is inferred.
        expect(entryOf("celery-calculator.yml", "rabbit").allowFrom).toEqual(["imported/flower"]);
        expect(entryOf("celery-calculator.yml", "rabbit").ports).toContainEqual({ name: "tcp-5672", port: 5672, protocol: "TCP" });
    });

    it("refers credentials to a Secret instead of writing them (the celery stack's RABBITMQ_DEFAULT_PASS and broker URL)", () => {
        expect(entryOf("celery-calculator.yml", "rabbit").secretEnv).toEqual({ RABBITMQ_DEFAULT_PASS: { secret: "rabbit-env", key: "RABBITMQ_DEFAULT_PASS" } });
        expect(entryOf("celery-calculator.yml", "flower").secretEnv).toEqual({ CELERY_BROKER_URL: { secret: "flower-env", key: "CELERY_BROKER_URL" } });
    });
});

describe("the secrets fixture's entries", () => {
    let imported: Imported;
    beforeAll(() => {
        imported = importFixture("secrets-everywhere.yml");
    });
    const entry = (name: string) => parse(imported.files.get(`${name}.yaml`) ?? "") as Record<string, any>;

    it("refers command lines to variables Kubernetes expands, filled from the service's Secret", () => {
        expect(entry("cache").args).toEqual(["redis-server", "--requirepass", "$(REDIS_PASSWORD)", "--masterauth", "$(REDIS_MASTERAUTH)"]);
        expect(entry("api").command).toEqual(["/app/api", "--token=$(TOKEN)", "--db-password", "$(DB_PASSWORD)"]);
        expect(entry("api").args).toEqual(["--broker", "amqp://alerts:$(URL_PASSWORD)@broker:5672/"]);
        expect(entry("worker").args).toEqual(["sh", "-c", "exec alert-worker --redis redis://:$(URL_PASSWORD)@cache:6379/0"]);
        for (const variable of ["REDIS_PASSWORD", "REDIS_MASTERAUTH", "REDISCLI_AUTH"]) expect(entry("cache").secretEnv[variable]).toEqual({ secret: "cache-env", key: variable });
    });

    it("runs probes that held a password through the shell, which reads it from the environment", () => {
        expect(entry("cache").probes.readiness).toEqual({ exec: { command: ["/bin/sh", "-c", 'redis-cli -a "${REDISCLI_AUTH}" ping'] } });
        expect(entry("db").probes.liveness).toEqual({ exec: { command: ["/bin/sh", "-c", "mysqladmin ping -h 127.0.0.1 -uroot -p${MYSQL_PWD}"] } });
        expect(entry("api").probes.readiness).toEqual({ exec: { command: ["/bin/sh", "-c", "curl -fsS -u probe:${CURL_PASSWORD} http://localhost:8080/health"] } });
        expect(entry("worker").probes.readiness).toEqual({ exec: { command: ["/bin/sh", "-c", "PGPASSWORD=${PGPASSWORD} alert-worker-check --db db"] } });
    });

    it("moves every secret-looking variable to secretEnv and keeps the plain ones", () => {
        expect(entry("api").env).toEqual({ CACHE_HOST: "cache" });
        expect(Object.keys(entry("api").secretEnv)).toEqual(expect.arrayContaining(["SMTP_PASS", "GITLAB_TOKEN", "SESSION_SECRET", "SIGNING_KEY", "DATABASE_URL", "ALERT_HOOK", "API_KEY"]));
        expect(entry("db").env).toEqual({ MARIADB_USER: "app" });
    });

    it("renders end to end through the whole program (preprod) beside the catalog's own services", async () => {
        const files = [
            ...readCatalog(ROOT),
            ...[...imported.files].filter(([name]) => name.endsWith(".yaml")).map(([name, text]) => ({ path: `services/${name}`, text })),
        ];
        const stack = readStackFiles(ROOT, "preprod");
        const render = await renderProgram({ ...stack, stack: "preprod", program: () => buildStack(files) });
        const workload = (type: string, name: string) => render.resources.find((resource) => resource.type === type && resource.name === name)?.inputs as Record<string, any> | undefined;
        const cache = workload("kubernetes:apps/v1:StatefulSet", "cache");
        // A singleton keeps one replica in preprod, where other services get two.
        expect(cache?.spec.replicas).toBe(1);
        expect(workload("kubernetes:apps/v1:Deployment", "api")?.spec.replicas).toBe(2);
        expect(workload("kubernetes:apps/v1:Deployment", "worker")?.spec.replicas).toBe(2);
        expect(cache?.spec.template.spec.containers[0].env).toContainEqual({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "cache-env", key: "REDIS_PASSWORD" } } });
        const everything = JSON.stringify(render.resources);
        for (const secret of [...SECRETS_EVERYWHERE, GIVEN_ON_THE_COMMAND_LINE]) expect([secret, everything.includes(secret)]).toEqual([secret, false]);
    });
});
