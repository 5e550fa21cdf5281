import { stringify } from "yaml";
import { worldOpenAdminPorts } from "../../policy/rules/world-open-admin-ports";
import type { Render, RenderedResource } from "./render";

const byName = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** `openstack:networking/port:Port` -> `networking.Port`; `svom:openstack:NodePool` -> `NodePool`. */
export function displayType(type: string): string {
    const [pkg, module, kind] = type.split(":");
    if (pkg === "svom") {
        return kind;
    }
    const area = module?.split("/")[0];
    return area && kind ? `${area}.${kind}` : type;
}

/** Number of resources per type, most frequent first, then by name. */
export function countByType(resources: readonly RenderedResource[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const resource of resources) {
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    }
    return [...counts.entries()].sort(([a, x], [b, y]) => y - x || byName(a, b));
}

function annotations(resource: RenderedResource): string {
    const tags = [
        resource.protect ? "protected" : "",
        resource.retainOnDelete ? "retained on delete" : "",
        resource.ignoreChanges.length > 0 ? "ignores drift" : "",
    ].filter(Boolean);
    return tags.length > 0 ? `  [${tags.join("; ")}]` : "";
}

/** The components and resources as an indented tree, children sorted by name. */
export function formatTree(resources: readonly RenderedResource[]): string[] {
    const children = new Map<string | undefined, RenderedResource[]>();
    const urns = new Set(resources.map((resource) => resource.urn));
    for (const resource of resources) {
        const parent = resource.parent && urns.has(resource.parent) ? resource.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), resource]);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, prefix: string) => {
        const list = (children.get(parent) ?? []).sort(
            (a, b) => Number(a.custom) - Number(b.custom) || byName(a.name, b.name),
        );
        list.forEach((resource, index) => {
            const last = index === list.length - 1;
            const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
            const label = resource.custom ? displayType(resource.type) : `${displayType(resource.type)} (component)`;
            lines.push(`${prefix}${branch}${resource.name}  ${label}${annotations(resource)}`);
            walk(resource.urn, parent === undefined ? prefix : `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk(undefined, "");
    return lines;
}

/**
 * Security-group rules that let the whole Internet reach a port an attacker wants: the policy pack's rule,
 * so the plan a reviewer reads and the pack that gates prod can never disagree.
 */
export function worldOpenSensitiveRules(resources: readonly RenderedResource[]): RenderedResource[] {
    return resources.filter(
        (resource) =>
            worldOpenAdminPorts.types.includes(resource.type) &&
            worldOpenAdminPorts.check({ ...resource, props: resource.inputs, links: {} }).length > 0,
    );
}

/** What an `up` could do to data, for the reviewer of a change. */
function safetyLines(custom: readonly RenderedResource[]): string[] {
    const kept = custom.filter((resource) => resource.protect);
    const ignored = new Map<string, Set<string>>();
    for (const resource of custom) {
        for (const field of resource.ignoreChanges) {
            ignored.set(resource.type, (ignored.get(resource.type) ?? new Set()).add(field));
        }
    }
    const open = worldOpenSensitiveRules(custom);
    return [
        "Safety:",
        `  protected from deletion (${kept.length}): ${kept.map((resource) => resource.name).join(", ") || "none"}`,
        ...[...ignored.entries()].map(
            ([type, fields]) => `  ${displayType(type)} ignores drift of: ${[...fields].join(", ")} (replacing one is an explicit act)`,
        ),
        `  rules opening SSH, the API, etcd, kubelet, controller-manager or scheduler to the Internet: ${
            open.map((resource) => resource.name).join(", ") || "none"
        }`,
    ];
}

/** The plan as a person reads it in a terminal or a merge request. */
export function formatReport(render: Render): string {
    const custom = render.resources.filter((resource) => resource.custom);
    const components = render.resources.length - custom.length;
    const lines = [
        `Offline plan of ${render.project}/${render.stack}: ${custom.length} resources in ${components} components`,
        "",
        ...formatTree(render.resources),
        "",
        "Resources by type:",
        ...countByType(custom).map(([type, count]) => `  ${String(count).padStart(4)}  ${displayType(type)}`),
        "",
        ...safetyLines(custom),
        "",
        "Outputs (secrets masked):",
        ...stringify(Object.fromEntries(Object.entries(render.outputs).map(([key, output]) => [key, output.value])))
            .trimEnd()
            .split("\n")
            .map((line) => `  ${line}`),
    ];
    return lines.join("\n");
}
