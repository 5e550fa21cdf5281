/** How far a compose field made it into the catalog entry. */
export type Severity =
    /** Nothing in the entry carries it: the operator must act, or decide it does not matter. */
    | "unmapped"
    /** The entry carries something close, with a caveat the operator must check. */
    | "approximated"
    /** Carried, or irrelevant on Kubernetes; worth knowing during the review. */
    | "info";

/** One compose field the importer could not carry over exactly, and what to do about it. */
export interface ImportFinding {
    /** The compose service it is about; absent for stack-level fields (top-level networks, `version`...). */
    service?: string;
    /** Where the field is in the compose file, e.g. `services.broker.deploy.placement.constraints[0]`. */
    path: string;
    /** The field's value as written, or `(hidden)` when it looks like a secret. */
    value: unknown;
    severity: Severity;
    /** What it became (or why it did not) and what the operator should do. */
    message: string;
}

export const SEVERITIES: readonly Severity[] = ["unmapped", "approximated", "info"];

/** Stands for a value that looks like a secret, so that neither the entries nor the report carry it. */
export const HIDDEN = "(hidden)";

/** `services.broker` + `ports` -> `services.broker.ports`; keys that are not identifiers are quoted. */
export function childPath(base: string, key: string | number): string {
    if (typeof key === "number") return `${base}[${key}]`;
    return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

export function countBySeverity(findings: readonly ImportFinding[]): Record<Severity, number> {
    const counts: Record<Severity, number> = { unmapped: 0, approximated: 0, info: 0 };
    for (const finding of findings) counts[finding.severity] += 1;
    return counts;
}
