import type * as k8s from "@pulumi/kubernetes";
import { calledPorts, callsTo, parseCall } from "../config/catalog-references";
import { cidrsOverlap, parseCidr } from "../config/cidr";
import { PORTS } from "../config/ports";
import { podSelectorLabels } from "./data/cnpg";
import type { GatewayRef } from "./gateway-manifests";
import type { ResolvedService } from "./service-defaults";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type PolicyPort = k8s.types.input.networking.v1.NetworkPolicyPort;
type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/**
 * The cluster DNS: kubeadm's CoreDNS Deployment in kube-system, labelled k8s-app=kube-dns, serving 53 over UDP and
 * TCP (kubeadm's addon manifests, cmd/kubeadm/app/phases/addons/dns/manifests.go).
 */
export const CLUSTER_DNS = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, port: 53 } as const;


/** What a service's NetworkPolicy needs to know beyond the service itself. */
export interface PolicyContext {
    /** The whole resolved catalog: callers are found by their `connectsTo`. */
    catalog: readonly ResolvedService[];
    gateway: GatewayRef;
    /** Pod and Service ranges, carved out of external egress so that an Internet range never opens pod traffic. */
    clusterCidrs: readonly string[];
    /** How exposed services are reached: through Octavia (whose amphorae sit in the node subnet) or on NodePorts. */
    externalAccess: { loadBalancers: boolean; nodeCidr: string };
}

/**
 * Where outside packets to an exposed service come from, as its pods see them. Behind Octavia the amphora (a port
 * on the node subnet) or, with externalTrafficPolicy Cluster, the forwarding node opens the connection: the node
 * subnet; the declared source networks are enforced on the load balancer (loadBalancerSourceRanges, Octavia
 * allowed_cidrs). On NodePorts with externalTrafficPolicy Local the client's own address arrives: the declared
 * networks themselves.
 */
export function exposedSources(service: ResolvedService, context: PolicyContext): string[] {
    if (!service.expose) {
        return [];
    }
    return context.externalAccess.loadBalancers ? [context.externalAccess.nodeCidr] : [...service.expose.sourceRanges];
}

const namespaceOf = (namespace: string) => ({ matchLabels: { "kubernetes.io/metadata.name": namespace } });
const servicePods = (service: ResolvedService): Peer => ({
    namespaceSelector: namespaceOf(service.namespace),
    // A database's pods are the operator's, labelled cnpg.io/cluster, not app.kubernetes.io/name.
    podSelector: { matchLabels: podSelectorLabels(service) },
});

function portOf(service: ResolvedService, name: string): PolicyPort {
    const port = service.ports.find((candidate) => candidate.name === name);
    if (!port) {
        throw new Error(`${service.name} has no port ${name}`);
    }
    return { port: port.port, protocol: port.protocol };
}

/**
 * Ingress: each caller on the ports it declares in connectsTo (and the target admits), the Gateway's proxies on the
 * routed port, the service's own replicas (a StatefulSet's members replicate on every port; `peersOnly` ports are
 * theirs alone).
 */
function ingressRules(service: ResolvedService, context: PolicyContext): IngressRule[] {
    const rules: IngressRule[] = [];
    const byCaller = new Map<string, { caller: ResolvedService; ports: string[] }>();
    for (const { caller, port } of callsTo(service, context.catalog)) {
        const key = `${caller.namespace}/${caller.name}`;
        const entry = byCaller.get(key) ?? { caller, ports: [] };
        entry.ports.push(port);
        byCaller.set(key, entry);
    }
    for (const { caller, ports } of [...byCaller.values()].sort((a, b) => a.caller.name.localeCompare(b.caller.name))) {
        rules.push({ from: [servicePods(caller)], ports: ports.map((name) => portOf(service, name)) });
    }
    if (service.ingress) {
        rules.push({
            from: [{ namespaceSelector: namespaceOf(context.gateway.proxyNamespace), podSelector: { matchLabels: context.gateway.proxyPodLabels } }],
            ports: [portOf(service, service.ingress.port)],
        });
    }
    const peerPorts = service.kind === "StatefulSet" ? service.ports : service.ports.filter((port) => port.peersOnly);
    if (peerPorts.length > 0) {
        rules.push({ from: [servicePods(service)], ports: peerPorts.map((port) => ({ port: port.port, protocol: port.protocol })) });
    }
    if (service.expose) {
        rules.push({ from: exposedSources(service, context).map((cidr) => ({ ipBlock: { cidr } })), ports: service.expose.ports.map((name) => portOf(service, name)) });
    }
    return rules;
}

/** The cluster ranges inside a declared external range, to except from it (ipBlock.except must lie within cidr). */
function clusterRangesWithin(cidr: string, clusterCidrs: readonly string[]): string[] {
    const outer = parseCidr(cidr);
    return clusterCidrs.filter((inner) => {
        const parsed = parseCidr(inner);
        return outer && parsed && cidrsOverlap(outer, parsed) && parsed.prefix > outer.prefix;
    });
}

/** Egress: DNS, each declared call on its port, the service's own replicas, and the declared outside addresses. */
function egressRules(service: ResolvedService, context: PolicyContext): EgressRule[] {
    const rules: EgressRule[] = [
        {
            to: [{ namespaceSelector: namespaceOf(CLUSTER_DNS.namespace), podSelector: { matchLabels: { ...CLUSTER_DNS.labels } } }],
            ports: [
                { protocol: "UDP", port: CLUSTER_DNS.port },
                { protocol: "TCP", port: CLUSTER_DNS.port },
            ],
        },
    ];
    const byTarget = new Map<string, { target: ResolvedService; ports: string[] }>();
    for (const call of service.connectsTo.map(parseCall)) {
        const target = context.catalog.find((candidate) => candidate.domain === call.domain && candidate.name === call.name);
        if (!target) {
            // Only a partial catalog (a draft rendered alone) lacks it; parseCatalog refuses the full one. No rule:
            // the call stays denied.
            continue;
        }
        const entry = byTarget.get(target.name) ?? { target, ports: [] };
        entry.ports.push(...calledPorts(call, target));
        byTarget.set(target.name, entry);
    }
    for (const { target, ports } of [...byTarget.values()].sort((a, b) => a.target.name.localeCompare(b.target.name))) {
        // An empty port list would mean every port: a target that opens none to callers gets no rule.
        if (ports.length > 0) {
            rules.push({ to: [servicePods(target)], ports: ports.map((name) => portOf(target, name)) });
        }
    }
    const peerPorts = service.kind === "StatefulSet" ? service.ports : service.ports.filter((port) => port.peersOnly);
    if (peerPorts.length > 0) {
        rules.push({ to: [servicePods(service)], ports: peerPorts.map((port) => ({ port: port.port, protocol: port.protocol })) });
    }
    if (service.kubernetesApi) {
        // The `kubernetes` Service's endpoints are the API servers' advertise addresses on the node subnet, port
        // 6443 (kubeadm's default bind port); policy applies to the translated destination.
        rules.push({ to: [{ ipBlock: { cidr: context.externalAccess.nodeCidr } }], ports: [{ protocol: "TCP", port: PORTS.kubeApi }] });
    }
    for (const outside of service.connectsToExternal) {
        const except = clusterRangesWithin(outside.cidr, context.clusterCidrs);
        rules.push({
            to: [{ ipBlock: { cidr: outside.cidr, ...(except.length > 0 ? { except } : {}) } }],
            ports: outside.ports.map((port) => ({ protocol: "TCP", port })),
        });
    }
    return rules;
}

/** The NetworkPolicy of one service: its pods isolated both ways, opened only to what the catalog declares. */
export function servicePolicySpec(service: ResolvedService, context: PolicyContext): k8s.types.input.networking.v1.NetworkPolicySpec {
    return {
        podSelector: { matchLabels: { "app.kubernetes.io/name": service.name } },
        policyTypes: ["Ingress", "Egress"],
        ingress: ingressRules(service, context),
        egress: egressRules(service, context),
    };
}
