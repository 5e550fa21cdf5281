import type { ServiceSpec } from "./service-schema";

/** The PostgreSQL port, the one CloudNativePG's Services expose (docs "Service management", v1.30). */
export const POSTGRESQL_PORT = 5432;

// What the operator decides for a database, so an entry that sets it would be silently ignored.
const OPERATOR_OWNED = ["command", "args", "env", "secretEnv", "configFiles", "probes", "replicas", "writablePaths", "runAsUser", "ingress", "autoscaling"] as const;

/** Problems of a `postgresql` catalog entry beyond its schema, each `key: message` (the caller adds the file). */
export function postgresqlEntryProblems(spec: ServiceSpec): string[] {
    if (!spec.postgresql) {
        return [];
    }
    const problems: string[] = [];
    if (!spec.storage) {
        problems.push("storage: expected the size of each instance's volume (storage.size), got nothing");
    }
    const port = spec.ports.find((candidate) => candidate.name === "postgresql");
    if (spec.ports.length !== 1 || port?.port !== POSTGRESQL_PORT) {
        problems.push(`ports: expected exactly [{ name: postgresql, port: ${POSTGRESQL_PORT} }] (the operator's Services), got ${JSON.stringify(spec.ports.map((p) => `${p.name}:${p.port}`))}`);
    }
    for (const key of OPERATOR_OWNED) {
        if (spec[key] !== undefined) {
            problems.push(`${key}: the operator decides this for a postgresql entry; remove it`);
        }
    }
    if (spec.connectsTo.length > 0) {
        problems.push("connectsTo: a database calls nothing in the catalog; remove it");
    }
    return problems;
}
