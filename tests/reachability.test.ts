import { parseCatalog, readCatalog } from "../components/config/catalog";
import { parseCall } from "../components/config/catalog-references";
import { ACME_SOLVER } from "../components/kubernetes/gateway-manifests";
import { ALLOY_POD_LABELS } from "../components/kubernetes/platform/alloy";
import { MONITORING } from "../components/kubernetes/platform/kube-prometheus-stack";
import { LOKI } from "../components/kubernetes/platform/loki";
import { definitionsBackupName } from "../components/kubernetes/data/rabbitmq-manifests";
import { type Endpoint, type Pod, mayReach, sideVerdict } from "../components/kubernetes/reachability";
import { worldOf } from "../components/kubernetes/reachability-world";
import { ROOT, STACKS, type StackName } from "./support/stack-config";
import { workloadManifests } from "../components/kubernetes/workload-manifests";
import { contextOf, gateway, manifestsOf, resolved } from "./support/service-manifests";

/** Pods the platform runs that the services' flows involve (labels as their charts and controllers set them). */
const PLATFORM_PODS: Pod[] = [
    { name: "envoy-fsgs-0", namespace: gateway.proxyNamespace, labels: gateway.proxyPodLabels, ports: [{ name: "https", containerPort: 10443 }] },
    { name: "cm-acme-http-solver-0", namespace: gateway.namespace, labels: { ...ACME_SOLVER.labels }, ports: [{ name: "http", containerPort: ACME_SOLVER.port }] },
    {
        name: "coredns-0",
        namespace: "kube-system",
        labels: { "k8s-app": "kube-dns" },
        ports: [
            { name: "dns", containerPort: 53, protocol: "UDP" },
            { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
            { name: "metrics", containerPort: 9153, protocol: "TCP" },
        ],
    },
    // The monitoring stack, with the labels and ports its operator and charts give its pods (kube-prometheus-stack.ts).
    { name: "prometheus-0", namespace: "monitoring", labels: { ...MONITORING.prometheusPodLabels }, ports: [{ name: "web", containerPort: 9090 }, { name: "reloader-web", containerPort: 8080 }] },
    ...[0, 1].map((index) => ({
        name: `alertmanager-${index}`,
        namespace: "monitoring",
        labels: { ...MONITORING.alertmanagerPodLabels },
        ports: [
            { name: "web", containerPort: 9093 },
            { name: "reloader-web", containerPort: 8080 },
            { name: "mesh-tcp", containerPort: 9094 },
            { name: "mesh-udp", containerPort: 9094, protocol: "UDP" as const },
        ],
    })),
    { name: "grafana-0", namespace: "monitoring", labels: { ...MONITORING.grafanaPodLabels }, ports: [{ name: "grafana", containerPort: 3000 }] },
    { name: "kube-state-metrics-0", namespace: "monitoring", labels: { ...MONITORING.kubeStateMetricsPodLabels }, ports: [{ name: "http", containerPort: 8080 }] },
    { name: "prometheus-operator-0", namespace: "monitoring", labels: { ...MONITORING.operatorPodLabels }, ports: [{ name: "https", containerPort: 10250 }] },
    // Logs: Loki in its namespace, Alloy among the node agents (platform/loki.ts, alloy.ts).
    { name: "loki-0", namespace: "logging", labels: { ...LOKI.podLabels }, ports: [{ name: "http-metrics", containerPort: 3100 }] },
    { name: "alloy-0", namespace: "node-agents", labels: { ...ALLOY_POD_LABELS }, ports: [{ name: "http-metrics", containerPort: 12345 }] },
    // The RabbitMQ Cluster Operator (config/manager/manager.yaml at v2.22.3: metrics 8080, webhook 9443).
    {
        name: "rabbitmq-cluster-operator-0",
        namespace: "rabbitmq-system",
        labels: { "app.kubernetes.io/name": "rabbitmq-cluster-operator" },
        ports: [
            { name: "metrics", containerPort: 8080 },
            { name: "webhook-server", containerPort: 9443 },
        ],
    },
    // The Messaging Topology Operator (its vendored v1.20.1 manifest: webhook 9443, metrics 8443, probes 8081).
    {
        name: "messaging-topology-operator-0",
        namespace: "rabbitmq-system",
        labels: { "app.kubernetes.io/name": "messaging-topology-operator" },
        ports: [
            { name: "webhook-server", containerPort: 9443 },
            { name: "https", containerPort: 8443 },
        ],
    },
    // Anything else that might run in the operators' namespace (a debug pod, a future add-on): not an operator.
    { name: "stray-0", namespace: "rabbitmq-system", labels: { app: "stray" }, ports: [{ name: "http", containerPort: 8080 }] },
];
// The pods that call a broker's management API, named here from the operators' manifests, not from the policy.
const BROKER_OPERATORS = new Set(["rabbitmq-cluster-operator-0", "messaging-topology-operator-0"]);
const INTERNET_CLIENT: Endpoint = { external: { ip: "203.0.113.50" } };

function worldFor(stack: StackName) {
    return worldOf(manifestsOf(stack) as never, PLATFORM_PODS);
}

const pods = (all: Pod[], prefix: string) => all.filter((pod) => pod.name.startsWith(`${prefix}-`) && /-\d+$/.test(pod.name));
const first = (all: Pod[], name: string): Endpoint => {
    // Workloads number their pods from 0; CloudNativePG numbers a cluster's instances from 1; the RabbitMQ operator's
    // StatefulSet is <cluster>-server.
    const found = all.find((pod) => pod.name === `${name}-0`) ?? all.find((pod) => pod.name === `${name}-1`) ?? all.find((pod) => pod.name === `${name}-server-0`);
    if (!found) {
        throw new Error(`no pod ${name}-0`);
    }
    return { pod: found };
};
const service = (all: Pod[], name: string): Pod => (first(all, name) as { pod: Pod }).pod;

/**
 * What the catalog declares, read from its YAML independently of the policy generator: a pod may open a
 * connection to another exactly when one of these holds.
 */
// node-agents: node-exporter on the host network and Alloy, the documented privileged exception, carry no policy either.
const UNPOLICED = new Set([gateway.proxyNamespace, "kube-system", "node-agents", "rabbitmq-system"]);
// What a RabbitMQ node opens to its own cluster's nodes only: epmd, Erlang distribution, the CLI tools' range
// (rabbitmq.com "Networking and RabbitMQ: Port Access"); to Prometheus: the rabbitmq_prometheus plugin's 15692.
const RABBITMQ_INTER_NODE = (port: number) => port === 4369 || port === 25672 || (port >= 35672 && port <= 35682);
const resolvedOnce = new Map(STACKS.map((stack) => [stack, resolved(stack)]));

function declared(stack: StackName, from: Pod, to: Pod, port: number, protocol: string): boolean {
    const services = resolvedOnce.get(stack)!;
    if (UNPOLICED.has(from.namespace) && UNPOLICED.has(to.namespace)) {
        // The platform's own namespaces carry no NetworkPolicy: traffic among them is open, by design.
        return true;
    }
    const owner = (pod: Pod) =>
        services.find((s) => s.namespace === pod.namespace && s.name === (pod.labels["app.kubernetes.io/name"] ?? pod.labels["cnpg.io/cluster"]));
    const source = owner(from);
    const target = owner(to);
    const backedUp = services.find((s) => s.rabbitmq && from.labels["app.kubernetes.io/name"] === `${s.name}-definitions-backup`);
    if (backedUp) {
        // The definitions export resolves names and calls its broker's management API; nothing else in the cluster.
        return (to.namespace === "kube-system" && port === 53) || (target === backedUp && port === 15672 && protocol === "TCP");
    }
    if (from.namespace === "rabbitmq-system") {
        // The Cluster Operator reads each cluster's state from its management API; the Topology Operator creates the
        // clients' users and permissions there. Nothing else of their namespace reaches a broker.
        return BROKER_OPERATORS.has(from.name) && target?.rabbitmq !== undefined && port === 15672 && protocol === "TCP";
    }
    // The monitoring stack (issue 13): written out here from what each component does, not from the policy generator.
    const monitoring = (pod: Pod, name: string) => pod.namespace === "monitoring" && new RegExp(`^${name}-\\d+$`).test(pod.name);
    if (to.namespace === "logging") {
        // Loki takes pushes from Alloy and queries from Grafana, on 3100 only.
        return port === 3100 && (from.name === "alloy-0" || (from.namespace === "monitoring" && from.name === "grafana-0"));
    }
    if (from.namespace === "logging") {
        return to.namespace === "kube-system" && port === 53;
    }
    if (from.namespace === "monitoring" || to.namespace === "monitoring") {
        if (monitoring(from, "prometheus")) {
            // Prometheus scrapes: its own pods and the stack's, CoreDNS' metrics, and every catalog entry that declares a
            // port named `metrics` (a database's instances: the exporter on 9187), on that port only.
            const own =
                (monitoring(to, "prometheus") && [9090, 8080].includes(port)) ||
                (monitoring(to, "alertmanager") && [9093, 8080].includes(port)) ||
                (monitoring(to, "grafana") && port === 3000) ||
                (monitoring(to, "kube-state-metrics") && port === 8080) ||
                (monitoring(to, "prometheus-operator") && port === 10250);
            const dns = to.namespace === "kube-system" && (port === 53 || port === 9153);
            // A broker's nodes: the rabbitmq_prometheus plugin's 15692.
            const entry =
                target !== undefined &&
                (target.postgresql ? port === 9187 : target.rabbitmq ? port === 15692 : target.ports.some((p) => p.name === "metrics" && p.port === port && p.protocol === "TCP"));
            return protocol === "TCP" ? own || dns || entry : dns;
        }
        if (from.namespace === "monitoring" && to.namespace === "kube-system") {
            return port === 53;
        }
        if (monitoring(from, "grafana")) {
            // Its datasources: Prometheus, and the chart's Alertmanager datasource.
            return (monitoring(to, "prometheus") && port === 9090) || (monitoring(to, "alertmanager") && port === 9093);
        }
        if (monitoring(from, "alertmanager") && monitoring(to, "alertmanager")) {
            // The replicas' gossip.
            return port === 9094;
        }
        if (from.namespace === gateway.proxyNamespace) {
            // Grafana is routed through the Gateway like a catalog service.
            return monitoring(to, "grafana") && port === 3000;
        }
        // Nothing else: Alertmanager's receiver and the API server are outside the cluster's pods.
        return false;
    }
    if (to.namespace === "kube-system" && port === 53) {
        // Every service resolves names.
        return source !== undefined;
    }
    if (from.namespace === gateway.proxyNamespace) {
        if (to.namespace === gateway.namespace) {
            return port === ACME_SOLVER.port;
        }
        return target?.ingress !== undefined && target.ports.some((p) => p.name === target.ingress!.port && p.port === port && protocol === "TCP");
    }
    if (!source || !target) {
        return false;
    }
    if (target.postgresql && source.name === target.name) {
        // A database's instances replicate on 5432 and call each other's status port 8000 (CloudNativePG
        // pkg/management/url/url.go); its metrics port 9187 is for the monitoring stack only.
        return protocol === "TCP" && (port === 5432 || port === 8000);
    }
    if (target.rabbitmq && source.name === target.name) {
        return protocol === "TCP" && RABBITMQ_INTER_NODE(port);
    }
    const targetPort = target.ports.find((p) => p.port === port && p.protocol === protocol);
    if (!targetPort) {
        return false;
    }
    if (source.name === target.name) {
        return target.kind === "StatefulSet" || targetPort.peersOnly === true;
    }
    return source.connectsTo.map(parseCall).some((call) => call.domain === target.domain && call.name === target.name && call.port === targetPort.name);
}

/**
 * Every (source, destination, port) the model allows that the catalog does not declare, and the reverse; and each
 * side on its own (the source's egress, the destination's ingress), so that a too-wide rule on one side shows even
 * when the other side still holds.
 */
function mismatches(stack: StackName, world = worldFor(stack)): string[] {
    const problems: string[] = [];
    const sources = world.pods;
    for (const from of sources) {
        for (const to of world.pods) {
            if (from === to) {
                continue;
            }
            for (const port of to.ports) {
                const protocol = port.protocol ?? "TCP";
                const expected = declared(stack, from, to, port.containerPort, protocol);
                const flow = `${from.namespace}/${from.name} -> ${to.namespace}/${to.name}:${port.containerPort}/${protocol}`;
                const verdict = mayReach(world.world, { pod: from }, { pod: to }, port.containerPort, protocol);
                if (verdict.allowed !== expected) {
                    problems.push(`${flow}: model ${verdict.allowed}, catalog ${expected} (${verdict.reason})`);
                }
                for (const side of ["Egress", "Ingress"] as const) {
                    const end = side === "Egress" ? from : to;
                    const sideExpected = UNPOLICED.has(end.namespace) || expected;
                    const own = sideVerdict(world.world, side, { pod: from }, { pod: to }, port.containerPort, protocol);
                    if (own.allowed !== sideExpected) {
                        problems.push(`${flow}: ${side.toLowerCase()} side ${own.allowed}, catalog ${sideExpected} (${own.reason})`);
                    }
                }
            }
        }
    }
    return problems;
}

describe.each(STACKS)("the flows of %s", (stack) => {
    // Rendered in each test, so that mutation testing's per-test coverage applies (tests/mutation/).
    let world: ReturnType<typeof worldFor>["world"];
    let all: Pod[];
    beforeEach(() => {
        ({ world, pods: all } = worldFor(stack));
    });

    it("are exactly those the catalog declares: every pod pair, every port, nothing more and nothing less", () => {
        expect(mismatches(stack)).toEqual([]);
    });

    it("let the Gateway's proxies reach each routed service on its routed port, and nothing from the Internet directly", () => {
        const proxy = first(all, "envoy-fsgs");
        const routed = resolved(stack).filter((s) => s.ingress);
        expect(routed.map((s) => s.name).sort()).toEqual(["archive-api", "burst-advocate-tools", "core-program-web", "general-program-web", "monitoring-web"]);
        for (const target of routed) {
            const port = target.ports.find((p) => p.name === target.ingress!.port)!.port;
            expect([target.name, mayReach(world, proxy, first(all, target.name), port).allowed]).toEqual([target.name, true]);
            expect([target.name, mayReach(world, INTERNET_CLIENT, first(all, target.name), port).allowed]).toEqual([target.name, false]);
        }
    });

    it("let the proxies reach cert-manager's HTTP-01 solver, and no service", () => {
        const solver = first(all, "cm-acme-http-solver");
        expect(mayReach(world, first(all, "envoy-fsgs"), solver, 8089).allowed).toBe(true);
        expect(mayReach(world, first(all, "monitoring-web"), solver, 8089).allowed).toBe(false);
    });

    it("let every service resolve names through kube-dns over UDP and TCP, and reach nothing else in kube-system", () => {
        const dns = first(all, "coredns");
        for (const name of new Set(resolved(stack).map((s) => s.name))) {
            expect([name, mayReach(world, first(all, name), dns, 53, "UDP").allowed, mayReach(world, first(all, name), dns, 53, "TCP").allowed]).toEqual([name, true, true]);
            expect([name, mayReach(world, first(all, name), dns, 9153).allowed]).toEqual([name, false]);
        }
    });

    it("keep the broker's inter-node ports among its own nodes, AMQP for declared clients, 15692 for Prometheus", () => {
        const nodes = pods(all, "message-broker-server").map((pod) => ({ pod }));
        expect(nodes).toHaveLength(stack === "integration" ? 1 : 3);
        const [broker0] = nodes;
        for (const other of nodes.slice(1)) {
            for (const port of [4369, 25672, 35672, 35682]) {
                expect([port, mayReach(world, broker0, other, port).allowed, mayReach(world, other, broker0, port).allowed]).toEqual([port, true, true]);
            }
        }
        for (const client of ["monitoring-web", "vhf-listener", "alert-broadcaster", "burst-advocate-tools"]) {
            for (const port of [4369, 25672, 35672, 35682, 15692]) {
                expect([client, port, mayReach(world, first(all, client), broker0, port).allowed]).toEqual([client, port, false]);
            }
            expect([client, mayReach(world, first(all, client), broker0, 5672).allowed]).toEqual([client, true]);
        }
        expect(mayReach(world, first(all, "monitoring-web"), broker0, 15672).allowed).toBe(true);
        // Only the one client that declares the management port reaches it.
        for (const client of ["vhf-listener", "alert-broadcaster", "burst-advocate-tools"]) {
            expect([client, mayReach(world, first(all, client), broker0, 15672).allowed]).toEqual([client, false]);
        }
        // Forbidden: a service the broker does not admit, on AMQP and on the Erlang distribution port.
        expect(mayReach(world, first(all, "archive-api"), broker0, 5672).allowed).toBe(false);
        expect(mayReach(world, first(all, "database"), broker0, 25672).allowed).toBe(false);
        const prometheus = first(all, "prometheus");
        expect(mayReach(world, prometheus, broker0, 15692).allowed).toBe(true);
        expect(mayReach(world, prometheus, broker0, 5672).allowed).toBe(false);
        expect(mayReach(world, prometheus, broker0, 25672).allowed).toBe(false);
    });

    it("let both operators reach every broker node's management API, the Topology Operator creating the users, and no other pod of their namespace", () => {
        for (const node of pods(all, "message-broker-server")) {
            for (const operator of ["rabbitmq-cluster-operator", "messaging-topology-operator"]) {
                expect([operator, node.name, mayReach(world, first(all, operator), { pod: node }, 15672).allowed]).toEqual([operator, node.name, true]);
                expect([operator, node.name, mayReach(world, first(all, operator), { pod: node }, 5672).allowed]).toEqual([operator, node.name, false]);
            }
            expect(mayReach(world, first(all, "stray"), { pod: node }, 15672).allowed).toBe(false);
        }
    });

    it("let the definitions export reach its broker's management API where backups are on, and nothing else", () => {
        const exporter = all.find((pod) => pod.name === `${definitionsBackupName({ name: "message-broker" })}-0`);
        if (stack === "integration") {
            expect(exporter).toBeUndefined();
            return;
        }
        const broker0 = first(all, "message-broker");
        expect(mayReach(world, { pod: exporter! }, broker0, 15672).allowed).toBe(true);
        expect(mayReach(world, { pod: exporter! }, broker0, 5672).allowed).toBe(false);
        expect(mayReach(world, { pod: exporter! }, first(all, "database"), 5432).allowed).toBe(false);
    });

    it("let each declared dependency through, metrics scraping included, and refuse the undeclared", () => {
        const allowed = (from: string, to: string, port: number) => mayReach(world, first(all, from), first(all, to), port).allowed;
        expect(allowed("archive-api", "database", 5432)).toBe(true);
        expect(allowed("core-program-web", "archive-api", 8000)).toBe(true);
        expect(allowed("monitoring-web", "vhf-listener", 9090)).toBe(true);
        expect(allowed("burst-advocate-tools", "alert-broadcaster", 8080)).toBe(true);
        expect(allowed("alert-broadcaster", "database", 5432)).toBe(false);
        expect(allowed("vhf-listener", "database", 5432)).toBe(false);
        expect(allowed("core-program-web", "monitoring-web", 8080)).toBe(false);
        expect(allowed("database", "archive-api", 8000)).toBe(false);
    });

    it("leave kubelet probes unaffected: a pod's own node always reaches it", () => {
        const database = service(all, "database");
        const node = { external: { ip: "10.42.10.21", node: "worker-1" } };
        expect(mayReach(world, node, { pod: { ...database, node: "worker-1" } }, 5432).allowed).toBe(true);
        expect(mayReach(world, { external: { ip: "10.42.10.22", node: "worker-2" } }, { pod: { ...database, node: "worker-1" } }, 5432).allowed).toBe(false);
    });
});

describe("the monitoring flows of prod", () => {
    let world: ReturnType<typeof worldFor>["world"];
    let all: Pod[];
    beforeEach(() => {
        ({ world, pods: all } = worldFor("prod"));
    });
    const allowed = (from: string, to: string, port: number) => mayReach(world, first(all, from), first(all, to), port).allowed;

    it("let the Gateway's proxies reach Grafana, Grafana reach Prometheus, and nobody else reach either", () => {
        expect(allowed("envoy-fsgs", "grafana", 3000)).toBe(true);
        expect(allowed("grafana", "prometheus", 9090)).toBe(true);
        expect(mayReach(world, INTERNET_CLIENT, first(all, "grafana"), 3000).allowed).toBe(false);
        expect(allowed("envoy-fsgs", "prometheus", 9090)).toBe(false);
        expect(allowed("monitoring-web", "grafana", 3000)).toBe(false);
        expect(allowed("monitoring-web", "prometheus", 9090)).toBe(false);
        expect(allowed("grafana", "database", 5432)).toBe(false);
    });

    it("let Prometheus scrape a declared metrics port and the database's exporter, and nothing else of theirs", () => {
        expect(allowed("prometheus", "vhf-listener", 9090)).toBe(true);
        expect(allowed("prometheus", "vhf-listener", 9000)).toBe(false);
        expect(allowed("prometheus", "database", 9187)).toBe(true);
        expect(allowed("prometheus", "database", 5432)).toBe(false);
        expect(allowed("prometheus", "archive-api", 8000)).toBe(false);
        expect(allowed("prometheus", "kube-state-metrics", 8080)).toBe(true);
        expect(allowed("prometheus", "alertmanager", 9093)).toBe(true);
        // The nodes' exporters, kubelets, control-plane metrics and Calico's Felix (9091), on the node subnet.
        for (const port of [9100, 10250, 2381, 10257, 10259, 9091]) {
            expect([port, mayReach(world, first(all, "prometheus"), { external: { ip: "10.42.10.11" } }, port).allowed]).toEqual([port, true]);
        }
        expect(mayReach(world, first(all, "prometheus"), { external: { ip: "10.42.10.11" } }, 22).allowed).toBe(false);
    });

    it("let Prometheus reach exactly these ports of a node, Felix's 9091 the one the CNI scrape added, and no other pod of monitoring reach 9091", () => {
        const node: Endpoint = { external: { ip: "10.42.10.11" } };
        const open = [];
        for (let port = 1; port <= 65535; port += 1) {
            if (mayReach(world, first(all, "prometheus"), node, port).allowed) open.push(port);
        }
        // 6443: every pod of the namespace calls the API servers; the rest are the scrape targets.
        expect(open).toEqual([2381, 6443, 9091, 9100, 10250, 10257, 10259]);
        for (const name of ["grafana", "alertmanager", "kube-state-metrics"]) {
            expect([name, mayReach(world, first(all, name), node, 9091).allowed]).toEqual([name, false]);
        }
    });

    it("are checked: a service policy without the Prometheus rule shows as a refused scrape", () => {
        const manifests = manifestsOf("prod");
        const vhf = manifests.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === "vhf-listener")!;
        vhf.spec.ingress = vhf.spec.ingress.filter((rule: any) => rule.from[0]?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] !== "monitoring");
        const problems = mismatches("prod", worldOf(manifests as never, PLATFORM_PODS));
        expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^monitoring\/prometheus-0 -> fsgs-vhf\/vhf-listener-0:9090\/TCP: model false, catalog true/)]));
    });
});

describe("vhf-listener, reached from outside on 9000", () => {
    it("in integration (no Octavia): fixed NodePorts keeping the client's address, the declared networks admitted on TCP and UDP", () => {
        const manifests = manifestsOf("integration");
        const external = manifests.find((m) => m.kind === "Service" && m.metadata.name === "vhf-listener-external")!;
        expect(external.spec).toMatchObject({ type: "NodePort", externalTrafficPolicy: "Local" });
        expect(external.spec.ports.map((p: any) => [p.protocol, p.port, p.nodePort])).toEqual([
            ["TCP", 9000, 30900],
            ["UDP", 9000, 30900],
        ]);
        const { world, pods: all } = worldOf(manifests as never, PLATFORM_PODS);
        const vhf = first(all, "vhf-listener");
        const relay: Endpoint = { external: { ip: "192.0.2.10" } };
        expect(mayReach(world, relay, vhf, 9000, "UDP").allowed).toBe(true);
        expect(mayReach(world, relay, vhf, 9000, "TCP").allowed).toBe(true);
        expect(mayReach(world, relay, vhf, 9090).allowed).toBe(false);
        expect(mayReach(world, INTERNET_CLIENT, vhf, 9000, "UDP").allowed).toBe(false);
    });

    it("in prod as committed (exposeSourceRanges: [], the ground stations' networks not known yet): no external Service, nothing from outside admitted", () => {
        const manifests = manifestsOf("prod");
        expect(manifests.filter((m) => m.kind === "Service" && m.metadata.name === "vhf-listener-external")).toEqual([]);
        const { world, pods: all } = worldOf(manifests as never, PLATFORM_PODS);
        const vhf = first(all, "vhf-listener");
        expect(mayReach(world, { external: { ip: "10.42.10.50" } }, vhf, 9000, "UDP").allowed).toBe(false);
        expect(mayReach(world, INTERNET_CLIENT, vhf, 9000, "UDP").allowed).toBe(false);
        expect(mayReach(world, first(all, "monitoring-web"), vhf, 9090).allowed).toBe(true);
    });

    it("in prod with a declared network: an Octavia load balancer limited to it, its amphorae admitted from the node subnet", () => {
        // 145.238.0.0/24 stands for a ground-station relay network a stack would list.
        const services = resolved("prod").map((s) => (s.name === "vhf-listener" ? { ...s, expose: { ports: ["packets", "packets-udp"], sourceRanges: ["145.238.0.0/24"] } } : s));
        const context = { ...contextOf("prod"), catalog: services };
        const manifests = [
            ...manifestsOf("prod").filter((m) => !(m.kind === "NetworkPolicy" && m.metadata.name === "vhf-listener")),
            ...(({ networkPolicy, externalService }) => [networkPolicy, externalService])(workloadManifests(services.find((s) => s.name === "vhf-listener")!, context)),
        ] as Record<string, any>[];
        const external = manifests.find((m) => m.kind === "Service" && m.metadata.name === "vhf-listener-external")!;
        expect(external.spec).toMatchObject({ type: "LoadBalancer", loadBalancerSourceRanges: ["145.238.0.0/24"] });
        expect(external.spec.ports.map((p: any) => p.protocol)).toEqual(["TCP", "UDP"]);
        const { world, pods: all } = worldOf(manifests as never, PLATFORM_PODS);
        const vhf = first(all, "vhf-listener");
        expect(mayReach(world, { external: { ip: "10.42.10.50" } }, vhf, 9000, "UDP").allowed).toBe(true);
        expect(mayReach(world, INTERNET_CLIENT, vhf, 9000, "UDP").allowed).toBe(false);
        // No other service is exposed.
        expect(manifests.filter((m) => m.kind === "Service" && m.spec.type !== "ClusterIP" && m.spec.clusterIP !== "None").map((m) => m.metadata.name)).toEqual(["vhf-listener-external"]);
    });
});

describe("the Kubernetes API", () => {
    it("is reachable only by a service that declares kubernetesApi, on 6443 of the node subnet", () => {
        const services = resolved("prod").map((s) => (s.name === "monitoring-web" ? { ...s, kubernetesApi: true } : s));
        const context = { ...contextOf("prod"), catalog: services };
        const manifests = [
            ...manifestsOf("prod").filter((m) => !(m.kind === "NetworkPolicy" && ["monitoring-web", "vhf-listener"].includes(m.metadata.name))),
            ...services.filter((s) => ["monitoring-web", "vhf-listener"].includes(s.name)).map((s) => workloadManifests(s, context).networkPolicy),
        ];
        const { world, pods: all } = worldOf(manifests as never, PLATFORM_PODS);
        const apiServer: Endpoint = { external: { ip: "10.42.10.11" } };
        expect(mayReach(world, first(all, "monitoring-web"), apiServer, 6443).allowed).toBe(true);
        expect(mayReach(world, first(all, "monitoring-web"), apiServer, 22).allowed).toBe(false);
        expect(mayReach(world, first(all, "vhf-listener"), apiServer, 6443).allowed).toBe(false);
    });
});

describe("the flow check", () => {
    it("catches a policy that opens every port to every allowed peer, as the old one did", () => {
        const manifests = manifestsOf("prod");
        const broker = manifests.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === "message-broker")!;
        const allPorts = [5672, 15672, 4369, 25672].map((port) => ({ port, protocol: "TCP" }));
        // The rule that admits the other nodes stays; the callers get every port.
        broker.spec.ingress = [broker.spec.ingress.find((rule: any) => rule.from[0].podSelector && !rule.from[0].namespaceSelector), ...["fsgs-vhf", "fsgs-alerts", "fsgs-programs", "fsgs-monitoring", "fsgs-burst-advocate", "fsgs-archive"].map((namespace) => ({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } }],
            ports: allPorts,
        }))];
        const problems = mismatches("prod", worldOf(manifests as never, PLATFORM_PODS));
        // The callers' own egress still holds, but the broker's ingress side admits what the catalog does not.
        expect(problems).toEqual(
            expect.arrayContaining([expect.stringMatching(/^fsgs-monitoring\/monitoring-web-0 -> fsgs-messaging\/message-broker-server-0:25672\/TCP: ingress side true, catalog false/)]),
        );
    });

    it("catches a policy that admits the wrong namespace", () => {
        const manifests = manifestsOf("prod");
        const database = manifests.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === "database")!;
        const rule = database.spec.ingress.find((r: any) => r.from[0].namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === "fsgs-archive");
        rule.from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"] = "fsgs-alerts";
        const problems = mismatches("prod", worldOf(manifests as never, PLATFORM_PODS));
        expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^fsgs-archive\/archive-api-0 -> fsgs-data\/database-1:5432\/TCP: model false, catalog true/)]));
    });

    it("catches open egress", () => {
        const manifests = manifestsOf("prod").filter((m) => !(m.kind === "NetworkPolicy" && m.metadata.name === "default-deny" && m.metadata.namespace === "fsgs-vhf"));
        const vhf = manifests.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === "vhf-listener")!;
        vhf.spec.policyTypes = ["Ingress"];
        const problems = mismatches("prod", worldOf(manifests as never, PLATFORM_PODS));
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^fsgs-vhf\/vhf-listener-0 -> fsgs-messaging\/message-broker-server-0:15672\/TCP: egress side true, catalog false/),
                expect.stringMatching(/^fsgs-vhf\/vhf-listener-0 -> envoy-gateway-system\/envoy-fsgs-0:10443\/TCP: model true, catalog false/),
            ]),
        );
    });
});

describe("the catalog's references", () => {
    const files = readCatalog(ROOT);
    const edit = (name: string, change: (text: string) => string) => files.map((file) => (file.path === `services/${name}.yaml` ? { ...file, text: change(file.text) } : file));

    it("are all known and consistent in the committed catalog", () => {
        expect(() => parseCatalog(files)).not.toThrow();
    });

    it("name the file and key of a typo in allowFrom", () => {
        expect(() => parseCatalog(edit("database", (t) => t.replace("allowFrom: [programs,", "allowFrom: [program,")))).toThrow(
            'services/database.yaml: allowFrom[0]: expected a domain of the catalog (alerts, archive, burst-advocate, data, messaging, monitoring, programs, vhf), got "program"',
        );
    });

    it("name the file and key of a call to an unknown service or port", () => {
        expect(() => parseCatalog(edit("vhf-listener", (t) => t.replace("messaging/message-broker:amqp", "messaging/message-brocker:amqp")))).toThrow(
            'services/vhf-listener.yaml: connectsTo[0]: expected a service of the catalog (domain/name), got "messaging/message-brocker"',
        );
        expect(() => parseCatalog(edit("vhf-listener", (t) => t.replace("messaging/message-broker:amqp", "messaging/message-broker:amqps")))).toThrow(
            "services/vhf-listener.yaml: connectsTo[0]: expected one of message-broker's ports (amqp, management), got \"amqps\"",
        );
    });

    it("refuse a call to a port only the target's replicas use, or that the target does not admit", () => {
        const peersOnly = files.map((file) =>
            file.path === "services/archive-api.yaml"
                ? { ...file, text: file.text.replace("  - { name: http, port: 8000 }", "  - { name: http, port: 8000 }\n  - { name: gossip, port: 7946, peersOnly: true }") }
                : file.path === "services/core-program-web.yaml"
                  ? { ...file, text: file.text.replace("archive/archive-api:http]", "archive/archive-api:gossip]") }
                  : file,
        );
        expect(() => parseCatalog(peersOnly)).toThrow("services/core-program-web.yaml: connectsTo[1]: archive-api's port gossip is for its own replicas only (peersOnly)");
        expect(() => parseCatalog(edit("alert-broadcaster", (t) => t.replace("connectsTo: [messaging/message-broker:amqp]", "connectsTo: [messaging/message-broker:amqp, data/database:postgresql]")))).toThrow(
            "services/alert-broadcaster.yaml: connectsTo[1]: services/database.yaml's allowFrom does not admit alerts/alert-broadcaster",
        );
    });

    it("refuse an allowFrom entry that admits nobody who calls", () => {
        expect(() => parseCatalog(edit("database", (t) => t.replace("allowFrom: [programs,", "allowFrom: [vhf, programs,")))).toThrow(
            'services/database.yaml: allowFrom[0]: "vhf" admits nobody: no service there declares connectsTo data/database:<port>',
        );
    });
});
