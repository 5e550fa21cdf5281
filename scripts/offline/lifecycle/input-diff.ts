import type { RenderedResource } from "../render";
import { genericPath } from "./replacement-rules";

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Key paths (`a.b[2].c`) whose values differ between two plain values; a list of another length differs as a whole. */
export function changedPaths(before: unknown, after: unknown, path = ""): string[] {
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return before.flatMap((item, index) => changedPaths(item, after[index], `${path}[${index}]`));
    }
    if (isRecord(before) && isRecord(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => changedPaths(before[key], after[key], path ? `${path}.${key}` : key));
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [path];
}

/**
 * The inputs that changed between two registrations of one resource, as the engine's diff sees them: secrets
 * compared by digest, `ignoreChanges` paths dropped (pulumi docs "Resource options: ignoreChanges"; the engine
 * copies the old value over the new one before diffing, pkg/resource/deploy/step_generator.go processIgnoreChanges).
 */
export function inputChanges(before: RenderedResource, after: RenderedResource): string[] {
    const plain = changedPaths(before.inputs, after.inputs);
    const secret = [...new Set([...Object.keys(before.secretDigests ?? {}), ...Object.keys(after.secretDigests ?? {})])].filter(
        (key) => before.secretDigests?.[key] !== after.secretDigests?.[key],
    );
    return [...new Set([...plain, ...secret])].filter((path) => !isIgnored(path, after.ignoreChanges));
}

export function isIgnored(path: string, ignoreChanges: readonly string[]): boolean {
    const generic = genericPath(path);
    return ignoreChanges.some(
        (ignored) => ignored === "*" || generic === ignored || generic.startsWith(`${ignored}.`) || generic.startsWith(`${ignored}[`),
    );
}
