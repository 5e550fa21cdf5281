import { type Endpoint, type Pod, type Policy, type PolicySpec, type World, mayReach, mayReachService, selects } from "../components/kubernetes/reachability";

/**
 * The NetworkPolicy model's own table: each feature of the API, each with a case that must be allowed and one that
 * must be denied. Expected values come from the Kubernetes "Network Policies" page and the NetworkPolicy API
 * reference, not from the model.
 */

const pod = (namespace: string, name: string, labels: Record<string, string> = {}, ports: Pod["ports"] = [], node?: string): Endpoint => ({
    pod: { namespace, name, labels, ports, node },
});
const external = (ip: string, node?: string): Endpoint => ({ external: { ip, node } });
const policy = (namespace: string, name: string, spec: PolicySpec): Policy => ({ metadata: { name, namespace }, spec });
const world = (policies: Policy[], namespaces: Record<string, Record<string, string>> = {}): World => ({
    namespaces: new Map(Object.entries<Record<string, string>>({ a: {}, b: { team: "b" }, c: { team: "c" }, "kube-system": {}, ...namespaces })),
    policies,
});

const web = pod("a", "web", { app: "web" }, [{ name: "http", containerPort: 8080 }]);
const client = pod("a", "client", { app: "client" });
const denyIngress = policy("a", "deny", { podSelector: {}, policyTypes: ["Ingress"] });
const allowed = (w: World, from: Endpoint, to: Endpoint, port: number, protocol?: "TCP" | "UDP") => mayReach(w, from, to, port, protocol).allowed;

describe("the NetworkPolicy model", () => {
    it("leaves a pod that no policy selects open in both directions", () => {
        expect(allowed(world([]), client, web, 8080)).toBe(true);
        // ... but once one selects it for ingress, it is isolated.
        expect(allowed(world([denyIngress]), client, web, 8080)).toBe(false);
    });

    it("isolates a direction only when a policy selecting the pod lists it in policyTypes", () => {
        const egressOnly = world([policy("a", "egress-only", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] })]);
        expect(allowed(egressOnly, client, web, 8080)).toBe(true);
        expect(allowed(egressOnly, web, client, 80)).toBe(false);
    });

    it("defaults policyTypes to Ingress, plus Egress when the policy has egress rules", () => {
        const implicit = world([policy("a", "implicit", { podSelector: { matchLabels: { app: "web" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "client" } } }] }] })]);
        expect(allowed(implicit, web, client, 80)).toBe(true);
        expect(allowed(implicit, web, pod("a", "other", { app: "other" }), 80)).toBe(false);
        expect(allowed(implicit, client, web, 8080)).toBe(false);
    });

    it("admits the union of every policy that selects the pod", () => {
        const union = world([
            denyIngress,
            policy("a", "from-client", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "client" } } }] }] }),
            policy("a", "from-b", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "b" } } }] }] }),
        ]);
        expect(allowed(union, client, web, 8080)).toBe(true);
        expect(allowed(union, pod("b", "x"), web, 8080)).toBe(true);
        expect(allowed(union, pod("c", "x"), web, 8080)).toBe(false);
    });

    it("reads namespaceSelector and podSelector in one peer as AND", () => {
        const and = world([
            policy("a", "and", {
                podSelector: { matchLabels: { app: "web" } },
                ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "b" } }, podSelector: { matchLabels: { role: "caller" } } }] }],
            }),
        ]);
        expect(allowed(and, pod("b", "caller", { role: "caller" }), web, 8080)).toBe(true);
        expect(allowed(and, pod("b", "other", { role: "other" }), web, 8080)).toBe(false);
        expect(allowed(and, pod("c", "caller", { role: "caller" }), web, 8080)).toBe(false);
    });

    it("reads separate peers as OR, a lone podSelector meaning the policy's own namespace", () => {
        const or = world([
            policy("a", "or", {
                podSelector: { matchLabels: { app: "web" } },
                ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "b" } } }, { podSelector: { matchLabels: { role: "caller" } } }] }],
            }),
        ]);
        expect(allowed(or, pod("b", "anyone"), web, 8080)).toBe(true);
        expect(allowed(or, pod("a", "caller", { role: "caller" }), web, 8080)).toBe(true);
        expect(allowed(or, pod("c", "caller", { role: "caller" }), web, 8080)).toBe(false);
    });

    it("reads an empty podSelector as every pod of the namespace and an empty namespaceSelector as every namespace", () => {
        const sameNamespace = world([policy("a", "same", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })]);
        expect(allowed(sameNamespace, client, web, 8080)).toBe(true);
        expect(allowed(sameNamespace, pod("b", "x"), web, 8080)).toBe(false);
        const everywhere = world([policy("a", "all", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })]);
        expect(allowed(everywhere, pod("c", "x"), web, 8080)).toBe(true);
        expect(allowed(everywhere, external("198.51.100.7"), web, 8080)).toBe(false);
    });

    it("recognises a namespace by the kubernetes.io/metadata.name label the control plane sets", () => {
        const byName = world([policy("a", "by-name", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "c" } } }] }] })]);
        expect(allowed(byName, pod("c", "x"), web, 8080)).toBe(true);
        expect(allowed(byName, pod("b", "x"), web, 8080)).toBe(false);
    });

    it("matches ports by number and protocol (TCP when unsaid), and ranges with endPort", () => {
        const ports = world([
            policy("a", "ports", { podSelector: {}, ingress: [{ ports: [{ port: 8080 }, { protocol: "UDP", port: 9000, endPort: 9010 }] }] }),
        ]);
        expect(allowed(ports, client, web, 8080)).toBe(true);
        expect(allowed(ports, client, web, 8081)).toBe(false);
        expect(allowed(ports, client, web, 8080, "UDP")).toBe(false);
        expect(allowed(ports, client, web, 9005, "UDP")).toBe(true);
        expect(allowed(ports, client, web, 9011, "UDP")).toBe(false);
    });

    it("resolves a named port against the destination pod's container ports", () => {
        const named = world([policy("a", "named", { podSelector: {}, ingress: [{ ports: [{ port: "http" }] }] })]);
        expect(allowed(named, client, web, 8080)).toBe(true);
        const elsewhere = pod("a", "api", { app: "api" }, [{ name: "http", containerPort: 9090 }]);
        expect(allowed(named, client, elsewhere, 8080)).toBe(false);
        expect(allowed(named, client, elsewhere, 9090)).toBe(true);
    });

    it("matches ipBlock on outside addresses only, minus its exceptions", () => {
        const block = world([policy("a", "block", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "203.0.113.0/24", except: ["203.0.113.128/25"] } }] }] })]);
        expect(allowed(block, external("203.0.113.5"), web, 8080)).toBe(true);
        expect(allowed(block, external("203.0.113.200"), web, 8080)).toBe(false);
        expect(allowed(block, external("198.51.100.1"), web, 8080)).toBe(false);
        expect(allowed(block, client, web, 8080)).toBe(false);
    });

    it("needs the source's egress and the destination's ingress to both allow a connection", () => {
        const dnsPod = pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, [{ name: "dns", containerPort: 53, protocol: "UDP" }]);
        const egress = world([
            policy("a", "deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
            policy("a", "dns", {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }] }],
            }),
        ]);
        expect(allowed(egress, web, dnsPod, 53, "UDP")).toBe(true);
        expect(allowed(egress, web, dnsPod, 53, "TCP")).toBe(false);
        // Egress open at the source, ingress closed at the destination.
        expect(allowed(egress, pod("b", "x"), web, 8080)).toBe(false);
        expect(allowed(egress, web, pod("b", "x"), 80)).toBe(false);
    });

    it("always allows a pod's own node (kubelet probes) and the pod itself, even under default deny", () => {
        const probed = pod("a", "probed", { app: "web" }, [{ name: "http", containerPort: 8080 }], "node-1");
        expect(allowed(world([denyIngress]), external("10.0.0.11", "node-1"), probed, 8080)).toBe(true);
        expect(allowed(world([denyIngress]), external("10.0.0.12", "node-2"), probed, 8080)).toBe(false);
        expect(allowed(world([denyIngress]), probed, probed, 8080)).toBe(true);
    });

    it("evaluates a Service on the pods behind it, at the port its targetPort names", () => {
        const pods = [(web as { pod: Pod }).pod];
        const service = { name: "web", namespace: "a", selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" }] };
        const onlyHttp = world([policy("a", "http", { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] })]);
        expect(mayReachService(onlyHttp, pods, client, service, 80).allowed).toBe(true);
        const onlyOther = world([policy("a", "other", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] })]);
        expect(mayReachService(onlyOther, pods, client, service, 80).allowed).toBe(false);
        expect(mayReachService(world([]), pods, client, service, 443).allowed).toBe(false);
    });

    it("applies matchExpressions with In, NotIn, Exists and DoesNotExist", () => {
        const labels = { tier: "db", zone: "a" };
        expect(selects({ matchExpressions: [{ key: "tier", operator: "In", values: ["db", "cache"] }] }, labels)).toBe(true);
        expect(selects({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, labels)).toBe(false);
        expect(selects({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(true);
        expect(selects({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(false);
        expect(selects({ matchLabels: { tier: "db" }, matchExpressions: [{ key: "missing", operator: "Exists" }] }, labels)).toBe(false);
    });
});
