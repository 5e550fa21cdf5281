import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCatalog, readCatalog } from "../components/config/catalog";
import { loadStack, parseStackConfig } from "../components/config/load";
import { cloudNativePgValues } from "../components/kubernetes/platform/cloudnative-pg";
import { CHARTS } from "../components/kubernetes/platform/versions";
import { mayReach } from "../components/kubernetes/reachability";
import { worldOf } from "../components/kubernetes/reachability-world";
import type { Render } from "../scripts/offline/render";
import { readStackFiles } from "../scripts/offline/stack-files";
import { crdErrors } from "./support/crd-schemas";
import { manifestsOf } from "./support/service-manifests";
import { ROOT, rawConfig, renderStack } from "./support/stacks";

type Inputs = { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: any; stringData?: Record<string, unknown> };

const CUSTOM = "kubernetes:postgresql.cnpg.io/v1:";
const customs = (render: Render, kind: string) =>
    render.resources.filter((resource) => resource.type === `${CUSTOM}${kind}`).map((resource) => resource.inputs as unknown as Inputs);
const clusterOf = (render: Render, name: string) => customs(render, "Cluster").find((cluster) => cluster.metadata.name === name);

const RESTORE_TIME = "2026-12-02T21:15:00Z";

let integration: Render;
let prod: Render;
let prodRestore: Render;
beforeAll(async () => {
    integration = await renderStack("integration");
    prod = await renderStack("prod");
    prodRestore = await renderStack("prod", (config) => {
        (config.data as Record<string, unknown>).restore = { database: "database", targetTime: RESTORE_TIME };
    });
}, 120_000);

describe("the database of each stack", () => {
    it("is a CloudNativePG Cluster of 3 instances in prod and 1 in integration, on the Cinder class", () => {
        expect(clusterOf(prod, "database")?.spec.instances).toBe(3);
        expect(clusterOf(integration, "database")?.spec.instances).toBe(1);
        expect(clusterOf(prod, "database")?.spec.storage).toEqual({ size: "200Gi", storageClass: "cinder" });
        // No repmgr StatefulSet any more (nor the broker's: it is the RabbitMQ operator's).
        expect(prod.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").map((r) => r.name)).toEqual([]);
    });

    it("spreads prod's instances over distinct stateful nodes (required: three stateful nodes for three instances)", () => {
        const affinity = clusterOf(prod, "database")?.spec.affinity;
        expect(affinity).toMatchObject({ enablePodAntiAffinity: true, topologyKey: "kubernetes.io/hostname", podAntiAffinityType: "required" });
        expect(affinity.nodeSelector).toEqual({ "fsgs.svom.eu/pool-role": "stateful" });
    });

    it("validates against the CRD schemas of CloudNativePG 1.30.0, and the validator refuses a broken object", () => {
        for (const render of [integration, prod, prodRestore]) {
            for (const object of [...customs(render, "Cluster"), ...customs(render, "ScheduledBackup")]) {
                expect([object.kind, object.metadata.name, crdErrors(object)]).toEqual([object.kind, object.metadata.name, []]);
            }
        }
        const broken = structuredClone(clusterOf(prod, "database")!);
        broken.spec.backup.retentionPolicy = "30 days";
        broken.spec.instance = 3;
        expect(crdErrors(broken)).toEqual(["/spec: must NOT have additional properties (instance)", '/spec/backup/retentionPolicy: must match pattern "^[1-9][0-9]*[dwm]$"']);
    });

    it("archives WAL continuously and takes a daily base backup to the site's object store in preprod and prod, with retention", async () => {
        const preprod = await renderStack("preprod");
        for (const [render, days, bucket] of [
            [prod, 30, "svom-fsgs-prod-backups"],
            [preprod, 14, "svom-fsgs-preprod-backups"],
        ] as const) {
            const cluster = clusterOf(render, "database")!;
            expect(cluster.spec.backup.retentionPolicy).toBe(`${days}d`);
            expect(cluster.spec.backup.barmanObjectStore.destinationPath).toBe(`s3://${bucket}/fsgs-${render.stack}`);
            expect(cluster.spec.backup.barmanObjectStore.endpointURL).toBe("https://s3.cc.in2p3.fr");
            expect(customs(render, "ScheduledBackup").map((b) => [b.spec.cluster.name, b.spec.schedule, b.spec.method])).toEqual([
                ["database", "0 0 2 * * *", "barmanObjectStore"],
            ]);
        }
        // integration keeps nothing: it is rebuilt from scratch.
        expect(clusterOf(integration, "database")?.spec.backup).toBeUndefined();
        expect(customs(integration, "ScheduledBackup")).toEqual([]);
    });

    it("keeps the object store's key pair a secret in the state, and protects the prod Cluster from deletion", () => {
        const secret = prod.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "database-backup-s3")!;
        // The whole stringData is a secret output: the render shows it as "[secret]", never the placeholder values.
        expect(secret.inputs.stringData).toBe("[secret]");
        expect(JSON.stringify(prod.resources.map((r) => r.inputs))).not.toContain("offline-plan-placeholder");
        expect(prod.resources.find((r) => r.name === "database-cluster")?.protect).toBe(true);
        expect(integration.resources.find((r) => r.name === "database-cluster")?.protect).toBe(false);
    });

    it("installs the pinned operator before any Cluster", () => {
        const operator = prod.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith("-cloudnative-pg"))!;
        expect(operator.inputs).toMatchObject({ chart: "cloudnative-pg", version: "0.29.0", namespace: "cnpg-system" });
        expect(prod.resources.find((r) => r.name === "database-cluster")?.dependsOn).toContain(operator.urn);
    });
});

describe("the clients of the database", () => {
    const catalog = parseCatalog(readCatalog(ROOT));
    const clients = catalog.filter((service) => service.connectsTo.some((call) => call.startsWith("data/database:")));

    it("reach it through its read-write Service, which always follows the primary", () => {
        expect(clients.map((client) => client.name).sort()).toEqual(["archive-api", "burst-advocate-tools", "core-program-web", "general-program-web", "monitoring-web"]);
        for (const client of clients) {
            expect([client.name, client.env?.DATABASE_HOST]).toEqual([client.name, "database-rw.fsgs-data.svc"]);
        }
        // Nobody names the old headless Service, which returned primary, standby and unready pods alike.
        const everyValue = catalog.flatMap((service) => Object.values(service.env ?? {}));
        expect(everyValue.filter((value) => /(^|[^-\w])database\.fsgs-data/.test(value))).toEqual([]);
    });

    it("are let through by the NetworkPolicies on 5432, and a service that does not call it is refused", () => {
        const { world, pods } = worldOf(manifestsOf("prod") as never);
        const pod = (name: string) => ({ pod: pods.find((p) => p.name === name)! });
        expect(mayReach(world, pod("archive-api-0"), pod("database-1"), 5432).allowed).toBe(true);
        expect(mayReach(world, pod("alert-broadcaster-0"), pod("database-1"), 5432).allowed).toBe(false);
        // Instances replicate among themselves; a client never reaches the status port.
        expect(mayReach(world, pod("database-2"), pod("database-1"), 5432).allowed).toBe(true);
        expect(mayReach(world, pod("archive-api-0"), pod("database-1"), 8000).allowed).toBe(false);
    });
});

describe("a point-in-time restore", () => {
    it("renders a new Cluster recovered from the archive of the running one, up to the chosen instant", () => {
        const restored = clusterOf(prodRestore, "database-restore")!;
        const original = clusterOf(prodRestore, "database")!;
        expect(restored.spec.bootstrap).toEqual({ recovery: { source: "database-archive", recoveryTarget: { targetTime: RESTORE_TIME } } });
        expect(restored.spec.externalClusters).toEqual([
            { name: "database-archive", barmanObjectStore: { ...original.spec.backup.barmanObjectStore, serverName: "database" } },
        ]);
        expect(restored.spec.instances).toBe(3);
        // The running cluster is untouched by the restore: same spec as without it.
        expect(original).toEqual(clusterOf(prod, "database"));
        expect(clusterOf(prod, "database-restore")).toBeUndefined();
    });

    it("is refused for a database the catalog does not have, or in a stack without backups", () => {
        expect(() =>
            loadStackWith("prod", (config) => {
                (config.data as Record<string, unknown>).restore = { database: "databse", targetTime: RESTORE_TIME };
            }),
        ).toThrow('svom-fsgs:data.restore.database: expected a postgresql entry of the catalog (database), got "databse"');
        expect(() =>
            loadStackWith("integration", (config) => {
                config.data = { restore: { database: "database", targetTime: RESTORE_TIME } };
            }),
        ).toThrow("svom-fsgs:data.restore: a restore reads the object store of data.backup, which this stack does not set");
        expect(() => parseStackConfig({ ...rawConfig("prod"), data: { ...(rawConfig("prod").data as object), restore: { database: "database", targetTime: "yesterday" } } })).toThrow(
            "svom-fsgs:data.restore.targetTime: expected an RFC 3339 time with a zone",
        );
    });
});

describe("the backup config", () => {
    it("is required in prod and preprod, naming the key", () => {
        const config = rawConfig("prod");
        delete config.data;
        expect(() => parseStackConfig(config)).toThrow("svom-fsgs:data.backup: prod needs backups to the site's object storage");
        const integrationConfig = rawConfig("integration");
        expect(() => parseStackConfig(integrationConfig)).not.toThrow();
    });

    it("asks for the object store's key pair wherever backups are set, and nowhere else", () => {
        const withoutKeys = (stack: "prod" | "integration") => {
            const files = readStackFiles(ROOT, stack);
            delete files.config["svom-fsgs:backupAccessKeyId"];
            return () => loadStack(files.config, readCatalog(ROOT));
        };
        expect(withoutKeys("prod")).toThrow("svom-fsgs:backupAccessKeyId: expected the S3 access key of the object store");
        expect(withoutKeys("integration")).not.toThrow();
    });

    it("refuses a retention shorter than a week", () => {
        const config = rawConfig("prod");
        (config.data as { backup: { retentionDays: number } }).backup.retentionDays = 3;
        expect(() => parseStackConfig(config)).toThrow("svom-fsgs:data.backup.retentionDays: expected a value >= 7, got 3");
    });
});

describe("a postgresql catalog entry", () => {
    const text = readFileSync(join(ROOT, "services", "database.yaml"), "utf8");
    it("names the file and the key of a setting the operator owns", () => {
        expect(() => parseCatalogWith(text + "env: { PGPORT: \"5433\" }\n")).toThrow("services/database.yaml: env: the operator decides this for a postgresql entry; remove it");
        expect(() => parseCatalogWith(text.replace("database: fsgs", "database: fsgs-catalog"))).toThrow("services/database.yaml: postgresql.database: expected a PostgreSQL identifier");
    });
});

describe("the CloudNativePG chart values", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, "tests", "fixtures", "schemas", `cloudnative-pg-${CHARTS.cloudNativePg.version}`, "values.schema.json"), "utf8"));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    // The chart's schema leaves unknown keys open, so a misspelled key would pass it: also require each key it documents.
    const unknownKeys = (values: Record<string, unknown>) => Object.keys(values).filter((key) => !(key in schema.properties));

    it("pass the chart's own values.schema.json, and use only the keys it documents", () => {
        const values = cloudNativePgValues({ replicas: 2 });
        expect(validate(values) ? [] : validate.errors).toEqual([]);
        expect(unknownKeys(values)).toEqual([]);
    });

    it("would fail on a misspelled or mistyped key", () => {
        expect(unknownKeys({ ...cloudNativePgValues({ replicas: 2 }), replicasCount: 2 })).toEqual(["replicasCount"]);
        expect(validate({ ...cloudNativePgValues({ replicas: 2 }), replicaCount: "two" })).toBe(false);
    });
});

function loadStackWith(stack: "prod" | "integration", edit: (config: Record<string, unknown>) => void) {
    const files = readStackFiles(ROOT, stack);
    const config = rawConfig(stack);
    edit(config);
    const texts = Object.fromEntries(Object.entries(config).map(([key, value]) => [`svom-fsgs:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));
    const secrets = Object.fromEntries(files.secretKeys.map((key) => [key, files.config[key]]));
    return loadStack({ ...texts, ...secrets }, readCatalog(ROOT));
}

function parseCatalogWith(databaseText: string) {
    const files = readCatalog(ROOT).map((file) => (file.path === "services/database.yaml" ? { ...file, text: databaseText } : file));
    return parseCatalog(files);
}
