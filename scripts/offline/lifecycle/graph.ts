import type { RenderedResource } from "../render";

/**
 * What a resource waits for: the URNs its inputs came from and its `dependsOn` (the SDK has already expanded a
 * component in `dependsOn` to the custom resources under it: @pulumi/pulumi runtime/resource.js
 * getAllTransitivelyReferencedResourceURNs), and its parent. The engine deletes a resource only after every
 * resource that waits for it (pulumi/pulumi pkg/resource/graph/dependency_graph.go DependingOn, which counts
 * dependencies, property dependencies, parents and deletedWith).
 */
export function dependenciesOf(resource: RenderedResource): string[] {
    // An explicit provider is registered, and so created, before any resource that names it.
    const provider = resource.provider?.split("::").slice(0, -1).join("::");
    return [
        ...new Set([
            ...resource.dependsOn,
            ...Object.values(resource.propertyDependencies).flat(),
            ...(resource.parent ? [resource.parent] : []),
            ...(provider ? [provider] : []),
        ]),
    ];
}

/**
 * Groups resources into waves: a resource is in the wave after the last of its dependencies among `resources`.
 * The engine runs every step whose dependencies are done at once (pkg/resource/deploy/step_executor.go), so the
 * resources of one wave may run in any order: the simulator runs them in the order least favourable to the
 * program, so that a missing dependency shows up every time rather than one run in ten.
 */
export function waves(resources: readonly RenderedResource[]): RenderedResource[][] {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const level = new Map<string, number>();
    const visiting = new Set<string>();
    const levelOf = (resource: RenderedResource): number => {
        const known = level.get(resource.urn);
        if (known !== undefined) {
            return known;
        }
        if (visiting.has(resource.urn)) {
            throw new Error(`dependency cycle through ${resource.urn}`);
        }
        visiting.add(resource.urn);
        const deps = dependenciesOf(resource)
            .map((urn) => byUrn.get(urn))
            .filter((dep): dep is RenderedResource => dep !== undefined);
        const value = deps.length === 0 ? 0 : Math.max(...deps.map(levelOf)) + 1;
        visiting.delete(resource.urn);
        level.set(resource.urn, value);
        return value;
    };
    const grouped: RenderedResource[][] = [];
    for (const resource of [...resources].sort((a, b) => a.urn.localeCompare(b.urn))) {
        const index = levelOf(resource);
        (grouped[index] ??= []).push(resource);
    }
    return grouped.filter((wave) => wave !== undefined);
}

/** Deletion waves: the reverse of `waves`, a resource going only once everything that waits for it has gone. */
export function deletionWaves(resources: readonly RenderedResource[]): RenderedResource[][] {
    const urns = new Set(resources.map((resource) => resource.urn));
    const dependents = new Map<string, string[]>();
    for (const resource of resources) {
        for (const dep of dependenciesOf(resource)) {
            if (urns.has(dep)) {
                dependents.set(dep, [...(dependents.get(dep) ?? []), resource.urn]);
            }
        }
    }
    const level = new Map<string, number>();
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const levelOf = (urn: string): number => {
        const known = level.get(urn);
        if (known !== undefined) {
            return known;
        }
        const waiting = dependents.get(urn) ?? [];
        const value = waiting.length === 0 ? 0 : Math.max(...waiting.map(levelOf)) + 1;
        level.set(urn, value);
        return value;
    };
    const grouped: RenderedResource[][] = [];
    for (const urn of [...urns].sort()) {
        (grouped[levelOf(urn)] ??= []).push(byUrn.get(urn) as RenderedResource);
    }
    return grouped.filter((wave) => wave !== undefined);
}
