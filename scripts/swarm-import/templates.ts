import { environmentEntries, isRecord, type ServiceContext } from "./context";
import { childPath } from "./findings";

/**
 * Swarm service templates (`{{.Node.Hostname}}`, `{{.Task.Slot}}`...), which docker fills per task in `hostname`,
 * `environment`, `labels` and mounts, see "docker service create: Create services using templates". Nothing fills
 * them on Kubernetes: a variable holding one is dropped (the app would read the braces), anything else is flagged.
 */

const TEMPLATE = /\{\{[^}]*\}\}/;

/** What Kubernetes offers instead of each placeholder. */
function instead(template: string): string {
    if (/\.Node\./.test(template)) return "the node's name is spec.nodeName, which the downward API can put in a variable (the catalog has no field for it yet)";
    if (/\.Task\.Slot/.test(template)) return "a StatefulSet pod's ordinal is the end of its name ($HOSTNAME), which is the nearest to a task slot";
    if (/\.Task\./.test(template)) return "the pod's name is $HOSTNAME";
    if (/\.Service\./.test(template)) return "the service's name is the catalog name";
    return "nothing fills it";
}

function visit(value: unknown, path: string, found: [string, string][]): void {
    if (typeof value === "string") {
        if (TEMPLATE.test(value)) found.push([path, value]);
    } else if (Array.isArray(value)) {
        value.forEach((item: unknown, index) => visit(item, childPath(path, index), found));
    } else if (isRecord(value)) {
        for (const [key, inner] of Object.entries(value)) visit(inner, childPath(path, key), found);
    }
}

export function mapTemplates(context: ServiceContext): void {
    const found: [string, string][] = [];
    visit(context.raw, context.path, found);
    const environment = new Map((environmentEntries(context) ?? []).map(([name, , path]) => [path, name]));
    for (const [path, value] of found) {
        const template = TEMPLATE.exec(value)?.[0] ?? value;
        const variable = environment.get(path);
        if (variable !== undefined) {
            delete context.draft.env[variable];
            context.note(path, value, "unmapped", `a Swarm template (${template}), which Swarm filled per task: the variable ${variable} is left out of the entry; ${instead(template)}`);
        } else {
            context.note(path, value, "unmapped", `a Swarm template (${template}), which Swarm filled per task and Kubernetes does not: where the entry carries this field it holds the braces as written; ${instead(template)}`);
        }
    }
}
