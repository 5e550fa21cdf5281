import { cidrsOverlap, isWholeInternet, parseCidr } from "./cidr";
import { environmentProfile } from "./profile";
import { CONFIG_NAMESPACE } from "./errors";
import type { StackConfig } from "./schema";
import type { ServiceSpec } from "./service-schema";

/**
 * Where a stack's HTTPS certificates come from. ACME HTTP-01 needs the ACME server to reach the Gateway on port 80
 * from the Internet: with Octavia the Gateway has a floating IP on a load balancer. Without it (vip mode) the
 * proxies sit on NodePorts of the private node subnet, unreachable by the ACME server, and DNS-01 would need write
 * access to the svom.eu zone, which the project does not hold; there the stack's own CA signs, and users trust its
 * root once (README, "Certificates").
 */
export function certificateSource(config: Pick<StackConfig, "cluster">): "acme-http01" | "internal-ca" {
    return config.cluster.apiEndpoint.mode === "octavia" ? "acme-http01" : "internal-ca";
}

/**
 * Fixed NodePorts of the Gateway's proxies where there is no Octavia, so whatever forwards 80 and 443 to the nodes
 * has a stable target. The one place both layers take them: the Kubernetes layer renders the proxies' Service with
 * them, the OpenStack layer opens them on the workers. Inside kube-apiserver's default --service-node-port-range
 * (30000-32767, Kubernetes "Service" docs, "type: NodePort").
 */
export const GATEWAY_NODE_PORTS = { http: 30080, https: 30443 } as const;

/** The NodePort of an exposed catalog service where there is no Octavia, the same for TCP and UDP (same range). */
export const EXPOSED_NODE_PORT = 30900;

/** One NodePort reached from outside the cluster, and the only networks allowed to reach it. */
export interface OutsideNodePort {
    /** What listens there, for the rule's description. */
    what: string;
    protocol: "tcp" | "udp";
    port: number;
    /** The networks allowed in (IPv4 or IPv6 CIDRs). */
    sources: readonly string[];
}

/** The per-stack networks of an exposed service: its `exposeSourceRanges` ([] = nobody from outside yet). */
export function exposeSources(config: Pick<StackConfig, "services">, service: ServiceSpec): readonly string[] {
    return config.services[service.name]?.exposeSourceRanges ?? [];
}

/**
 * What reaches the workers' NodePorts from outside the node subnet. With Octavia nothing does directly: the amphorae
 * relay from the node subnet (rules.ts opens the NodePort range to it). In vip mode the Gateway's NodePorts take the
 * admin networks (in a stack without a load balancer the Gateway's users are its operators) and each exposed service's
 * NodePort takes the networks the stack declares for it.
 */
export function outsideNodePorts(config: Pick<StackConfig, "cluster" | "access" | "services">, catalog: readonly ServiceSpec[]): OutsideNodePort[] {
    const exposed = catalog.flatMap((service) => {
        const sources = exposeSources(config, service);
        if (!service.expose || sources.length === 0) {
            return [];
        }
        const protocols = new Set(
            service.expose.ports.map((name) => (service.ports?.find((port) => port.name === name)?.protocol ?? "TCP").toLowerCase() as "tcp" | "udp"),
        );
        return [...protocols].sort().map((protocol) => ({ what: service.name, protocol, port: EXPOSED_NODE_PORT, sources }));
    });
    if (config.cluster.apiEndpoint.mode === "octavia") {
        // Only the protocols matter here: the amphorae forward each listener's protocol to the NodePorts.
        return exposed;
    }
    return [
        { what: "Gateway HTTP", protocol: "tcp", port: GATEWAY_NODE_PORTS.http, sources: config.access.adminCidrs },
        { what: "Gateway HTTPS", protocol: "tcp", port: GATEWAY_NODE_PORTS.https, sources: config.access.adminCidrs },
        ...exposed,
    ];
}

/** Blocks reserved for documentation (RFC 5737, RFC 3849): no real sender has these addresses. */
export const DOCUMENTATION_RANGES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"] as const;

/**
 * Every exposed catalog service names, in each stack, the networks allowed to reach it: they are a site's fact
 * (which ground stations, which relays), not the service's. In preprod and prod a documentation block or the whole
 * Internet is refused: the first is a placeholder that admits no real sender, the second opens a packet listener to
 * anyone. `[]` is an explicit "nobody from outside yet", which the stack's warnings repeat on every run.
 */
export function exposureProblems(config: Pick<StackConfig, "environment" | "services">, catalog: readonly ServiceSpec[]): string[] {
    const strict = environmentProfile(config.environment).strictRules;
    return catalog.flatMap((service) => {
        if (!service.expose) {
            return [];
        }
        const key = `${CONFIG_NAMESPACE}:services.${service.name}.exposeSourceRanges`;
        const ranges = config.services[service.name]?.exposeSourceRanges;
        if (ranges === undefined) {
            return [
                `${key}: required: ${service.name} is reached from outside the cluster (expose in services/${service.name}.yaml); list the networks allowed to send to it in this stack (the ground stations' relays), or [] for nobody yet`,
            ];
        }
        return ranges.flatMap((text, index) => {
            const cidr = parseCidr(text);
            const at = `${key}[${index}]`;
            if (!cidr) {
                return [`${at}: expected a CIDR block, got ${JSON.stringify(text)}`];
            }
            if (!strict) {
                return [];
            }
            if (isWholeInternet(cidr)) {
                return [`${at}: ${config.environment} may not open ${service.name} to the whole Internet (${text}): list the ground stations' relay networks`];
            }
            const documentation = DOCUMENTATION_RANGES.find((range) => cidrsOverlap(cidr, parseCidr(range)!));
            return documentation
                ? [
                      `${at}: ${text} is in the documentation block ${documentation} (RFC 5737/3849), a placeholder no real sender uses: replace it with the networks the ground stations' relays send from, or [] to keep ${service.name} closed to the outside in ${config.environment}`,
                  ]
                : [];
        });
    });
}

/** What is allowed but an operator should see on every run: an exposed service nobody outside may reach yet, a placeholder network. */
export function exposureWarnings(config: Pick<StackConfig, "environment" | "services">, catalog: readonly ServiceSpec[]): string[] {
    return catalog.flatMap((service) => {
        const ranges = service.expose ? config.services[service.name]?.exposeSourceRanges : undefined;
        const key = `${CONFIG_NAMESPACE}:services.${service.name}.exposeSourceRanges`;
        if (ranges === undefined) {
            return [];
        }
        if (ranges.length === 0) {
            return [`${key}: empty: nothing outside the cluster reaches ${service.name} in ${config.environment} until the ground stations' networks are listed here`];
        }
        const placeholders = ranges.filter((text) => {
            const cidr = parseCidr(text);
            return cidr !== undefined && DOCUMENTATION_RANGES.some((range) => cidrsOverlap(cidr, parseCidr(range)!));
        });
        return placeholders.length > 0 ? [`${key}: ${placeholders.join(", ")} is a documentation block: no real sender reaches ${service.name} in ${config.environment}`] : [];
    });
}
