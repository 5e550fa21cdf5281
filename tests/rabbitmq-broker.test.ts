import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCatalog, readCatalog } from "../components/config/catalog";
import { brokerHost, definitionsBackupScript } from "../components/kubernetes/data/rabbitmq-manifests";
import type { Render } from "../scripts/offline/render";
import { crdErrors } from "./support/crd-schemas";
import { brokerInputOf, resolved } from "./support/service-manifests";
import { ROOT, renderStack } from "./support/stacks";

type Inputs = { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: any };

const RABBITMQ_CLUSTER = "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster";
const brokersOf = (render: Render) => render.resources.filter((r) => r.type === RABBITMQ_CLUSTER).map((r) => r.inputs as unknown as Inputs);
const find = (render: Render, type: string, name: string) => render.resources.find((r) => r.type === type && r.name === name);

const renders = new Map<string, Render>();
beforeAll(async () => {
    for (const stack of ["integration", "preprod", "prod"] as const) {
        renders.set(stack, await renderStack(stack));
    }
}, 180_000);

describe("the message broker of each stack", () => {
    it("is a RabbitmqCluster of 3 nodes in preprod and prod, 1 in integration, on the Cinder class, and no StatefulSet of ours", () => {
        expect([...renders].map(([stack, render]) => [stack, brokersOf(render).map((b) => [b.metadata.name, b.spec.replicas, b.spec.persistence])])).toEqual([
            ["integration", [["message-broker", 1, { storageClassName: "cinder", storage: "20Gi" }]]],
            ["preprod", [["message-broker", 3, { storageClassName: "cinder", storage: "20Gi" }]]],
            ["prod", [["message-broker", 3, { storageClassName: "cinder", storage: "20Gi" }]]],
        ]);
        for (const render of renders.values()) {
            expect(render.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet")).toEqual([]);
        }
    });

    it("makes quorum queues the default, spreads prod's nodes over distinct stateful workers, and protects prod's cluster", () => {
        const prod = renders.get("prod")!;
        const [broker] = brokersOf(prod);
        expect(broker.spec.rabbitmq.additionalConfig).toMatch(/^default_queue_type = quorum$/m);
        expect(broker.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
            { labelSelector: { matchLabels: { "app.kubernetes.io/name": "message-broker" } }, topologyKey: "kubernetes.io/hostname" },
        ]);
        expect(broker.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
            { key: "fsgs.svom.eu/pool-role", operator: "In", values: ["stateful"] },
        ]);
        expect(broker.spec.resources).toEqual({ requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } });
        expect(find(prod, RABBITMQ_CLUSTER, "message-broker-cluster")?.protect).toBe(true);
        expect(find(renders.get("preprod")!, RABBITMQ_CLUSTER, "message-broker-cluster")?.protect).toBe(false);
    });

    it("validates against the RabbitmqCluster CRD of the operator v2.22.3 in every stack, and the validator refuses a broken object", () => {
        for (const render of renders.values()) {
            for (const object of brokersOf(render)) {
                expect([render.stack, crdErrors(object)]).toEqual([render.stack, []]);
            }
        }
        const broken = structuredClone(brokersOf(renders.get("prod")!)[0]);
        broken.spec.replica = 3;
        broken.spec.persistence.storageClass = "cinder";
        broken.spec.service.type = "Ingress";
        expect(crdErrors(broken)).toEqual([
            "/spec: must NOT have additional properties (replica)",
            "/spec/persistence: must NOT have additional properties (storageClass)",
            "/spec/service/type: must be equal to one of the allowed values",
        ]);
    });

    it("comes after the operator, which comes after cert-manager (its webhook's certificate)", () => {
        const prod = renders.get("prod")!;
        const operator = find(prod, "kubernetes:yaml/v2:ConfigFile", "fsgs-prod-rabbitmq-operator")!;
        expect(operator.inputs.file).toBe("https://github.com/rabbitmq/cluster-operator/releases/download/v2.22.3/cluster-operator.yml");
        expect(operator.dependsOn).toContain(find(prod, "kubernetes:helm.sh/v3:Release", "fsgs-prod-cert-manager")!.urn);
        expect(find(prod, RABBITMQ_CLUSTER, "message-broker-cluster")!.dependsOn).toContain(operator.urn);
        expect(find(prod, "kubernetes:core/v1:NamespacePatch", "fsgs-prod-rabbitmq-operator-ns-labels")!.inputs.metadata).toMatchObject({
            name: "rabbitmq-system",
            labels: { "pod-security.kubernetes.io/enforce": "restricted" },
        });
    });

    it("is what every client's BROKER_URL names: the operator's client Service", () => {
        const broker = resolved("prod").find((s) => s.name === "message-broker")!;
        const clients = resolved("prod").filter((s) => s.connectsTo.some((c) => c.startsWith("messaging/message-broker")));
        expect(clients.map((c) => c.name).sort()).toEqual(["alert-broadcaster", "burst-advocate-tools", "monitoring-web", "vhf-listener"]);
        for (const client of clients) {
            expect([client.name, client.env?.BROKER_URL]).toEqual([client.name, `amqp://${brokerHost(broker)}:5672`]);
        }
    });
});

describe("the broker's per-client users in each stack", () => {
    const USER = "kubernetes:rabbitmq.com/v1beta1:User";
    const PERMISSION = "kubernetes:rabbitmq.com/v1beta1:Permission";
    const SECRET = "kubernetes:core/v1:Secret";
    const PASSWORD = "random:index/randomPassword:RandomPassword";
    const CLIENTS = [
        ["alert-broadcaster", "fsgs-alerts"],
        ["burst-advocate-tools", "fsgs-burst-advocate"],
        ["monitoring-web", "fsgs-monitoring"],
        ["vhf-listener", "fsgs-vhf"],
    ] as const;

    it("are a User, a Permission, a password and two Secrets per client, in all three stacks, the User and Permission valid against the v1.20.1 CRDs", () => {
        for (const [stack, render] of renders) {
            const users = render.resources.filter((r) => r.type === USER).map((r) => r.inputs as unknown as Inputs);
            expect([stack, users.map((u) => [u.metadata.namespace, u.metadata.name, u.spec.importCredentialsSecret.name, u.spec.tags ?? []])]).toEqual([
                stack,
                CLIENTS.map(([client]) => ["fsgs-messaging", `message-broker-${client}`, `message-broker-${client}-credentials`, client === "monitoring-web" ? ["monitoring"] : []]),
            ]);
            const permissions = render.resources.filter((r) => r.type === PERMISSION).map((r) => r.inputs as unknown as Inputs);
            expect([stack, permissions.map((p) => [p.metadata.name, p.spec.vhost, p.spec.userReference.name, p.spec.permissions])]).toEqual([
                stack,
                CLIENTS.map(([client]) => [`message-broker-${client}`, "/", `message-broker-${client}`, { configure: ".*", write: ".*", read: ".*" }]),
            ]);
            for (const object of [...users, ...permissions]) {
                expect([stack, object.metadata.name, crdErrors(object)]).toEqual([stack, object.metadata.name, []]);
            }
            expect(render.resources.filter((r) => r.type === PASSWORD).map((r) => [r.name, r.inputs])).toEqual(
                CLIENTS.map(([client]) => [`message-broker-${client}-password`, { length: 32, special: false }]),
            );
        }
    });

    it("deliver each password as a secret to the broker's namespace and to the client's own, with the user name", () => {
        for (const [stack, render] of renders) {
            for (const [client, namespace] of CLIENTS) {
                const imported = find(render, SECRET, `message-broker-${client}-credentials`)!;
                const copy = find(render, SECRET, `message-broker-${client}-client-credentials`)!;
                expect([stack, imported.inputs.metadata, copy.inputs.metadata]).toEqual([
                    stack,
                    { name: `message-broker-${client}-credentials`, namespace: "fsgs-messaging" },
                    { name: `${client}-message-broker-user`, namespace },
                ]);
                // A Secret's stringData is always a secret (the SDK wraps it); what matters is that the client's copy
                // holds what the User imports: the same digest.
                expect([stack, client, imported.inputs.stringData, copy.inputs.stringData]).toEqual([stack, client, "[secret]", "[secret]"]);
                expect(imported.secretDigests.stringData).toBe(copy.secretDigests.stringData);
                expect(copy.dependsOn).toContain(find(render, "kubernetes:core/v1:Namespace", namespace)!.urn);
            }
            // Each client its own password.
            const digests = CLIENTS.map(([client]) => find(render, SECRET, `message-broker-${client}-credentials`)!.secretDigests.stringData);
            expect(new Set(digests).size).toBe(CLIENTS.length);
            // The password is a secret output of the random provider: encrypted in the state, masked in every plan.
            for (const password of render.resources.filter((r) => r.type === PASSWORD)) {
                expect([password.name, password.additionalSecretOutputs]).toEqual([password.name, expect.arrayContaining(["result"])]);
            }
        }
    });

    it("come after the broker, its credentials and the Topology Operator, which comes after the Cluster Operator and cert-manager", () => {
        const prod = renders.get("prod")!;
        const topology = find(prod, "kubernetes:yaml/v2:ConfigGroup", "fsgs-prod-rabbitmq-topology-operator")!;
        expect(topology.dependsOn).toEqual(
            expect.arrayContaining([
                find(prod, "kubernetes:yaml/v2:ConfigFile", "fsgs-prod-rabbitmq-operator")!.urn,
                find(prod, "kubernetes:core/v1:NamespacePatch", "fsgs-prod-rabbitmq-operator-ns-labels")!.urn,
                find(prod, "kubernetes:helm.sh/v3:Release", "fsgs-prod-cert-manager")!.urn,
            ]),
        );
        const objects = topology.inputs.objs as { kind: string; metadata: { name: string } }[];
        expect(objects.filter((o) => o.kind === "Namespace")).toEqual([]);
        expect(objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name)).toEqual(["messaging-topology-operator"]);
        const user = find(prod, "kubernetes:rabbitmq.com/v1beta1:User", "message-broker-vhf-listener-user")!;
        expect(user.dependsOn).toEqual(
            expect.arrayContaining([topology.urn, find(prod, RABBITMQ_CLUSTER, "message-broker-cluster")!.urn, find(prod, SECRET, "message-broker-vhf-listener-credentials")!.urn]),
        );
        expect(find(prod, "kubernetes:rabbitmq.com/v1beta1:Permission", "message-broker-vhf-listener-permission")!.dependsOn).toContain(user.urn);
    });
});

describe("the broker's definitions", () => {
    it("are exported nightly to the stack's object store in preprod and prod, with the key pair a secret; not in integration", () => {
        for (const [stack, bucket] of [
            ["prod", "svom-fsgs-prod-backups"],
            ["preprod", "svom-fsgs-preprod-backups"],
        ] as const) {
            const render = renders.get(stack)!;
            const cronJob = find(render, "kubernetes:batch/v1:CronJob", "message-broker-definitions-backup")!.inputs as any;
            expect([cronJob.spec.schedule, cronJob.spec.timeZone]).toEqual(["30 2 * * *", "Etc/UTC"]);
            const script = cronJob.spec.jobTemplate.spec.template.spec.containers[0].command[2] as string;
            expect(script).toContain(`"https://s3.cc.in2p3.fr/${bucket}/fsgs-${stack}/message-broker-definitions/definitions-$day.json"`);
            expect(find(render, "kubernetes:core/v1:Secret", "message-broker-backup-s3")!.inputs.stringData).toBe("[secret]");
        }
        const integration = renders.get("integration")!;
        expect(integration.resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob")).toEqual([]);
    });

    // The script run by /bin/sh against a stand-in curl (it records the upload; answers the GET with a given body).
    function runExport(body: string): { status: number; uploads: string[]; stderr: string } {
        const dir = mkdtempSync(join(tmpdir(), "definitions-"));
        const bin = join(dir, "bin");
        mkdirSync(bin);
        mkdirSync(join(dir, "credentials", "broker"), { recursive: true });
        mkdirSync(join(dir, "credentials", "s3"), { recursive: true });
        for (const [file, text] of [["broker/username", "default_user_x"], ["broker/password", "p"], ["s3/ACCESS_KEY_ID", "AK"], ["s3/ACCESS_SECRET_KEY", "SK"]]) {
            writeFileSync(join(dir, "credentials", file), text);
        }
        writeFileSync(join(dir, "answer.json"), body);
        writeFileSync(
            join(bin, "curl"),
            [
                "#!/bin/sh",
                'out=""; up=""; url=""; sig=""',
                'while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift;; --upload-file) up="$2"; shift;; --aws-sigv4) sig="$2"; shift;; --config|--header) shift;; http*) url="$1";; esac; shift; done',
                `if [ -n "$out" ]; then cp "${join(dir, "answer.json")}" "$out"; fi`,
                `if [ -n "$up" ]; then [ "$sig" = "aws:amz:us-east-1:s3" ] || exit 22; echo "$url" >> "${join(dir, "uploads")}"; fi`,
            ].join("\n"),
        );
        chmodSync(join(bin, "curl"), 0o755);
        const prod = resolved("prod").find((s) => s.name === "message-broker")!;
        const input = brokerInputOf("prod", prod);
        const script = definitionsBackupScript(input, input.backup!).replaceAll("/credentials/", `${dir}/credentials/`).replaceAll("/tmp/", `${dir}/`);
        execFileSync("sh", ["-n", "-c", script]);
        const run = spawnSync("sh", ["-c", script], { env: { PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" });
        let uploads: string[] = [];
        try {
            uploads = readFileSync(join(dir, "uploads"), "utf8").trim().split("\n");
        } catch {
            uploads = [];
        }
        return { status: run.status ?? -1, uploads, stderr: run.stderr };
    }

    it("upload a complete export under the day of the month, and refuse an empty or partial one instead of overwriting a good copy", () => {
        const good = runExport(JSON.stringify({ rabbit_version: "4.2.6", users: [], vhosts: [], permissions: [], queues: [], exchanges: [], bindings: [], policies: [] }));
        expect(good.status).toBe(0);
        expect(good.uploads).toEqual([expect.stringMatching(/^https:\/\/s3\.cc\.in2p3\.fr\/svom-fsgs-prod-backups\/fsgs-prod\/message-broker-definitions\/definitions-(0[1-9]|[12][0-9]|3[01])\.json$/)]);
        const partial = runExport(JSON.stringify({ rabbit_version: "4.2.6", users: [] }));
        expect([partial.status === 0, partial.uploads]).toEqual([false, []]);
        expect([runExport("").status === 0, runExport("").uploads]).toEqual([false, []]);
    });
});

describe("a rabbitmq catalog entry", () => {
    const files = readCatalog(ROOT);
    const edit = (change: (text: string) => string) => files.map((file) => (file.path === "services/message-broker.yaml" ? { ...file, text: change(file.text) } : file));

    it("refuses what the operator decides, and ports other than its client Service's", () => {
        expect(() =>
            parseCatalog(
                edit((text) => text.replace("ports:\n", "replicas: 3\nwritablePaths: [/etc/rabbitmq/conf.d]\nports:\n  - { name: clustering, port: 25672, peersOnly: true }\n")),
            ),
        ).toThrow(
            [
                'services/message-broker.yaml: ports[0]: expected one of the operator\'s client ports ({ name: amqp, port: 5672 }, { name: management, port: 15672 }), got "clustering:25672"',
                "services/message-broker.yaml: replicas: the operator decides this for a rabbitmq entry; remove it",
                "services/message-broker.yaml: writablePaths: the operator decides this for a rabbitmq entry; remove it",
            ].join("\n  - "),
        );
        expect(() => parseCatalog(edit((text) => text.replace("storage: { size: 20Gi, mountPath: /var/lib/rabbitmq/mnesia }\n", "")))).toThrow(
            "services/message-broker.yaml: storage: expected the size of each node's volume (storage.size), got nothing",
        );
    });
});
