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
