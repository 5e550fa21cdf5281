import type { Render, RenderedResource } from "../../scripts/offline/render";

/**
 * Everything a resource depends on, directly or through others, its provider included, by URN. Pulumi deletes
 * a resource only after everything in whose closure it is (pulumi/pulumi pkg/resource/graph DependingOn).
 */
export function dependencyClosure(render: Render, resource: RenderedResource): Set<string> {
    const byUrn = new Map(render.resources.map((candidate) => [candidate.urn, candidate]));
    const seen = new Set<string>();
    const pending = [resource];
    while (pending.length > 0) {
        const current = pending.pop() as RenderedResource;
        // The provider reference is `<provider urn>::<provider id>`.
        const providerUrn = current.provider?.split("::").slice(0, -1).join("::");
        for (const urn of [...current.dependsOn, ...(providerUrn ? [providerUrn] : [])]) {
            const next = byUrn.get(urn);
            if (next && !seen.has(urn)) {
                seen.add(urn);
                pending.push(next);
            }
        }
    }
    return seen;
}
