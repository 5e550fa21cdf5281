/**
 * The NetworkPolicy of one service (components/kubernetes/network-policy.ts), called directly on catalog entries
 * written here, every expected peer, port and CIDR written out. What matters is NetworkPolicy semantics
 * (Kubernetes API reference, networking.k8s.io/v1 NetworkPolicy, and "Network Policies" in the concepts docs):
 * - an empty podSelector or namespaceSelector selects every pod / every namespace, so a selector emptied by a bug
 *   opens the service to the whole cluster;
 * - a rule with no `from`/`to` (or an empty list) matches every source / destination, and a rule with no `ports`
 *   matches every port: "allow from anywhere";
 * - ipBlock.except must lie within ipBlock.cidr, or the API server refuses the object.
 */
import { environmentProfile } from "../components/config/profile";
import { serviceSchema, type ServiceInput } from "../components/config/service-schema";
import type { GatewayRef } from "../components/kubernetes/gateway-manifests";
import { CLUSTER_DNS, exposedSources, type PolicyContext, servicePolicySpec } from "../components/kubernetes/network-policy";
import { type ResolvedService, resolveService } from "../components/kubernetes/service-defaults";

const GATEWAY: GatewayRef = {
    name: "fsgs",
    namespace: "gateway",
    proxyNamespace: "envoy-gateway-system",
    proxyPodLabels: { "app.kubernetes.io/name": "envoy", "gateway.envoyproxy.io/owning-gateway-name": "fsgs" },
};
const NODE_CIDR = "192.168.10.0/24";
const POD_CIDR = "10.244.0.0/16";
const SERVICE_CIDR = "10.96.0.0/12";

const IMAGE = { repository: "registry.example.org/svom/app", tag: "1.0.0" };
const resolve = (entry: Omit<ServiceInput, "image">): ResolvedService =>
    resolveService(serviceSchema.parse({ image: IMAGE, ...entry }), undefined, environmentProfile("prod"));

/** A context of the given catalog: Octavia unless said otherwise. */
function contextOf(catalog: ResolvedService[], loadBalancers = true): PolicyContext {
    return { catalog, gateway: GATEWAY, clusterCidrs: [POD_CIDR, SERVICE_CIDR], externalAccess: { loadBalancers, nodeCidr: NODE_CIDR } };
}

const podsOf = (namespace: string, name: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
});

const DNS_RULE = {
    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
    ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
    ],
};

const PROMETHEUS = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
    podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "kps-prometheus" } },
};

// An API with two ports, called by two services of another domain and by one of its own domain it does not admit.
const api = () =>
    resolve({
        name: "api",
        domain: "core",
        ports: [
            { name: "http", port: 8080 },
            { name: "grpc", port: 9090 },
            { name: "gossip", port: 7946, protocol: "UDP", peersOnly: true },
        ],
        allowFrom: ["web", "ingress"],
        ingress: { host: "api.example.org", port: "grpc" },
    });
const portal = () => resolve({ name: "portal", domain: "web", connectsTo: ["core/api:http", "core/api:grpc"] });
const admin = () => resolve({ name: "admin", domain: "web", connectsTo: ["core/api"] });
const intruder = () => resolve({ name: "intruder", domain: "batch", connectsTo: ["core/api:http"] });

describe("servicePolicySpec: what it selects", () => {
    it("selects only the service's own pods, isolated in both directions", () => {
        const service = resolve({ name: "lonely", domain: "misc", ports: [{ name: "http", port: 80 }] });
        const spec = servicePolicySpec(service, contextOf([service]));
        expect(spec.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "lonely" } });
        expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
        // Nobody calls it, it has no peers, no route, no exposure, no metrics: nothing comes in.
        expect(spec.ingress).toEqual([]);
        // Only DNS goes out.
        expect(spec.egress).toEqual([DNS_RULE]);
    });

    it("names kube-dns in kube-system on 53, as kubeadm deploys it", () => {
        expect(CLUSTER_DNS).toEqual({ namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, port: 53 });
    });
});

describe("servicePolicySpec: ingress", () => {
    it("admits each admitted caller on the ports it calls, one rule per caller sorted by name, and the Gateway on the routed port", () => {
        const target = api();
        const spec = servicePolicySpec(target, contextOf([portal(), intruder(), target, admin()]));
        expect(spec.ingress).toEqual([
            // A call without a port reaches every port not kept for the replicas.
            {
                from: [podsOf("fsgs-web", "admin")],
                ports: [
                    { port: 8080, protocol: "TCP" },
                    { port: 9090, protocol: "TCP" },
                ],
            },
            {
                from: [podsOf("fsgs-web", "portal")],
                ports: [
                    { port: 8080, protocol: "TCP" },
                    { port: 9090, protocol: "TCP" },
                ],
            },
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } }, podSelector: { matchLabels: GATEWAY.proxyPodLabels } }],
                ports: [{ port: 9090, protocol: "TCP" }],
            },
            // The gossip port: the Deployment's own replicas only.
            { from: [podsOf("fsgs-core", "api")], ports: [{ port: 7946, protocol: "UDP" }] },
        ]);
    });

    it("orders the callers' rules by name whatever the catalog's order", () => {
        const target = api();
        const one = servicePolicySpec(target, contextOf([portal(), admin(), target]));
        const other = servicePolicySpec(target, contextOf([admin(), portal(), target]));
        const callers = (spec: typeof one) => (spec.ingress as { from: { podSelector?: { matchLabels?: Record<string, string> } }[] }[]).map((rule) => rule.from[0].podSelector?.matchLabels?.["app.kubernetes.io/name"]);
        expect(callers(one).slice(0, 2)).toEqual(["admin", "portal"]);
        expect(callers(other).slice(0, 2)).toEqual(["admin", "portal"]);
    });

    it("selects a database caller's target by the operator's cnpg.io/cluster label, not by app.kubernetes.io/name", () => {
        const database = resolve({
            name: "catalog-db",
            domain: "core",
            ports: [{ name: "postgres", port: 5432 }],
            storage: { size: "20Gi", mountPath: "/var/lib/postgresql" },
            postgresql: { database: "catalog", owner: "catalog" },
        });
        const reader = resolve({ name: "reader", domain: "web", connectsTo: ["core/catalog-db:postgres"] });
        const spec = servicePolicySpec(reader, contextOf([reader, database]));
        expect(spec.egress).toContainEqual({
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "fsgs-core" } }, podSelector: { matchLabels: { "cnpg.io/cluster": "catalog-db" } } }],
            ports: [{ port: 5432, protocol: "TCP" }],
        });
    });

    it("lets a StatefulSet's members reach each other on every port, and a Deployment without peer ports admits no replica", () => {
        const store = resolve({
            name: "store",
            domain: "data",
            ports: [
                { name: "client", port: 2379 },
                { name: "peer", port: 2380 },
            ],
            storage: { size: "10Gi", mountPath: "/data" },
        });
        const spec = servicePolicySpec(store, contextOf([store]));
        const peers = {
            from: [podsOf("fsgs-data", "store")],
            ports: [
                { port: 2379, protocol: "TCP" },
                { port: 2380, protocol: "TCP" },
            ],
        };
        expect(spec.ingress).toEqual([peers]);
        expect(spec.egress).toEqual([DNS_RULE, { to: peers.from, ports: peers.ports }]);

        const stateless = resolve({ name: "stateless", domain: "data", ports: [{ name: "http", port: 80 }] });
        expect(servicePolicySpec(stateless, contextOf([stateless])).ingress).toEqual([]);
    });

    it("admits an exposed service's outside traffic from the node subnet behind Octavia, from the declared networks on NodePorts", () => {
        const listener = resolve({
            name: "listener",
            domain: "ground",
            ports: [
                { name: "vhf", port: 9000, protocol: "UDP" },
                { name: "admin", port: 9001 },
            ],
            expose: { ports: ["vhf"], sourceRanges: ["198.51.100.0/24", "203.0.113.0/25"] },
        });
        expect(servicePolicySpec(listener, contextOf([listener], true)).ingress).toEqual([
            { from: [{ ipBlock: { cidr: NODE_CIDR } }], ports: [{ port: 9000, protocol: "UDP" }] },
        ]);
        expect(servicePolicySpec(listener, contextOf([listener], false)).ingress).toEqual([
            { from: [{ ipBlock: { cidr: "198.51.100.0/24" } }, { ipBlock: { cidr: "203.0.113.0/25" } }], ports: [{ port: 9000, protocol: "UDP" }] },
        ]);
        expect(exposedSources(listener, contextOf([listener], true))).toEqual([NODE_CIDR]);
        expect(exposedSources(listener, contextOf([listener], false))).toEqual(["198.51.100.0/24", "203.0.113.0/25"]);
    });

    it("has no outside sources for a service that is not exposed", () => {
        const internal = resolve({ name: "internal", domain: "ground", ports: [{ name: "http", port: 80 }] });
        expect(exposedSources(internal, contextOf([internal], true))).toEqual([]);
        expect(exposedSources(internal, contextOf([internal], false))).toEqual([]);
    });

    it("admits Prometheus on the metrics port only", () => {
        const worker = resolve({
            name: "worker",
            domain: "batch",
            ports: [
                { name: "http", port: 8000 },
                { name: "metrics", port: 9102 },
            ],
        });
        expect(servicePolicySpec(worker, contextOf([worker])).ingress).toEqual([{ from: [PROMETHEUS], ports: [{ protocol: "TCP", port: 9102 }] }]);
    });

    it("refuses a route to a port the service does not have, naming both", () => {
        const broken = resolve({ name: "broken", domain: "web", ports: [{ name: "http", port: 80 }], ingress: { host: "b.example.org", port: "https" } });
        expect(() => servicePolicySpec(broken, contextOf([broken]))).toThrow("broken has no port https");
    });
});

describe("servicePolicySpec: egress", () => {
    it("opens each called target on the ports called, one rule per target sorted by name, and nothing for an unknown target", () => {
        const target = api();
        const other = resolve({ name: "access-log", domain: "core", ports: [{ name: "http", port: 8081 }], allowFrom: ["web"] });
        const caller = resolve({ name: "portal", domain: "web", connectsTo: ["core/api:grpc", "core/missing:http", "core/access-log:http", "core/api:http"] });
        const spec = servicePolicySpec(caller, contextOf([caller, target, other]));
        expect(spec.egress).toEqual([
            DNS_RULE,
            { to: [podsOf("fsgs-core", "access-log")], ports: [{ port: 8081, protocol: "TCP" }] },
            {
                to: [podsOf("fsgs-core", "api")],
                ports: [
                    { port: 9090, protocol: "TCP" },
                    { port: 8080, protocol: "TCP" },
                ],
            },
        ]);
    });

    it("finds the called target by domain and name: a service of the same name in another domain is not it", () => {
        const elsewhere = resolve({ name: "api", domain: "legacy", ports: [{ name: "http", port: 80 }], allowFrom: ["web"] });
        const target = api();
        const caller = resolve({ name: "portal", domain: "web", connectsTo: ["core/api:http"] });
        expect(servicePolicySpec(caller, contextOf([caller, elsewhere, target])).egress).toEqual([DNS_RULE, { to: [podsOf("fsgs-core", "api")], ports: [{ port: 8080, protocol: "TCP" }] }]);
    });

    it("gives no rule, rather than an every-port one, for a call to a target that opens no port to callers", () => {
        const closed = resolve({ name: "closed", domain: "core", ports: [{ name: "dist", port: 25672, peersOnly: true }], allowFrom: ["web"] });
        const caller = resolve({ name: "portal", domain: "web", connectsTo: ["core/closed"] });
        expect(servicePolicySpec(caller, contextOf([caller, closed])).egress).toEqual([DNS_RULE]);
    });

    it("lets a Deployment reach its own replicas on its peersOnly ports only", () => {
        const target = api();
        const spec = servicePolicySpec(target, contextOf([target]));
        expect(spec.egress).toEqual([DNS_RULE, { to: [podsOf("fsgs-core", "api")], ports: [{ port: 7946, protocol: "UDP" }] }]);
    });

    it("opens 6443 of the node subnet to a service that calls the Kubernetes API, and to no other", () => {
        const operator = resolve({ name: "operator", domain: "ops", kubernetesApi: true });
        expect(servicePolicySpec(operator, contextOf([operator])).egress).toEqual([DNS_RULE, { to: [{ ipBlock: { cidr: NODE_CIDR } }], ports: [{ protocol: "TCP", port: 6443 }] }]);
        const plain = resolve({ name: "plain", domain: "ops", kubernetesApi: false });
        expect(servicePolicySpec(plain, contextOf([plain])).egress).toEqual([DNS_RULE]);
    });

    it("opens declared outside ranges on their ports, carving out the cluster ranges that lie strictly inside them", () => {
        const fetcher = resolve({
            name: "fetcher",
            domain: "ops",
            connectsToExternal: [
                { cidr: "0.0.0.0/0", ports: [443, 80], description: "anywhere on the Internet" },
                { cidr: "10.0.0.0/8", ports: [9000], description: "a private range that holds the pod range and the service range" },
                { cidr: "10.244.0.0/16", ports: [8443], description: "exactly the pod range: nothing lies strictly inside" },
                { cidr: "10.244.7.0/24", ports: [5000], description: "inside the pod range: the pod range is not inside it" },
                { cidr: "192.0.2.0/24", ports: [21], description: "an object store outside every cluster range" },
            ],
        });
        expect(servicePolicySpec(fetcher, contextOf([fetcher])).egress).toEqual([
            DNS_RULE,
            {
                to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [POD_CIDR, SERVICE_CIDR] } }],
                ports: [
                    { protocol: "TCP", port: 443 },
                    { protocol: "TCP", port: 80 },
                ],
            },
            { to: [{ ipBlock: { cidr: "10.0.0.0/8", except: [POD_CIDR, SERVICE_CIDR] } }], ports: [{ protocol: "TCP", port: 9000 }] },
            { to: [{ ipBlock: { cidr: "10.244.0.0/16" } }], ports: [{ protocol: "TCP", port: 8443 }] },
            { to: [{ ipBlock: { cidr: "10.244.7.0/24" } }], ports: [{ protocol: "TCP", port: 5000 }] },
            { to: [{ ipBlock: { cidr: "192.0.2.0/24" } }], ports: [{ protocol: "TCP", port: 21 }] },
        ]);
    });

    it("carves out nothing that is not a CIDR block, rather than failing on it", () => {
        // The schema's pattern ([0-9.]+/[0-9]+) lets an impossible address through; parseCidr refuses it.
        const odd = resolve({ name: "odd", domain: "ops", connectsToExternal: [{ cidr: "300.0.0.0/8", ports: [443], description: "not an address" }] });
        expect(servicePolicySpec(odd, contextOf([odd])).egress).toEqual([DNS_RULE, { to: [{ ipBlock: { cidr: "300.0.0.0/8" } }], ports: [{ protocol: "TCP", port: 443 }] }]);
        const context: PolicyContext = { ...contextOf([]), clusterCidrs: ["not-a-cidr", POD_CIDR] };
        const wide = resolve({ name: "wide", domain: "ops", connectsToExternal: [{ cidr: "10.0.0.0/8", ports: [443], description: "private" }] });
        expect(servicePolicySpec(wide, { ...context, catalog: [wide] }).egress).toEqual([DNS_RULE, { to: [{ ipBlock: { cidr: "10.0.0.0/8", except: [POD_CIDR] } }], ports: [{ protocol: "TCP", port: 443 }] }]);
    });
});
