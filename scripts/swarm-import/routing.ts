import { asList, asText, isRecord, isScalar, type Reference, type ServiceContext, type StackContext } from "./context";
import { childPath, HIDDEN } from "./findings";
import { parseImageReference } from "./image";
import { labelEntries, readTraefikLabels, type TraefikRoute } from "./traefik";

/** Who reaches the service and how: ports, Traefik labels, overlay networks, and the names other services use. */

/** Port ranges wider than this are more likely a mistake than a list of container ports. */
const MAX_PORT_RANGE = 20;

interface PortSpec {
    target: number;
    protocol: string;
    published?: string;
    hostIp?: string;
    mode?: string;
}

function portRange(text: string): number[] | undefined {
    const match = /^([0-9]+)(?:-([0-9]+))?$/.exec(text.trim());
    if (!match) return undefined;
    const first = Number(match[1]);
    const last = Number(match[2] ?? match[1]);
    if (last < first || last - first >= MAX_PORT_RANGE) return undefined;
    return Array.from({ length: last - first + 1 }, (_, offset) => first + offset);
}

/** Short (`80`, `8080:80`, `127.0.0.1:8080:80/udp`, `8000-8002:8000-8002`) and long port syntax. */
function parsePort(item: unknown): PortSpec[] | undefined {
    if (isRecord(item)) {
        const target = Number(item.target);
        if (!Number.isInteger(target)) return undefined;
        return [{
            target,
            protocol: typeof item.protocol === "string" ? item.protocol.toLowerCase() : "tcp",
            published: item.published === undefined ? undefined : asText(item.published),
            hostIp: typeof item.host_ip === "string" ? item.host_ip : undefined,
            mode: typeof item.mode === "string" ? item.mode : undefined,
        }];
    }
    if (!isScalar(item)) return undefined;
    let text = String(item);
    let protocol = "tcp";
    const slash = text.lastIndexOf("/");
    if (slash >= 0) {
        protocol = text.slice(slash + 1).toLowerCase();
        text = text.slice(0, slash);
    }
    const colon = text.lastIndexOf(":");
    const targets = portRange(text.slice(colon + 1));
    if (targets === undefined) return undefined;
    const before = colon >= 0 ? text.slice(0, colon) : undefined;
    const hostColon = before?.lastIndexOf(":") ?? -1;
    const published = before === undefined ? undefined : before.slice(hostColon + 1) || undefined;
    const hostIp = before !== undefined && hostColon >= 0 ? before.slice(0, hostColon) : undefined;
    return targets.map((target) => ({ target, protocol, published, hostIp }));
}

/** Adds a container port once, named after its protocol and number (`tcp-5672`); returns its name. */
export function addPort(context: ServiceContext, port: number, protocol: "TCP" | "UDP"): string {
    const existing = context.draft.ports.find((candidate) => candidate.port === port && (candidate.protocol ?? "TCP") === protocol);
    if (existing) return existing.name;
    const name = `${protocol.toLowerCase()}-${port}`;
    context.draft.ports.push({ name, port, protocol });
    return name;
}

function mapPortList(context: ServiceContext, key: "ports" | "expose"): void {
    const value = context.raw[key];
    asList(value).forEach((item, index) => {
        const path = Array.isArray(value) ? context.at(key, index) : context.at(key);
        const specs = parsePort(item);
        if (specs === undefined || specs.some((spec) => spec.target < 1 || spec.target > 65535)) {
            context.note(path, item, "unmapped", `not a port the importer understands (ranges up to ${MAX_PORT_RANGE} ports): add it to ports by hand`);
            return;
        }
        for (const spec of specs) {
            if (spec.protocol !== "tcp" && spec.protocol !== "udp") {
                context.note(path, item, "unmapped", `protocol ${spec.protocol}: the catalog has TCP and UDP ports only`);
                continue;
            }
            addPort(context, spec.target, spec.protocol === "tcp" ? "TCP" : "UDP");
        }
        const targets = specs.map((spec) => spec.target).join(", ");
        if (key === "expose") {
            context.note(path, item, "info", `became the container port ${targets}, reached through the Service`);
        } else if (specs[0].published !== undefined) {
            context.note(path, item, "approximated", `published on ${publishedWhere(specs[0])} under Swarm; now the container port ${targets}, reached through the Service inside the cluster only: expose HTTP through ingress; anything else: list it under expose.ports with the clients' networks in expose.sourceRanges`);
        }
    });
}

function publishedWhere(spec: PortSpec): string {
    const node = spec.mode === "host" ? "the node running each task (host mode)" : "every Swarm node (routing mesh)";
    return `port ${spec.published ?? "?"} of ${node}${spec.hostIp ? `, bound to ${spec.hostIp}` : ""}`;
}

export function mapPorts(context: ServiceContext): void {
    mapPortList(context, "ports");
}

export function mapExpose(context: ServiceContext): void {
    mapPortList(context, "expose");
}

/** Traefik keys the ingress replaces as a whole: HTTPS is the Gateway's, with a cert-manager certificate. */
const COVERED_BY_INGRESS = /^traefik\.(enable|docker\.network|http\.routers\.[^.]+\.(entrypoints|tls(\..*)?|service)|http\.services\.[^.]+\.loadbalancer\.server\.(port|scheme)|port|frontend\.entryPoints)$/;

export function mapLabels(context: ServiceContext): void {
    const deploy = isRecord(context.raw.deploy) ? context.raw.deploy : {};
    const sources: [string[], unknown][] = [[["labels"], context.raw.labels], [["deploy", "labels"], deploy.labels]];
    // A list item shows whole (`key=value`): its path names only its index.
    const labels: { key: string; value: string; path: string; shown: string }[] = [];
    for (const [keys, raw] of sources) {
        if (raw === undefined) continue;
        labelEntries(raw).forEach(([key, value], index) => {
            const listed = Array.isArray(raw);
            labels.push({ key, value, path: listed ? context.at(...keys, index) : context.at(...keys, key), shown: listed ? `${key}=${value}` : value });
        });
    }
    const traefik = readTraefikLabels(labels.map(({ key, value }) => [key, value]));
    const route = traefik.route;

    for (const { key, path, shown: written } of labels) {
        // Basic-auth users (with their password hashes) and the like are credentials: the report shows none.
        const shown = /basicauth|digestauth|password|secret|token|apikey/i.test(key) ? HIDDEN : written;
        if (route && key === route.ruleLabel) {
            mapRoute(context, path, shown, route, traefik.port);
        } else if (route && COVERED_BY_INGRESS.test(key)) {
            context.note(path, shown, "info", "covered by the ingress: the cluster's Gateway serves HTTPS with a cert-manager certificate");
        } else if (key.startsWith("traefik.")) {
            const reason = traefik.otherRules.includes(key) ? "a second route, or one without a Host rule" : "Traefik routing (middlewares, headers...) has no catalog field; the Gateway would need HTTPRoute filters or policies";
            context.note(path, shown, "unmapped", `${reason}: add it by hand if it matters`);
        } else {
            context.note(path, shown, "unmapped", "the catalog sets no labels: the Microservice sets its own; add a field if something reads this one");
        }
    }
}

function mapRoute(context: ServiceContext, path: string, shown: string, route: TraefikRoute, labelledPort: number | undefined): void {
    const rule = route.rule;
    let portName: string;
    const caveats: string[] = [];
    if (labelledPort !== undefined) {
        const known = context.draft.ports.some((port) => port.port === labelledPort);
        portName = addPort(context, labelledPort, "TCP");
        if (!known) caveats.push(`Traefik's port ${labelledPort} was not among the service's ports: added as ${portName}.`);
    } else if (context.draft.ports.length > 0) {
        portName = context.draft.ports[0].name;
        if (context.draft.ports.length > 1) caveats.push(`No Traefik port label: took the first port, ${portName}; check it.`);
    } else {
        context.note(path, shown, "unmapped", "a Traefik route, but the service declares no port and no loadbalancer.server.port label: add the port and the ingress by hand");
        return;
    }
    const [host, ...otherHosts] = route.hosts;
    context.draft.ingress = { host, path: route.pathPrefix ?? "/", port: portName };
    if (otherHosts.length > 0) caveats.push(`The other hosts (${otherHosts.join(", ")}) are not carried: the catalog has one host per service.`);
    const rest = rule.replace(/\bHost\([^)]*\)|\bPathPrefix\([^)]*\)|Host:[^;]*|PathPrefix:[^;]*|&&|\|\||[;()\s]/g, "");
    if (rest.length > 0) caveats.push(`The rest of the rule is not carried: ${rule}.`);
    context.note(path, shown, "approximated", [`became ingress {host: ${host}, path: ${route.pathPrefix ?? "/"}, port: ${portName}}, served over HTTPS by the cluster's Gateway with a cert-manager certificate: point the DNS name at the Gateway's address.`, ...caveats].join(" "));
}

/** The networks a service is attached to; Swarm puts a service without `networks` on the stack's `default`. */
export function serviceNetworks(service: Record<string, unknown>): string[] {
    const networks = service.networks;
    if (Array.isArray(networks)) return networks.map(String);
    if (isRecord(networks)) return Object.keys(networks);
    return ["default"];
}

export function mapNetworks(context: ServiceContext): void {
    const networks = serviceNetworks(context.raw);
    const path = context.raw.networks === undefined ? context.path : context.at("networks");
    const attachments = context.raw.networks;
    if (isRecord(attachments)) {
        for (const [network, attachment] of Object.entries(attachments)) {
            if (!isRecord(attachment)) continue;
            for (const [key, value] of Object.entries(attachment)) {
                const message = key === "aliases"
                    ? "network aliases are not carried: other services reach this one by its Service name"
                    : "fixed addresses and other attachment settings have no equivalent: pods get their address from the CNI";
                context.note(childPath(context.at("networks", network), key), value, "unmapped", message);
            }
        }
    }

    // The caller's side of the callees' allowFrom: every port the services it names open to callers.
    for (const [callee, references] of context.stack.callers) {
        if (callee !== context.composeName && references.some((reference) => reference.caller === context.composeName)) {
            context.draft.connectsTo.push(`${context.stack.domain}/${context.stack.names.get(callee) ?? callee}`);
        }
    }
    context.draft.connectsTo.sort();
    const sharing: string[] = [];
    for (const network of networks) {
        const members = (context.stack.networkMembers.get(network) ?? []).filter((member) => member !== context.composeName);
        const declaration = context.stack.networks[network];
        const external = isRecord(declaration) && (declaration.external === true || isRecord(declaration.external));
        sharing.push(`${network}${external ? " (external: services of other stacks too)" : ""}: ${members.length > 0 ? members.join(", ") : "no other service of this stack"}`);
    }
    if (context.draft.ports.length === 0) {
        context.note(path, networks, "info", `allowFrom left empty: the service declares no port to connect to. Networks shared: ${sharing.join("; ")}`);
        return;
    }
    // A shared network says who could connect, not who does: only a caller naming this service is a client.
    const callers = context.stack.callers.get(context.composeName) ?? [];
    const clients = [...new Set(callers.map(({ caller }) => `${context.stack.domain}/${context.stack.names.get(caller) ?? caller}`))].sort();
    context.draft.allowFrom.push(...clients);
    if (context.draft.ingress) context.draft.allowFrom.push("ingress");
    const inferred = callers.length > 0 ? `allowFrom holds the services that name this one: ${callers.map(({ caller, path: where }) => `${caller} (${where})`).join(", ")}.` : "No service of the stack names this one in its environment or command, so allowFrom names no service.";
    context.note(
        path,
        networks,
        clients.length > 0 ? "approximated" : "unmapped",
        `${inferred} Swarm let every service on the same network connect, on any port (${sharing.join("; ")}), which says nothing about who calls whom: add the domain/name of every other client (one that finds this service through its code or a config file), or it is refused. A Service forwards only the ports it lists: add any other port clients use.`,
    );
}

/** Where each service of the stack is named by another: in an environment value or a command word, as a host, `host:port` or URL. */
export function findCallers(stack: Pick<StackContext, "names" | "stackName">, services: Readonly<Record<string, unknown>>): Map<string, Reference[]> {
    const aliases = hostAliases(stack);
    const callers = new Map<string, Reference[]>();
    const add = (callee: string | undefined, reference: Reference) => {
        if (callee === undefined || callee === reference.caller) return;
        const list = callers.get(callee) ?? [];
        const known = list.find((other) => other.caller === reference.caller);
        if (!known) list.push(reference);
        else if (known.port === undefined && reference.port !== undefined) list.splice(list.indexOf(known), 1, reference);
        callers.set(callee, list);
    };
    const composeOf = new Map([...stack.names].map(([compose, name]) => [name, compose]));
    for (const [caller, raw] of Object.entries(services)) {
        if (!isRecord(raw)) continue;
        const texts: [string, string][] = [];
        const environment = raw.environment;
        if (Array.isArray(environment)) environment.forEach((item, index) => texts.push([String(item).slice(String(item).indexOf("=") + 1), childPath(childPath(childPath("services", caller), "environment"), index)]));
        else if (isRecord(environment)) for (const [name, value] of Object.entries(environment)) if (isScalar(value)) texts.push([String(value), childPath(childPath(childPath("services", caller), "environment"), name)]);
        for (const key of ["command", "entrypoint"]) {
            const value = raw[key];
            const words = Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(/\s+/) : [];
            words.forEach((word) => texts.push([word, childPath(childPath("services", caller), key)]));
        }
        for (const [text, where] of texts) {
            for (const { host, port } of hostsIn(text)) {
                const name = aliases.get(host);
                add(name === undefined ? undefined : composeOf.get(name), { caller, path: where, port });
            }
        }
    }
    return callers;
}

/** Host names in a value, with the port when one is given: the whole value, URLs' hosts, `host:port`, `a:1,b:2` lists. */
function hostsIn(text: string): { host: string; port?: number }[] {
    const hosts: { host: string; port?: number }[] = [];
    const found = (host: string, port: string | undefined) => hosts.push({ host, ...(port !== undefined ? { port: Number(port) } : {}) });
    for (const part of text.split(/[,;\s]+/)) {
        const stripped = part.replace(/^--?[A-Za-z0-9-]+=/, "");
        const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/\s]*@)?([A-Za-z0-9_.-]+)(?::([0-9]{1,5}))?(?:[/?#].*)?$/s.exec(stripped);
        if (match) found(match[1], match[2]);
    }
    for (const url of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?([A-Za-z0-9_.-]+)(?::([0-9]{1,5}))?/gi)) found(url[1], url[2]);
    return hosts;
}

/**
 * The ports of the official images on Docker Hub, from the EXPOSE of their Dockerfiles (github.com/docker-library:
 * redis, postgres, mysql, mariadb, mongo, rabbitmq, memcached): the main port only, which clients use.
 */
const OFFICIAL_IMAGE_PORTS: Readonly<Record<string, number>> = {
    "library/redis": 6379,
    "library/postgres": 5432,
    "library/mysql": 3306,
    "library/mariadb": 3306,
    "library/mongo": 27017,
    "library/rabbitmq": 5672,
    "library/memcached": 11211,
};

/**
 * A service that declares no port still listened under Swarm (its virtual IP forwarded every port), but a
 * Kubernetes Service forwards only the ports it lists: take the port its callers name, or its official image's.
 */
export function inferPorts(context: ServiceContext): void {
    const declared = context.draft.ports.length > 0;
    // A port a caller names is one it uses, declared or not (the celery stack's flower uses rabbit:5672, which publishes 15672 only).
    const named = (context.stack.callers.get(context.composeName) ?? []).filter((reference) => reference.port !== undefined && reference.port >= 1 && reference.port <= 65535 && !context.draft.ports.some((port) => port.port === reference.port && port.protocol === "TCP"));
    for (const reference of named) {
        const name = addPort(context, reference.port ?? 0, "TCP");
        context.note(context.path, "(no ports)", "approximated", `port ${reference.port} (${name}) added: ${reference.caller} connects to it (${reference.path}); Swarm forwarded every port, the Service forwards only those listed`);
    }
    if (declared || named.length > 0 || typeof context.raw.image !== "string") return;
    const image = parseImageReference(context.raw.image);
    const port = image.host === "docker.io" ? OFFICIAL_IMAGE_PORTS[image.path] : undefined;
    if (port === undefined) return;
    const name = addPort(context, port, "TCP");
    context.note(context.path, "(no ports)", "approximated", `port ${port} (${name}) added: the official ${image.path.replace("library/", "")} image listens there (EXPOSE ${port}); Swarm forwarded every port, the Service forwards only those listed`);
}

/** `tasks.x`, `<stack>_x` and `x` (when renamed) -> the catalog name: the names Swarm's DNS answers for a service. */
function hostAliases(stack: Pick<StackContext, "names" | "stackName">): Map<string, string> {
    const aliases = new Map<string, string>();
    for (const [composeName, name] of stack.names) {
        const swarmNames = [composeName, ...(stack.stackName ? [`${stack.stackName}_${composeName}`] : [])];
        for (const swarmName of swarmNames) {
            aliases.set(swarmName, name);
            aliases.set(`tasks.${swarmName}`, name);
        }
    }
    return aliases;
}

/** Rewrites a value that is a host, `host:port` or a URL naming a service of the stack by a Swarm-only name. */
export function rewriteHostname(stack: StackContext, value: string): string {
    const match = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?)?([A-Za-z0-9_.-]+)((?::[0-9]+)?(?:[/?#].*)?)$/s.exec(value);
    if (!match) return value;
    const [, scheme = "", host, rest] = match;
    const name = hostAliases(stack).get(host);
    return name === undefined || name === host ? value : `${scheme}${name}${rest}`;
}
