import { type PolicySubject, type StackSubject } from "../../policy/subject";
import { type Render, type RenderedResource } from "./render";

// describeInputs' marker for a secret value.
const SECRET = "[secret]";

function strings(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    if (Array.isArray(value)) {
        return value.flatMap(strings);
    }
    return value !== null && typeof value === "object" ? Object.values(value).flatMap(strings) : [];
}

/**
 * The offline plan has no property dependencies, but every custom resource has the fake cloud's unique ID: an
 * input that holds another resource's ID came from that resource, which is what CrossGuard's
 * `propertyDependencies` says.
 */
function linksOf(resource: RenderedResource, urnById: Map<string, string>): Record<string, string[]> {
    const links: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(resource.inputs)) {
        const urns = strings(value).flatMap((text) => urnById.get(text) ?? []);
        if (urns.length > 0) {
            links[key] = [...new Set(urns)];
        }
    }
    return links;
}

/** The neutral shape of a rendered plan: everything the offline render records, options and secretness included. */
export function fromRender(render: Render): StackSubject {
    const urnById = new Map(render.resources.flatMap((r) => (r.id ? [[r.id, r.urn] as const] : [])));
    const resources: PolicySubject[] = render.resources.map((resource) => ({
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: resource.inputs,
        protect: resource.protect,
        retainOnDelete: resource.retainOnDelete,
        links: linksOf(resource, urnById),
        secretInputs: Object.keys(resource.inputs).filter((key) => resource.inputs[key] === SECRET),
    }));
    const outputs = Object.fromEntries(Object.entries(render.outputs).map(([key, output]) => [key, { secret: output.secret }]));
    return { stack: render.stack, resources, outputs };
}
