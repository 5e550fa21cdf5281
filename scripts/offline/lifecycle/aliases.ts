import type { RenderedResource } from "../render";

/**
 * The URNs a resource's aliases stand for, resolved as Pulumi's engine resolves them
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go: `collapseAliasToUrn`, `generateAliases`,
 * `inheritedChildAlias`; sdk/go/common/resource/alias.go `CreateURN`, urn.go `NewURN`). The Node.js SDK sends an
 * alias as a URN or, since the engine supports alias specs (the mocks say it does), as a spec of name, type,
 * stack, project and parent URN or "no parent" (sdk/nodejs runtime/resource.ts `mapAliasesForRequest`); a field
 * left empty takes the resource's own value.
 */

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** What a render records of one alias: a URN, or the engine's Alias message as `toObject()` gives it. */
interface AliasRecord {
    urn?: string;
    spec?: { name?: string; type?: string; stack?: string; project?: string; parenturn?: string; noparent?: boolean };
}

export interface AliasContext {
    project: string;
    stack: string;
    /** For each resource already matched through an alias: its URN -> the stored URN it took over. */
    matched: ReadonlyMap<string, string>;
}

/** The parts of `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export function urnParts(urn: string): { qualifiedType: string; type: string; name: string } {
    const parts = urn.split("::");
    const qualifiedType = parts[2] ?? "";
    return { qualifiedType, type: qualifiedType.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

/** sdk/go/common/resource/urn.go `NewURN`: the parent's qualified type prefixes the type, unless it is the stack. */
export function newUrn(stack: string, project: string, parentType: string, type: string, name: string): string {
    const qualified = parentType !== "" && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** alias.go `CreateURN`: a parent URN's qualified type (what precedes its last `::`) prefixes the type. */
export function createUrn(name: string, type: string, parent: string, project: string, stack: string): string {
    if (parent === "") {
        return `urn:pulumi:${stack}::${project}::${type}::${name}`;
    }
    return `${parent.slice(0, parent.lastIndexOf("::"))}$${type}::${name}`;
}

function collapse(resource: RenderedResource, alias: unknown, context: AliasContext): string | undefined {
    const record: AliasRecord = typeof alias === "string" ? { urn: alias } : (alias ?? {});
    if (record.urn) {
        return record.urn;
    }
    const spec = record.spec;
    if (!spec) {
        return undefined;
    }
    let parent = spec.parenturn || resource.parent || "";
    if (spec.parenturn) {
        // "If the parent used an alias then use its old URN here, as that will be this resource's old URN as well."
        parent = context.matched.get(spec.parenturn) ?? parent;
    }
    if (spec.noparent || (parent !== "" && urnParts(parent).qualifiedType === ROOT_STACK_TYPE)) {
        parent = "";
    }
    return createUrn(spec.name || resource.name, spec.type || resource.type, parent, spec.project || context.project, spec.stack || context.stack);
}

/** step_generator.go `inheritedChildAlias`: a child named after its parent follows the parent's old name. */
function inheritedChildAlias(childType: string, childName: string, parentName: string, parentAlias: string, context: AliasContext): string {
    const aliasName = childName.startsWith(parentName) ? urnParts(parentAlias).name + childName.slice(parentName.length) : childName;
    return newUrn(context.stack, context.project, urnParts(parentAlias).qualifiedType, childType, aliasName);
}

/** Every URN the engine looks a resource up by after its own, in the engine's order, without repeats. */
export function aliasUrns(resource: RenderedResource, context: AliasContext): string[] {
    const own = resource.aliases.map((alias) => collapse(resource, alias, context)).filter((urn): urn is string => urn !== undefined);
    const found = [...own];
    const parentAlias = resource.parent === undefined ? undefined : context.matched.get(resource.parent);
    if (resource.parent !== undefined && parentAlias !== undefined) {
        const parentName = urnParts(resource.parent).name;
        found.push(inheritedChildAlias(resource.type, resource.name, parentName, parentAlias, context));
        for (const urn of own) {
            found.push(inheritedChildAlias(urnParts(urn).type, urnParts(urn).name, parentName, parentAlias, context));
        }
    }
    return [...new Set(found)];
}
