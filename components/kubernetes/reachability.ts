/**
 * A model of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), pure and small, that answers "may A reach B
 * on port P" over plain objects. Each rule cites the Kubernetes documentation, "Network Policies"
 * (kubernetes.io/docs/concepts/services-networking/network-policies/, v1.36) — [NP] below — or the API reference of
 * NetworkPolicySpec / NetworkPolicyPeer / NetworkPolicyPort (kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/)
 * — [API] below.
 */

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface PolicyPeer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyPort {
    protocol?: Protocol;
    port?: number | string;
    endPort?: number;
}

export interface PolicySpec {
    podSelector: LabelSelector;
    policyTypes?: ("Ingress" | "Egress")[];
    ingress?: { from?: PolicyPeer[]; ports?: PolicyPort[] }[];
    egress?: { to?: PolicyPeer[]; ports?: PolicyPort[] }[];
}

export interface Policy {
    metadata: { name: string; namespace: string };
    spec: PolicySpec;
}

export interface ContainerPort {
    name?: string;
    containerPort: number;
    protocol?: Protocol;
}

export interface Pod {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ports: ContainerPort[];
    /** The node the pod runs on; traffic between a pod and its own node is always allowed. */
    node?: string;
}

/** An endpoint outside the pod network: a client on the Internet, a node, the API server behind its node address. */
export interface ExternalEndpoint {
    ip: string;
    /** Set when the address is a node's: its pods may always talk to it. */
    node?: string;
}

export type Endpoint = { pod: Pod } | { external: ExternalEndpoint };

export interface World {
    /** Namespace name -> its labels. */
    namespaces: Map<string, Record<string, string>>;
    policies: readonly Policy[];
}

export interface Verdict {
    allowed: boolean;
    /** Why, in a line, e.g. "ingress of fsgs-data/database-0 allowed by database". */
    reason: string;
}

/** [API] LabelSelector: the requirements are ANDed; an empty selector matches everything. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    const byExpressions = (selector.matchExpressions ?? []).every((expression) => {
        const present = Object.prototype.hasOwnProperty.call(labels, expression.key);
        switch (expression.operator) {
            case "In":
                return present && (expression.values ?? []).includes(labels[expression.key]);
            case "NotIn":
                return !present || !(expression.values ?? []).includes(labels[expression.key]);
            case "Exists":
                return present;
            case "DoesNotExist":
                return !present;
        }
    });
    return byLabels && byExpressions;
}

/**
 * [API] policyTypes: when absent, Ingress is always included and Egress only if the policy has egress rules.
 */
function policyTypes(spec: PolicySpec): ("Ingress" | "Egress")[] {
    if (spec.policyTypes && spec.policyTypes.length > 0) {
        return spec.policyTypes;
    }
    return spec.egress && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

/**
 * [NP] "The Kubernetes control plane sets an immutable label kubernetes.io/metadata.name on all namespaces, the
 * value of the label is the namespace name."
 */
function namespaceLabels(world: World, namespace: string): Record<string, string> {
    return { ...(world.namespaces.get(namespace) ?? {}), "kubernetes.io/metadata.name": namespace };
}

function ipToNumber(ip: string): number {
    return ip.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

function inCidr(ip: string, cidr: string): boolean {
    const [base, prefixText] = cidr.split("/");
    const prefix = Number(prefixText);
    const size = 2 ** (32 - prefix);
    const start = Math.floor(ipToNumber(base) / size) * size;
    const address = ipToNumber(ip);
    return address >= start && address < start + size;
}

/**
 * Whether a peer of a policy in `policyNamespace` designates an endpoint.
 * [NP] podSelector alone: pods of the policy's own namespace; namespaceSelector alone: every pod of the selected
 * namespaces; both in one peer: the selected pods within the selected namespaces (AND). ipBlock: IP ranges, with
 * `except`; [NP] "ipBlock ... should be cluster-external IPs, since Pod IPs are ephemeral": pod addresses are not
 * matched by ipBlock in this model (the docs leave it to the implementation whether they are).
 */
function peerDesignates(world: World, policyNamespace: string, peer: PolicyPeer, endpoint: Endpoint): boolean {
    if (peer.ipBlock) {
        if (!("external" in endpoint)) {
            return false;
        }
        const { ip } = endpoint.external;
        return inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((except) => inCidr(ip, except));
    }
    if (!("pod" in endpoint)) {
        return false;
    }
    const pod = endpoint.pod;
    const namespaceMatches = peer.namespaceSelector
        ? selects(peer.namespaceSelector, namespaceLabels(world, pod.namespace))
        : pod.namespace === policyNamespace;
    const podMatches = peer.podSelector ? selects(peer.podSelector, pod.labels) : true;
    return namespaceMatches && podMatches;
}

/**
 * [API] NetworkPolicyPort: protocol defaults to TCP; port is a number or a named port, and when absent matches
 * every port; endPort makes a range. A named port is resolved against the destination pod's container ports: the
 * receiving pod for ingress, the pod connected to for egress ([NP] "you can also use named ports").
 */
function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: Protocol, destination: Endpoint): boolean {
    if (!ports || ports.length === 0) {
        return true;
    }
    return ports.some((rule) => {
        if ((rule.protocol ?? "TCP") !== protocol) {
            return false;
        }
        if (rule.port === undefined) {
            return true;
        }
        if (typeof rule.port === "string") {
            if (!("pod" in destination)) {
                return false;
            }
            return destination.pod.ports.some(
                (declared) => declared.name === rule.port && declared.containerPort === port && (declared.protocol ?? "TCP") === protocol,
            );
        }
        return rule.endPort !== undefined ? port >= rule.port && port <= rule.endPort : port === rule.port;
    });
}

function policiesSelecting(world: World, pod: Pod, direction: "Ingress" | "Egress"): Policy[] {
    return world.policies.filter(
        (policy) => policy.metadata.namespace === pod.namespace && policyTypes(policy.spec).includes(direction) && selects(policy.spec.podSelector, pod.labels),
    );
}

function describe(endpoint: Endpoint): string {
    return "pod" in endpoint ? `${endpoint.pod.namespace}/${endpoint.pod.name}` : endpoint.external.ip;
}

/**
 * One direction at one end. [NP] "a pod is isolated for ingress [egress] if there is any NetworkPolicy that both
 * selects the pod and has Ingress [Egress] in its policyTypes"; otherwise that direction is open. For an isolated
 * pod, "the only allowed connections ... are those allowed by the ingress [egress] list of some NetworkPolicy that
 * applies": policies are additive, the union of their rules. An empty `from`/`to` matches every peer.
 */
function sideAllows(world: World, subject: Pod, other: Endpoint, direction: "Ingress" | "Egress", port: number, protocol: Protocol, destination: Endpoint): Verdict {
    const policies = policiesSelecting(world, subject, direction);
    const side = direction === "Ingress" ? "ingress" : "egress";
    if (policies.length === 0) {
        return { allowed: true, reason: `${side} of ${subject.namespace}/${subject.name} not isolated` };
    }
    for (const policy of policies) {
        const rules = direction === "Ingress" ? (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
        for (const rule of rules) {
            const peerOk = !rule.peers || rule.peers.length === 0 || rule.peers.some((peer) => peerDesignates(world, policy.metadata.namespace, peer, other));
            if (peerOk && portMatches(rule.ports, port, protocol, destination)) {
                return { allowed: true, reason: `${side} of ${subject.namespace}/${subject.name} allowed by ${policy.metadata.name}` };
            }
        }
    }
    return { allowed: false, reason: `${side} of ${subject.namespace}/${subject.name} denied (selected by ${policies.map((p) => p.metadata.name).join(", ")}; no rule admits ${describe(other)} on ${port}/${protocol})` };
}

/**
 * May `from` open a connection to `to` on `port`? [NP] "for a connection from a source pod to a destination pod
 * to be allowed, both the egress policy on the source pod and the ingress policy on the destination pod need to
 * allow the connection". [NP] "traffic to and from the node where a Pod is running is always allowed" (kubelet
 * probes). Replies on an allowed connection are implicitly allowed, so only the opening direction is asked.
 */
export function mayReach(world: World, from: Endpoint, to: Endpoint, port: number, protocol: Protocol = "TCP"): Verdict {
    const nodeOf = (endpoint: Endpoint) => ("pod" in endpoint ? endpoint.pod.node : endpoint.external.node);
    // [NP] "a pod cannot block access to itself".
    if ("pod" in from && "pod" in to && from.pod.namespace === to.pod.namespace && from.pod.name === to.pod.name) {
        return { allowed: true, reason: "a pod cannot block access to itself" };
    }
    if ("external" in from && from.external.node !== undefined && from.external.node === nodeOf(to)) {
        return { allowed: true, reason: "node-local traffic is always allowed" };
    }
    if ("pod" in from) {
        const egress = sideAllows(world, from.pod, to, "Egress", port, protocol, to);
        if (!egress.allowed) {
            return egress;
        }
    }
    if ("pod" in to) {
        return sideAllows(world, to.pod, from, "Ingress", port, protocol, to);
    }
    return { allowed: true, reason: "egress allowed; the destination is outside the pod network" };
}

/** One end's own say: whether the source's egress policies, or the destination's ingress policies, allow the connection. */
export function sideVerdict(world: World, side: "Egress" | "Ingress", from: Endpoint, to: Endpoint, port: number, protocol: Protocol = "TCP"): Verdict {
    if (side === "Egress") {
        return "pod" in from ? sideAllows(world, from.pod, to, "Egress", port, protocol, to) : { allowed: true, reason: "not a pod" };
    }
    return "pod" in to ? sideAllows(world, to.pod, from, "Ingress", port, protocol, to) : { allowed: true, reason: "not a pod" };
}

export interface Service {
    name: string;
    namespace: string;
    selector: Record<string, string>;
    ports: { port: number; targetPort: number | string; protocol?: Protocol }[];
}

/**
 * A connection to a Service is evaluated against the pods behind it, on the pod port its targetPort (name or number)
 * designates: pod and namespace selectors name pods, not Service addresses, and Calico and Cilium evaluate policy on
 * the translated destination. ([NP] leaves it undefined whether rewriting happens before or after policy for
 * ipBlock; for selectors the pod is the only thing to match.) Reachable when every backing pod admits it.
 */
export function mayReachService(world: World, pods: readonly Pod[], from: Endpoint, service: Service, port: number, protocol: Protocol = "TCP"): Verdict {
    const servicePort = service.ports.find((candidate) => candidate.port === port && (candidate.protocol ?? "TCP") === protocol);
    if (!servicePort) {
        return { allowed: false, reason: `service ${service.namespace}/${service.name} has no port ${port}/${protocol}` };
    }
    const backends = pods.filter((pod) => pod.namespace === service.namespace && selects({ matchLabels: service.selector }, pod.labels));
    if (backends.length === 0) {
        return { allowed: false, reason: `service ${service.namespace}/${service.name} selects no pod` };
    }
    for (const pod of backends) {
        const target =
            typeof servicePort.targetPort === "number"
                ? servicePort.targetPort
                : pod.ports.find((candidate) => candidate.name === servicePort.targetPort)?.containerPort;
        if (target === undefined) {
            return { allowed: false, reason: `${pod.namespace}/${pod.name} has no port named ${servicePort.targetPort}` };
        }
        const verdict = mayReach(world, from, { pod }, target, protocol);
        if (!verdict.allowed) {
            return verdict;
        }
    }
    return { allowed: true, reason: `every pod behind ${service.namespace}/${service.name} admits it` };
}
