/** Reading the Traefik routing labels of a Swarm service (Traefik v2/v3 `traefik.http.*`, and v1 `traefik.frontend.rule`). */

export interface TraefikRoute {
    /** The label holding the rule. */
    ruleLabel: string;
    rule: string;
    hosts: string[];
    pathPrefix?: string;
}

export interface TraefikLabels {
    /** The first router whose rule names a host: the one an ingress can carry. */
    route?: TraefikRoute;
    /** The labels that hold a rule without a host, or a second router. */
    otherRules: string[];
    /** The label giving the container port Traefik sends traffic to, and its value. */
    portLabel?: string;
    port?: number;
}

/** Label maps or `key=value` lists, as both `labels` and `deploy.labels` accept. */
export function labelEntries(labels: unknown): [string, string][] {
    if (Array.isArray(labels)) {
        return labels.map((item: unknown) => {
            const text = String(item);
            const equals = text.indexOf("=");
            return equals < 0 ? [text, ""] : [text.slice(0, equals), text.slice(equals + 1)];
        });
    }
    if (labels !== null && typeof labels === "object") {
        return Object.entries(labels).map(([key, value]: [string, unknown]) => [key, value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value)]);
    }
    return [];
}

function quotedArguments(call: string): string[] {
    return [...call.matchAll(/[`"']([^`"']*)[`"']/g)].map((match) => match[1]);
}

function parseRule(ruleLabel: string, rule: string): TraefikRoute {
    // v2/v3: Host(`a.org`) && PathPrefix(`/api`); v1: Host:a.org,b.org;PathPrefix:/api
    const hosts = [...rule.matchAll(/\bHost\(([^)]*)\)/g)].flatMap((match) => quotedArguments(match[1]));
    const v1Hosts = [...rule.matchAll(/(?:^|;)\s*Host:\s*([^;]+)/g)].flatMap((match) => match[1].split(",").map((host) => host.trim()));
    const prefix = /\bPathPrefix\(([^)]*)\)/.exec(rule);
    const v1Prefix = /(?:^|;)\s*PathPrefix:\s*([^;,]+)/.exec(rule);
    const pathPrefix = prefix ? quotedArguments(prefix[1])[0] : v1Prefix?.[1].trim();
    return { ruleLabel, rule, hosts: [...hosts, ...v1Hosts].filter((host) => host.length > 0), pathPrefix };
}

export function readTraefikLabels(entries: readonly [string, string][]): TraefikLabels {
    const result: TraefikLabels = { otherRules: [] };
    for (const [key, value] of entries) {
        if (/^traefik\.http\.routers\.[^.]+\.rule$/.test(key) || key === "traefik.frontend.rule") {
            const route = parseRule(key, value);
            if (!result.route && route.hosts.length > 0) result.route = route;
            else result.otherRules.push(key);
        } else if (/^traefik\.http\.services\.[^.]+\.loadbalancer\.server\.port$/.test(key) || key === "traefik.port") {
            const port = Number(value);
            if (result.portLabel === undefined && Number.isInteger(port)) {
                result.portLabel = key;
                result.port = port;
            }
        }
    }
    return result;
}
