import { displayType } from "./report";
import type { Render, RenderedResource } from "./render";

/** One difference at a key path: `before` or `after` is undefined where the key is absent. */
export interface Difference {
    path: string;
    before: unknown;
    after: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Every leaf that differs between two plain values, with its key path (`a.b[2].c`). */
export function differences(before: unknown, after: unknown, path = ""): Difference[] {
    if (Array.isArray(before) && Array.isArray(after)) {
        return Array.from({ length: Math.max(before.length, after.length) }, (_, index) =>
            differences(before[index], after[index], `${path}[${index}]`),
        ).flat();
    }
    if (isRecord(before) && isRecord(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => differences(before[key], after[key], path ? `${path}.${key}` : key));
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

const FAKE_ID = /^[a-z0-9]+-[0-9a-f]{12}$/;
/** `fsgs-prod` as a name part, not inside `fsgs-products`. */
const stackName = (stack: string) => new RegExp(`fsgs-${stack}(?![a-z0-9])`, "g");
const BARE_IPV4 = /\b\d{1,3}(\.\d{1,3}){3}\b(?!\/)/g;

/**
 * What makes a resource of one stack comparable with its twin in another: the stack's name becomes `<env>`,
 * and the offline plan's fake IDs and addresses, which differ by construction, are blanked.
 */
function normalise(value: unknown, stack: string): unknown {
    if (typeof value === "string") {
        if (FAKE_ID.test(value)) {
            return "<id>";
        }
        return value.replace(stackName(stack), "fsgs-<env>").replace(BARE_IPV4, "<address>");
    }
    if (Array.isArray(value)) {
        return value.map((inner) => normalise(inner, stack));
    }
    if (isRecord(value)) {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, normalise(inner, stack)]));
    }
    return value;
}

function keyed(render: Render): Map<string, RenderedResource> {
    return new Map(
        render.resources
            .filter((resource) => resource.custom)
            .map((resource) => [`${displayType(resource.type)} ${resource.name.replace(stackName(render.stack), "fsgs-<env>")}`, resource]),
    );
}

const show = (value: unknown) => (value === undefined ? "(absent)" : JSON.stringify(value).slice(0, 100));

/** What differs between two stacks, in config and in resources: what a promotion from one to the other changes. */
export function compareStacks(
    before: { render: Render; config: Record<string, unknown> },
    after: { render: Render; config: Record<string, unknown> },
): string[] {
    const [a, b] = [before.render.stack, after.render.stack];
    const configDifferences = differences(before.config, after.config);
    const beforeResources = keyed(before.render);
    const afterResources = keyed(after.render);
    const onlyBefore = [...beforeResources.keys()].filter((key) => !afterResources.has(key)).sort();
    const onlyAfter = [...afterResources.keys()].filter((key) => !beforeResources.has(key)).sort();
    const changed = [...beforeResources.keys()]
        .filter((key) => afterResources.has(key))
        .sort()
        .flatMap((key) => {
            const x = beforeResources.get(key) as RenderedResource;
            const y = afterResources.get(key) as RenderedResource;
            const found = [
                ...differences(normalise(x.inputs, a), normalise(y.inputs, b)),
                ...differences({ protect: x.protect, retainOnDelete: x.retainOnDelete }, { protect: y.protect, retainOnDelete: y.retainOnDelete }).map(
                    (difference) => ({ ...difference, path: `(option) ${difference.path}` }),
                ),
            ];
            return found.length === 0 ? [] : [`  ~ ${key}`, ...found.map((d) => `      ${d.path}: ${show(d.before)} -> ${show(d.after)}`)];
        });
    return [
        `Config: ${a} -> ${b} (${configDifferences.length} differences)`,
        ...configDifferences.map((d) => `  ${d.path}: ${show(d.before)} -> ${show(d.after)}`),
        "",
        `Resources only in ${b} (${onlyAfter.length}):`,
        ...onlyAfter.map((key) => `  + ${key}`),
        `Resources only in ${a} (${onlyBefore.length}):`,
        ...onlyBefore.map((key) => `  - ${key}`),
        `Resources in both whose inputs or options differ (${changed.filter((line) => line.startsWith("  ~")).length}):`,
        ...changed,
    ];
}
