import type { ServiceSpec } from "./service-schema";

/**
 * The ports of the operator's client Service `<cluster>` that a catalog entry may name (cluster-operator
 * internal/resource/service.go, v2.22.3): AMQP 0-9-1/1.0 and the management API. The inter-node ports (epmd 4369,
 * distribution 25672, CLI 35672-35682) are the operator's, never a caller's, so an entry does not list them.
 */
export const RABBITMQ_CLIENT_PORTS = { amqp: 5672, management: 15672 } as const;

// What the operator decides for a broker, so an entry that sets it would be silently ignored.
const OPERATOR_OWNED = ["command", "args", "env", "secretEnv", "configFiles", "secretFiles", "probes", "replicas", "writablePaths", "runAsUser", "ingress", "autoscaling", "expose", "singleton"] as const;

/** Problems of a `rabbitmq` catalog entry beyond its schema, each `key: message` (the caller adds the file). */
export function rabbitmqEntryProblems(spec: ServiceSpec): string[] {
    if (!spec.rabbitmq) {
        return [];
    }
    const problems: string[] = [];
    if (spec.postgresql) {
        problems.push("rabbitmq: an entry is a database or a broker, not both; remove postgresql or rabbitmq");
    }
    if (!spec.storage) {
        problems.push("storage: expected the size of each node's volume (storage.size), got nothing");
    }
    const known = Object.entries(RABBITMQ_CLIENT_PORTS).map(([name, port]) => `{ name: ${name}, port: ${port} }`).join(", ");
    spec.ports.forEach((port, index) => {
        const expected = (RABBITMQ_CLIENT_PORTS as Record<string, number>)[port.name];
        if (expected !== port.port || port.protocol !== "TCP" || port.peersOnly) {
            problems.push(`ports[${index}]: expected one of the operator's client ports (${known}), got ${JSON.stringify(`${port.name}:${port.port}`)}`);
        }
    });
    if (!spec.ports.some((port) => port.name === "amqp")) {
        problems.push(`ports: expected { name: amqp, port: ${RABBITMQ_CLIENT_PORTS.amqp} } among them: clients connect there`);
    }
    for (const key of OPERATOR_OWNED) {
        if (spec[key] !== undefined) {
            problems.push(`${key}: the operator decides this for a rabbitmq entry; remove it`);
        }
    }
    if (spec.connectsTo.length > 0) {
        problems.push("connectsTo: a broker calls nothing in the catalog; remove it");
    }
    return problems;
}

/**
 * The variables the program gives a broker's client, from the Secret of its own broker user (keys `username` and
 * `password`): derived from `connectsTo`, so a catalog entry never names them itself.
 */
export const BROKER_CREDENTIAL_ENV = { username: "BROKER_USERNAME", password: "BROKER_PASSWORD" } as const;

type Caller = Pick<ServiceSpec, "name" | "domain" | "connectsTo">;
type Target = Pick<ServiceSpec, "name" | "domain" | "rabbitmq">;

/** The rabbitmq entries of the catalog a client calls in its connectsTo, each once, by name. */
export function brokersCalled<T extends Target>(client: Caller, catalog: readonly T[]): T[] {
    const called = new Set(client.connectsTo.map((reference) => reference.split(":")[0]));
    return catalog.filter((entry) => entry.rabbitmq !== undefined && called.has(`${entry.domain}/${entry.name}`)).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Problems of the brokers' clients, each naming the file and the key: a client that sets the credential variables
 * the program derives (they would hide or duplicate the derived ones), or that calls two brokers (one
 * BROKER_USERNAME cannot name two users).
 */
export function brokerClientProblems(entries: readonly { path: string; spec: ServiceSpec }[]): string[] {
    const catalog = entries.map((entry) => entry.spec);
    return entries.flatMap(({ path, spec }) => {
        const brokers = brokersCalled(spec, catalog);
        if (brokers.length === 0) {
            return [];
        }
        const problems: string[] = [];
        const named = brokers.map((broker) => `${broker.domain}/${broker.name}`).join(", ");
        if (brokers.length > 1) {
            problems.push(`${path}: connectsTo: expected one rabbitmq entry, got ${brokers.length} (${named}): ${Object.values(BROKER_CREDENTIAL_ENV).join(" and ")} can name one broker user only`);
        }
        for (const variable of Object.values(BROKER_CREDENTIAL_ENV)) {
            for (const key of ["env", "secretEnv"] as const) {
                if (spec[key]?.[variable] !== undefined) {
                    problems.push(`${path}: ${key}.${variable}: the program sets it from connectsTo ${named} (the entry's own broker user); remove it`);
                }
            }
        }
        return problems;
    });
}
