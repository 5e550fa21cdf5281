/**
 * Aliases in spec form (`aliases: [{ name, parent, type }]`), resolved as Pulumi's engine resolves them
 * (scripts/offline/lifecycle/aliases.ts). The expected URNs are written out by hand from the URN format
 * `urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>`; the last tests register a renamed component
 * through the real Node.js SDK, whose alias specs the render records as the engine receives them.
 */
import * as pulumi from "@pulumi/pulumi";
import { aliasUrns } from "../scripts/offline/lifecycle/aliases";
import { planSteps } from "../scripts/offline/lifecycle/engine";
import { type RenderedResource, renderProgram } from "../scripts/offline/render";

const ENV = "urn:pulumi:prod::svom-fsgs::svom:openstack:Environment::fsgs-prod";
const STACK_URN = "urn:pulumi:prod::svom-fsgs::pulumi:pulumi:Stack::svom-fsgs-prod";
const context = (matched: Record<string, string> = {}) => ({ project: "svom-fsgs", stack: "prod", matched: new Map(Object.entries(matched)) });

function keypair(aliases: unknown[], parent: string | undefined = ENV): RenderedResource {
    const type = "openstack:compute/keypair:Keypair";
    return {
        urn: parent ? `urn:pulumi:prod::svom-fsgs::svom:openstack:Environment$${type}::fsgs-prod-keypair` : `urn:pulumi:prod::svom-fsgs::${type}::fsgs-prod-keypair`,
        type, name: "fsgs-prod-keypair", ...(parent ? { parent } : {}), custom: true, inputs: {}, outputs: {}, protect: false, retainOnDelete: false,
        deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [], dependsOn: [], additionalSecretOutputs: [], propertyDependencies: {},
        aliases, secretDigests: {}, customTimeouts: {},
    };
}

describe("one alias spec", () => {
    test("a new name keeps the parent", () => {
        expect(aliasUrns(keypair([{ urn: "", spec: { name: "deploy-keypair", parenturn: ENV } }]), context())).toEqual([
            "urn:pulumi:prod::svom-fsgs::svom:openstack:Environment$openstack:compute/keypair:Keypair::deploy-keypair",
        ]);
    });

    test("no parent: the resource used to be at the top", () => {
        expect(aliasUrns(keypair([{ spec: { noparent: true } }]), context())).toEqual(["urn:pulumi:prod::svom-fsgs::openstack:compute/keypair:Keypair::fsgs-prod-keypair"]);
    });

    test("the stack as parent is no parent at all, and another type is taken as given", () => {
        expect(aliasUrns(keypair([{ spec: { type: "openstack:compute/keypairV2:KeypairV2", parenturn: STACK_URN } }]), context())).toEqual([
            "urn:pulumi:prod::svom-fsgs::openstack:compute/keypairV2:KeypairV2::fsgs-prod-keypair",
        ]);
    });

    test("another stack and project", () => {
        expect(aliasUrns(keypair([{ spec: { stack: "production", project: "fsgs", noparent: true } }], undefined), context())).toEqual([
            "urn:pulumi:production::fsgs::openstack:compute/keypair:Keypair::fsgs-prod-keypair",
        ]);
    });

    test("a URN alias is taken as it is", () => {
        expect(aliasUrns(keypair(["urn:pulumi:prod::svom-fsgs::openstack:compute/keypair:Keypair::old"]), context())).toEqual(["urn:pulumi:prod::svom-fsgs::openstack:compute/keypair:Keypair::old"]);
    });
});

describe("a parent that was renamed", () => {
    const renamedFrom = { [ENV]: "urn:pulumi:prod::svom-fsgs::svom:openstack:Environment::svom-prod" };

    test("a child named after its parent follows the parent's old name, with no alias of its own", () => {
        expect(aliasUrns(keypair([]), context(renamedFrom))).toEqual([
            "urn:pulumi:prod::svom-fsgs::svom:openstack:Environment$openstack:compute/keypair:Keypair::svom-prod-keypair",
        ]);
    });

    test("a child alias whose parent is the renamed one is resolved under the parent's old URN too", () => {
        expect(aliasUrns(keypair([{ spec: { name: "fsgs-prod-deploy", parenturn: ENV } }]), context(renamedFrom))).toEqual([
            // Its own alias (a parent's name is no part of a child's URN), ...
            "urn:pulumi:prod::svom-fsgs::svom:openstack:Environment$openstack:compute/keypair:Keypair::fsgs-prod-deploy",
            // ... its own name under the parent's old name, and its alias's name under it.
            "urn:pulumi:prod::svom-fsgs::svom:openstack:Environment$openstack:compute/keypair:Keypair::svom-prod-keypair",
            "urn:pulumi:prod::svom-fsgs::svom:openstack:Environment$openstack:compute/keypair:Keypair::svom-prod-deploy",
        ]);
    });
});

describe("through the real SDK", () => {
    class Keypair extends pulumi.CustomResource {
        constructor(name: string, opts?: pulumi.CustomResourceOptions) {
            super("openstack:compute/keypair:Keypair", name, { name: "deploy" }, opts);
        }
    }
    class Group extends pulumi.ComponentResource {
        constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
            super("svom:test:Group", name, {}, opts);
            new Keypair(`${name}-keypair`, { parent: this });
            this.registerOutputs({});
        }
    }
    const render = (program: () => void) => renderProgram({ project: "svom-fsgs", stack: "prod", config: {}, program });

    test("renaming a component with aliases: [{ name }] moves it and its children: no step", async () => {
        const before = await render(() => new Group("old-group"));
        const after = await render(() => new Group("group", { aliases: [{ name: "old-group" }] }));
        expect(after.resources.map((resource) => resource.urn)).not.toEqual(before.resources.map((resource) => resource.urn));
        expect(planSteps(before, after).steps).toEqual([]);
    });

    test("without the alias, the same rename deletes and creates both", async () => {
        const before = await render(() => new Group("old-group"));
        const after = await render(() => new Group("group"));
        expect(planSteps(before, after).steps.map((step) => `${step.kind} ${step.name}`).sort()).toEqual([
            "create group",
            "create group-keypair",
            "delete old-group",
            "delete old-group-keypair",
        ]);
    });

    test("moving a resource out of its component with aliases: [{ parent: component }] keeps it", async () => {
        const before = await render(() => new Group("group"));
        const after = await render(() => {
            const group = new pulumi.ComponentResource("svom:test:Group", "group");
            new Keypair("group-keypair", { aliases: [{ parent: group }] });
        });
        expect(planSteps(before, after).steps).toEqual([]);
    });
});
