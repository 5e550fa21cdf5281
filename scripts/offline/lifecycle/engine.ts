import type { Render, RenderedResource } from "../render";
import { type AliasContext, aliasUrns } from "./aliases";
import { dependenciesOf, waves } from "./graph";
import { inputChanges, isIgnored } from "./input-diff";
import { IN_PLACE_REBUILDS, pathTouches, replacingPaths } from "./replacement-rules";

export type StepKind = "create" | "update" | "replace" | "delete";

/** One step of a deployment, as `pulumi preview` would list it. */
export interface Step {
    kind: StepKind;
    urn: string;
    type: string;
    name: string;
    /** Why: the inputs that changed (update) or force the replacement (replace), or what asked for it. */
    reasons: string[];
    /** A replacement that deletes the old resource first (the `deleteBeforeReplace` option). */
    deleteBeforeReplace?: boolean;
    /** A delete of a `retainOnDelete` resource: it leaves the state, the cloud keeps it. */
    retained?: boolean;
    /** The engine refuses this step; the whole operation fails. */
    refused?: string;
    /** Not a replacement, but the provider rebuilds the resource in place (a server's root disk is wiped). */
    rebuilds?: string[];
}

export interface Plan {
    /** Steps in an order the engine may run them; `same` resources are left out. */
    steps: Step[];
    /** What the engine refuses; an operation with any refusal changes nothing. */
    refusals: string[];
    /** The resources the second render registers, in dependency order, for whoever applies the plan. */
    after: Render | undefined;
    before: Render | undefined;
}

export interface PlanOptions {
    /** `pulumi up --replace`: URNs or resource names. */
    replace?: readonly string[];
}

const PROVIDER_PREFIX = "pulumi:providers:";

/**
 * The stored resource a new one takes over: the one at its URN, else the first its aliases (URNs or specs, resolved
 * as the engine does: aliases.ts) name; an alias match is recorded so that the resource's children inherit it.
 */
function oldIdentity(resource: RenderedResource, before: Map<string, RenderedResource>, context: AliasContext & { matched: Map<string, string> }): RenderedResource | undefined {
    const direct = before.get(resource.urn);
    if (direct) {
        return direct;
    }
    const alias = aliasUrns(resource, context).find((urn) => before.has(urn));
    if (alias === undefined) {
        return undefined;
    }
    context.matched.set(resource.urn, alias);
    return before.get(alias);
}

const providerUrn = (reference: string | undefined) => reference?.split("::").slice(0, -1).join("::");

/**
 * The kubernetes provider's own diff (pulumi-kubernetes provider.go DiffConfig): without `clusterIdentifier` it
 * replaces itself, and so every resource it manages, when the kubeconfig changes or is unknown; with one, only
 * when the identifier changes (@pulumi/kubernetes provider.d.ts, `clusterIdentifier`).
 */
function providerReplaces(resource: RenderedResource, changed: readonly string[]): string[] {
    if (!resource.type.startsWith(`${PROVIDER_PREFIX}kubernetes`)) {
        return [];
    }
    if (resource.inputs.clusterIdentifier !== undefined) {
        return changed.filter((path) => path === "clusterIdentifier");
    }
    return changed.filter((path) => path === "kubeconfig" || path === "clusterIdentifier");
}

/**
 * The steps Pulumi's engine takes to go from `before` (the stack's state) to `after` (what the program now
 * registers), following pulumi/pulumi pkg/resource/deploy/step_generator.go: a resource only in `after` is
 * created, only in `before` deleted; for one in both, the diff of its inputs (minus `ignoreChanges`) decides
 * update or replace from the provider's replacement table, `replaceOnChanges` and `--replace`. An input that
 * comes from a resource being replaced is unknown until that step runs, so it counts as changed (the preview
 * shows it as `output<string>`); a new resource's outputs are as the render recorded them. Deleting or replacing a protected resource is refused
 * (step_generator.go: "resource ... cannot be deleted because it is protected"). `after` undefined: destroy.
 */
export function planSteps(before: Render | undefined, after: Render | undefined, options: PlanOptions = {}): Plan {
    const stored = new Map((before?.resources ?? []).map((resource) => [resource.urn, resource]));
    const explicit = new Set(options.replace ?? []);
    const status = new Map<string, StepKind | "same">();
    const steps: Step[] = [];
    const refusals: string[] = [];
    const kept = new Set<string>();
    const aliasContext = { project: after?.project ?? "", stack: after?.stack ?? "", matched: new Map<string, string>() };
    // The engine refuses a program that registers one URN twice (step_generator.go: "Duplicate resource URN").
    const seen = new Set<string>();
    for (const resource of after?.resources ?? []) {
        if (seen.has(resource.urn)) {
            refusals.push(`Duplicate resource URN '${resource.urn}'; try giving it a unique name`);
        }
        seen.add(resource.urn);
    }

    for (const wave of waves(after?.resources ?? [])) {
        for (const resource of wave) {
            const old = oldIdentity(resource, stored, aliasContext);
            const step = (kind: StepKind, reasons: string[], extra: Partial<Step> = {}) => {
                status.set(resource.urn, kind);
                steps.push({ kind, urn: resource.urn, type: resource.type, name: resource.name, reasons, ...extra });
            };
            if (!old) {
                step("create", ["new in the program"]);
                continue;
            }
            kept.add(old.urn);
            if (!resource.custom) {
                status.set(resource.urn, "same");
                continue;
            }
            const changed = inputChanges(old, resource);
            for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
                // A new resource's outputs are what the render recorded (a new ID is new either way); a replaced
                // one's recorded outputs are the old ones, so only those are unknown.
                const pending = urns.filter((urn) => status.get(urn) === "replace");
                if (pending.length > 0 && !isIgnored(property, resource.ignoreChanges) && !changed.includes(property)) {
                    changed.push(property);
                }
            }
            const forced = [
                ...(explicit.has(resource.urn) || explicit.has(resource.name) ? ["--replace"] : []),
                ...replacingPaths(resource.type, changed),
                ...changed.filter((path) => resource.replaceOnChanges.some((field) => field === "*" || pathTouches(path, field))),
                ...providerReplaces(resource, changed),
                ...(status.get(providerUrn(resource.provider) ?? "") === "replace" ? ["provider replaced"] : []),
            ];
            const reasons = (paths: string[]) => paths.map((path) => (pendingOf(resource, path, status) ? `${path} (unknown until ${pendingOf(resource, path, status)} is done)` : path));
            if (forced.length > 0) {
                const refused = old.protect || resource.protect ? `${resource.name} is protected: the engine refuses to replace it` : undefined;
                if (refused) {
                    refusals.push(refused);
                }
                step("replace", reasons([...new Set(forced)]), {
                    ...(resource.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
                    ...(refused ? { refused } : {}),
                });
            } else if (changed.length > 0) {
                const rebuilds = changed.filter((path) => (IN_PLACE_REBUILDS[resource.type] ?? []).some((field) => pathTouches(path, field)));
                step("update", reasons(changed), rebuilds.length > 0 ? { rebuilds } : {});
            } else {
                status.set(resource.urn, "same");
            }
        }
    }

    const gone = (before?.resources ?? []).filter((resource) => !kept.has(resource.urn));
    // Deletes come last, the dependents first (step_generator.go GenerateDeletes, in reverse dependency order).
    const order = new Map(waves(before?.resources ?? []).flat().map((resource, index) => [resource.urn, index]));
    for (const resource of gone.sort((a, b) => (order.get(b.urn) ?? 0) - (order.get(a.urn) ?? 0))) {
        const refused = resource.protect ? `${resource.name} is protected: the engine refuses to delete it` : undefined;
        if (refused) {
            refusals.push(refused);
        }
        steps.push({
            kind: "delete",
            urn: resource.urn,
            type: resource.type,
            name: resource.name,
            reasons: [after ? "no longer in the program" : "destroy"],
            ...(resource.retainOnDelete ? { retained: true } : {}),
            ...(refused ? { refused } : {}),
        });
    }
    return { steps, refusals, before, after };
}

function pendingOf(resource: RenderedResource, path: string, status: Map<string, StepKind | "same">): string | undefined {
    const urns = resource.propertyDependencies[path] ?? [];
    const pending = urns.find((urn) => status.get(urn) === "replace");
    return pending?.split("::").pop();
}

/** `replace fsgs-prod-cp-1 (imageId; protected: refused)`: a step as a reviewer reads it. */
export function describeStep(step: Step): string {
    const notes = [
        ...step.reasons,
        ...(step.deleteBeforeReplace ? ["delete before replace"] : []),
        ...(step.retained ? ["retained in the cloud"] : []),
        ...(step.rebuilds ? [`rebuilds the server in place: ${step.rebuilds.join(", ")}`] : []),
        ...(step.refused ? ["protected: refused"] : []),
    ];
    return `${step.kind} ${step.name} [${step.type}] (${notes.join("; ")})`;
}

export { dependenciesOf };
