import { type CatalogError, parseCatalog, readCatalog } from "../components/config/catalog";
import { brokerPermissionManifest, brokerUserManifest, brokerUsers } from "../components/kubernetes/data/rabbitmq-users";
import { restrictedViolations } from "../components/kubernetes/pod-security";
import { type ManifestObject, topologyOperatorManifest, topologyOperatorObjects } from "../components/kubernetes/platform/rabbitmq-topology-operator";
import { workloadManifests } from "../components/kubernetes/workload-manifests";
import { crdErrors } from "./support/crd-schemas";
import { contextOf, resolved as resolveStack } from "./support/service-manifests";
import { ROOT, STACKS, type StackName } from "./support/stack-config";

const resolvedOnce = new Map(STACKS.map((stack) => [stack, resolveStack(stack)]));
const resolved = (stack: StackName) => resolvedOnce.get(stack)!;
const brokerOf = (stack: (typeof STACKS)[number]) => resolved(stack).find((s) => s.name === "message-broker")!;

describe("the broker's users", () => {
    it("are one per catalog entry whose connectsTo names the broker, named after it, with a management tag only for the caller of the management port", () => {
        const users = brokerUsers(brokerOf("prod"), resolved("prod"));
        expect(users).toEqual([
            { client: { name: "alert-broadcaster", namespace: "fsgs-alerts" }, username: "alert-broadcaster", objectName: "message-broker-alert-broadcaster", importSecret: "message-broker-alert-broadcaster-credentials", clientSecret: "alert-broadcaster-message-broker-user", tags: [] },
            { client: { name: "burst-advocate-tools", namespace: "fsgs-burst-advocate" }, username: "burst-advocate-tools", objectName: "message-broker-burst-advocate-tools", importSecret: "message-broker-burst-advocate-tools-credentials", clientSecret: "burst-advocate-tools-message-broker-user", tags: [] },
            { client: { name: "monitoring-web", namespace: "fsgs-monitoring" }, username: "monitoring-web", objectName: "message-broker-monitoring-web", importSecret: "message-broker-monitoring-web-credentials", clientSecret: "monitoring-web-message-broker-user", tags: ["monitoring"] },
            { client: { name: "vhf-listener", namespace: "fsgs-vhf" }, username: "vhf-listener", objectName: "message-broker-vhf-listener", importSecret: "message-broker-vhf-listener-credentials", clientSecret: "vhf-listener-message-broker-user", tags: [] },
        ]);
    });

    it("leave out every entry that does not call the broker (a database client, the database, the broker itself)", () => {
        const names = brokerUsers(brokerOf("prod"), resolved("prod")).map((user) => user.username);
        for (const other of ["archive-api", "core-program-web", "database", "message-broker"]) {
            expect([other, names.includes(other)]).toEqual([other, false]);
        }
        expect(() => brokerUsers(resolved("prod").find((s) => s.name === "database")!, resolved("prod"))).toThrow("database is not a rabbitmq entry");
    });

    it("are a User importing its Secret and a Permission on the vhost /, in the broker's namespace, valid against the v1.20.1 CRDs in every stack", () => {
        const broker = brokerOf("prod");
        const monitoring = brokerUsers(broker, resolved("prod")).find((user) => user.username === "monitoring-web")!;
        expect(brokerUserManifest(broker, monitoring)).toEqual({
            apiVersion: "rabbitmq.com/v1beta1",
            kind: "User",
            metadata: {
                name: "message-broker-monitoring-web",
                namespace: "fsgs-messaging",
                labels: { "app.kubernetes.io/part-of": "svom-fsgs", "app.kubernetes.io/component": "messaging", "svom.eu/broker-client": "monitoring-web" },
            },
            spec: { rabbitmqClusterReference: { name: "message-broker" }, importCredentialsSecret: { name: "message-broker-monitoring-web-credentials" }, tags: ["monitoring"] },
        });
        expect(brokerPermissionManifest(broker, monitoring).spec).toEqual({
            vhost: "/",
            userReference: { name: "message-broker-monitoring-web" },
            permissions: { configure: ".*", write: ".*", read: ".*" },
            rabbitmqClusterReference: { name: "message-broker" },
        });
        const vhf = brokerUsers(broker, resolved("prod")).find((user) => user.username === "vhf-listener")!;
        // No tag: the management API refuses the user (user_types.go: "cannot perform any management actions").
        expect(brokerUserManifest(broker, vhf).spec).not.toHaveProperty("tags");
        for (const stack of STACKS) {
            for (const user of brokerUsers(brokerOf(stack), resolved(stack))) {
                expect([stack, user.username, crdErrors(brokerUserManifest(brokerOf(stack), user)), crdErrors(brokerPermissionManifest(brokerOf(stack), user))]).toEqual([stack, user.username, [], []]);
            }
        }
    });

    it("validation refuses a User with an unknown tag or no cluster, and a Permission without a vhost", () => {
        const broker = brokerOf("prod");
        const [user] = brokerUsers(broker, resolved("prod"));
        const badUser = brokerUserManifest(broker, user) as { spec: Record<string, unknown> };
        badUser.spec.tags = ["admin"];
        delete badUser.spec.rabbitmqClusterReference;
        const badPermission = brokerPermissionManifest(broker, user) as { spec: Record<string, unknown> };
        delete badPermission.spec.vhost;
        badPermission.spec.permission = { read: ".*" };
        expect(crdErrors(badUser as never)).toEqual(["/spec: must have required property 'rabbitmqClusterReference'", "/spec/tags/0: must be equal to one of the allowed values"]);
        expect(crdErrors(badPermission as never)).toEqual(["/spec: must have required property 'vhost'", "/spec: must NOT have additional properties (permission)"]);
    });
});

describe("a client's broker credentials", () => {
    const envOf = (name: string) => {
        const service = resolved("prod").find((s) => s.name === name)!;
        const workload = workloadManifests(service, contextOf("prod")).workload as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } };
        return workload.spec.template.spec.containers[0].env;
    };

    it("reach its pods as BROKER_USERNAME and BROKER_PASSWORD from the Secret in its own namespace, beside what the entry declares", () => {
        expect(envOf("vhf-listener")).toEqual([
            { name: "BROKER_URL", value: "amqp://message-broker.fsgs-messaging.svc:5672" },
            { name: "PACKET_EXCHANGE", value: "vhf.packets" },
            { name: "BROKER_USERNAME", valueFrom: { secretKeyRef: { name: "vhf-listener-message-broker-user", key: "username" } } },
            { name: "BROKER_PASSWORD", valueFrom: { secretKeyRef: { name: "vhf-listener-message-broker-user", key: "password" } } },
        ]);
        expect(envOf("alert-broadcaster")).toEqual([
            { name: "BROKER_URL", value: "amqp://message-broker.fsgs-messaging.svc:5672" },
            { name: "GCN_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: "alert-broadcaster", key: "gcn-client-secret" } } },
            { name: "BROKER_USERNAME", valueFrom: { secretKeyRef: { name: "alert-broadcaster-message-broker-user", key: "username" } } },
            { name: "BROKER_PASSWORD", valueFrom: { secretKeyRef: { name: "alert-broadcaster-message-broker-user", key: "password" } } },
        ]);
    });

    it("are not given to an entry that calls no broker", () => {
        const names = (envOf("archive-api") as { name: string }[]).map((variable) => variable.name);
        expect(names.filter((name) => name.startsWith("BROKER_"))).toEqual([]);
    });
});

describe("the catalog's broker clients", () => {
    const files = readCatalog(ROOT);
    const edit = (path: string, change: (text: string) => string) => files.map((file) => (file.path === path ? { ...file, text: change(file.text) } : file));
    const problemsOf = (edited: typeof files) => {
        try {
            parseCatalog(edited);
            return [];
        } catch (error) {
            return (error as CatalogError).problems;
        }
    };

    it("refuse an entry that sets a credential variable the program derives from connectsTo", () => {
        const edited = edit("services/vhf-listener.yaml", (text) => text.replace("  PACKET_EXCHANGE: vhf.packets\n", "  PACKET_EXCHANGE: vhf.packets\n  BROKER_USERNAME: vhf\nsecretEnv:\n  BROKER_PASSWORD: { secret: vhf-listener, key: broker-password }\n"));
        expect(problemsOf(edited)).toEqual([
            "services/vhf-listener.yaml: env.BROKER_USERNAME: the program sets it from connectsTo messaging/message-broker (the entry's own broker user); remove it",
            "services/vhf-listener.yaml: secretEnv.BROKER_PASSWORD: the program sets it from connectsTo messaging/message-broker (the entry's own broker user); remove it",
        ]);
    });

    it("refuse an entry that calls two brokers: one BROKER_USERNAME cannot name two users", () => {
        const second = files.find((file) => file.path === "services/message-broker.yaml")!.text.replace("name: message-broker", "name: event-broker").replace("allowFrom: [vhf, alerts, monitoring, burst-advocate]", "allowFrom: [vhf]");
        const edited = [
            ...edit("services/vhf-listener.yaml", (text) => text.replace("connectsTo: [messaging/message-broker:amqp]", "connectsTo: [messaging/message-broker:amqp, messaging/event-broker:amqp]")),
            { path: "services/event-broker.yaml", text: second },
        ];
        expect(problemsOf(edited)).toEqual([
            "services/vhf-listener.yaml: connectsTo: expected one rabbitmq entry, got 2 (messaging/event-broker, messaging/message-broker): BROKER_USERNAME and BROKER_PASSWORD can name one broker user only",
        ]);
    });

    it("accept the catalog as it is", () => {
        expect(problemsOf(files)).toEqual([]);
    });
});

describe("the Messaging Topology Operator's manifest", () => {
    const manifest = topologyOperatorManifest();

    it("is installed whole but for the namespace rabbitmq-system, which the Cluster Operator's manifest creates", () => {
        const applied = topologyOperatorObjects(manifest);
        expect(manifest.filter((object) => !applied.includes(object)).map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(["Namespace/rabbitmq-system"]);
        expect(applied).toHaveLength(29);
        const users = applied.find((object) => object.kind === "CustomResourceDefinition" && object.metadata.name === "users.rabbitmq.com")!;
        expect((users.spec as { versions: { name: string }[] }).versions.map((version) => version.name)).toEqual(["v1beta1"]);
    });

    it("is a copy of its own for each caller: what one changes, the next does not see", () => {
        const first = topologyOperatorManifest();
        first.find((object) => object.kind === "Deployment")!.metadata.name = "changed";
        first.splice(0, first.length);
        const second = topologyOperatorManifest();
        expect(second).toHaveLength(30);
        expect(second.filter((object) => object.kind === "Deployment").map((object) => object.metadata.name)).toEqual(["messaging-topology-operator"]);
    });

    it("refuses a manifest whose namespace is another, or with objects outside it", () => {
        const renamed = manifest.map((object) => (object.kind === "Namespace" ? { ...object, metadata: { ...object.metadata, name: "topology-system" } } : object));
        expect(() => topologyOperatorObjects(renamed)).toThrow('should create the namespace rabbitmq-system alone, got ["topology-system"]');
        const moved = manifest.map((object) => (object.kind === "Deployment" ? { ...object, metadata: { ...object.metadata, namespace: "default" } } : object));
        expect(() => topologyOperatorObjects(moved)).toThrow("puts objects outside rabbitmq-system: Deployment/messaging-topology-operator");
    });

    it("runs the pinned image under the restricted profile, with requests, limits and probes", () => {
        const deployments = manifest.filter((object): object is ManifestObject & { spec: any } => object.kind === "Deployment");
        expect(deployments.map((d) => d.metadata.name)).toEqual(["messaging-topology-operator"]);
        const pod = deployments[0].spec.template.spec;
        expect(pod.containers.map((c: { image: string }) => c.image)).toEqual(["ghcr.io/rabbitmq/messaging-topology-operator:1.20.1"]);
        expect(deployments[0].spec.template.metadata.labels["app.kubernetes.io/name"]).toBe("messaging-topology-operator");
        expect(restrictedViolations(pod)).toEqual([]);
        expect(pod.containers[0].resources).toEqual({ requests: { cpu: "300m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
        expect([pod.containers[0].livenessProbe.httpGet.path, pod.containers[0].readinessProbe.httpGet.path]).toEqual(["/healthz", "/readyz"]);
    });
});
