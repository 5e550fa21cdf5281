import type { ServiceSpec } from "./service-schema";

/** A `connectsTo` entry, `domain/name:port`, split; no port means every port the target opens to callers. */
export interface Call {
    domain: string;
    name: string;
    port?: string;
}

export function parseCall(reference: string): Call {
    const [target, port] = reference.split(":");
    const [domain, name] = target.split("/");
    return { domain, name, port };
}

type Named = Pick<ServiceSpec, "name" | "domain">;

/** Whether an `allowFrom` entry (a domain or domain/name) names the caller; `ingress` names no catalog service. */
export function entryAdmits(entry: string, caller: Named): boolean {
    const [domain, name] = entry.split("/");
    return entry !== "ingress" && domain === caller.domain && (name === undefined || name === caller.name);
}

/** Whether the target's allowFrom lets the caller in at all. */
export function admits(target: Pick<ServiceSpec, "allowFrom">, caller: Named): boolean {
    return target.allowFrom.some((entry) => entryAdmits(entry, caller));
}

/** The port names a call reaches on its target: the one it names, or every port not kept for the target's replicas. */
export function calledPorts(call: Call, target: Pick<ServiceSpec, "ports">): string[] {
    return call.port !== undefined ? [call.port] : target.ports.filter((port) => !port.peersOnly).map((port) => port.name);
}

/** The calls of the catalog: who calls whom on which port, each admitted by the target (checked by referenceProblems). */
export function callsTo<S extends ServiceSpec>(target: S, catalog: readonly S[]): { caller: S; port: string }[] {
    return catalog.flatMap((caller) =>
        caller.connectsTo
            .map(parseCall)
            .filter((call) => call.domain === target.domain && call.name === target.name && admits(target, caller))
            .flatMap((call) => calledPorts(call, target).map((port) => ({ caller, port }))),
    );
}

/**
 * Every problem with the references between catalog entries, each naming the file and the key: a call to a
 * service or port that does not exist, to a port only the target's replicas use, or that the target does not
 * admit; an allowFrom naming a domain or service that does not exist, or admitting nobody who calls.
 */
export function referenceProblems(entries: readonly { path: string; spec: ServiceSpec }[]): string[] {
    const problems: string[] = [];
    const specs = entries.map((entry) => entry.spec);
    const domains = new Set(specs.map((spec) => spec.domain));
    const find = (domain: string, name: string) => specs.find((spec) => spec.domain === domain && spec.name === name);
    for (const { path, spec } of entries) {
        (spec.expose?.ports ?? []).forEach((name, index) => {
            if (!spec.ports.some((port) => port.name === name)) {
                problems.push(`${path}: expose.ports[${index}]: expected one of its ports (${spec.ports.map((p) => p.name).join(", ")}), got ${JSON.stringify(name)}`);
            }
        });
        spec.connectsTo.forEach((reference, index) => {
            const key = `${path}: connectsTo[${index}]`;
            const call = parseCall(reference);
            const target = find(call.domain, call.name);
            if (!target) {
                problems.push(`${key}: expected a service of the catalog (domain/name), got ${JSON.stringify(`${call.domain}/${call.name}`)}`);
                return;
            }
            const port = call.port === undefined ? undefined : target.ports.find((candidate) => candidate.name === call.port);
            if (call.port === undefined) {
                // Every port the target opens to callers.
            } else if (!port) {
                problems.push(`${key}: expected one of ${target.name}'s ports (${target.ports.map((p) => p.name).join(", ")}), got ${JSON.stringify(call.port)}`);
            } else if (port.peersOnly) {
                problems.push(`${key}: ${target.name}'s port ${call.port} is for its own replicas only (peersOnly)`);
            }
            if (!admits(target, spec)) {
                problems.push(`${key}: services/${target.name}.yaml's allowFrom does not admit ${spec.domain}/${spec.name}: add it there, or drop the call`);
            }
        });
        spec.allowFrom.forEach((entry, index) => {
            const key = `${path}: allowFrom[${index}]`;
            if (entry === "ingress") {
                if (!spec.ingress) {
                    problems.push(`${key}: ingress admits the Gateway, but the entry has no ingress host`);
                }
                return;
            }
            const [domain, name] = entry.split("/");
            if (!domains.has(domain)) {
                problems.push(`${key}: expected a domain of the catalog (${[...domains].sort().join(", ")}), got ${JSON.stringify(domain)}`);
                return;
            }
            if (name !== undefined && !find(domain, name)) {
                problems.push(`${key}: expected a service of domain ${domain}, got ${JSON.stringify(name)}`);
                return;
            }
            const callers = specs.filter((caller) => entryAdmits(entry, caller) && caller.connectsTo.some((ref) => {
                const call = parseCall(ref);
                return call.domain === spec.domain && call.name === spec.name;
            }));
            if (callers.length === 0) {
                problems.push(`${key}: ${JSON.stringify(entry)} admits nobody: no service there declares connectsTo ${spec.domain}/${spec.name}:<port>`);
            }
        });
    }
    return problems;
}
