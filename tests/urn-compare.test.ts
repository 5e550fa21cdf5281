/**
 * The refactor's safety check (`npm run plan:urns`, scripts/offline/urn-compare.ts) on hand-made registrations:
 * each way a code change can lose a real resource is shown caught, and an alias shown to carry one over.
 */
import type { Render, RenderedResource } from "../scripts/offline/render";
import { compareUrns } from "../scripts/offline/urn-compare";

const INSTANCE = "openstack:compute/instance:Instance";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const urn = (type: string, name: string, parent = "") => `urn:pulumi:prod::svom-fsgs::${parent}${type}::${name}`;

function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RenderedResource> = {}): RenderedResource {
    return {
        urn: urn(type, name), id: `${name}-id`, type, name, custom: true, inputs, outputs: {}, protect: false, retainOnDelete: false,
        ignoreChanges: [], dependsOn: [], additionalSecretOutputs: [], propertyDependencies: {}, replaceOnChanges: [],
        deleteBeforeReplace: false, aliases: [], customTimeouts: {}, secretDigests: {}, ...extra,
    };
}
const render = (...resources: RenderedResource[]): Render => ({ project: "svom-fsgs", stack: "prod", resources, outputs: {} });

const server = resource(INSTANCE, "fsgs-prod-cp-1", { keyPair: "deploy", flavorName: "m1" });
const moved = (extra: Partial<RenderedResource>) => ({
    ...server,
    // The same server under a new parent component: another URN.
    urn: urn(INSTANCE, "fsgs-prod-cp-1", "svom:openstack:NodePool$"),
    ...extra,
});

describe("the URN comparison of a refactor", () => {
    test("the same registrations: nothing lost, nothing to do", () => {
        const result = compareUrns("prod", render(server), render(server));
        expect([result.lost, result.aliased, result.providerChanged, result.plan.steps]).toEqual([[], [], [], []]);
    });

    test("a resource moved under another parent without an alias is lost (deleted, and a new one created)", () => {
        const result = compareUrns("prod", render(server), render(moved({})));
        expect(result.lost).toEqual([server.urn]);
        expect(result.plan.steps.map((step) => step.kind).sort()).toEqual(["create", "delete"]);
    });

    test("the same move with an alias naming the old URN keeps it: no step at all", () => {
        const result = compareUrns("prod", render(server), render(moved({ aliases: [server.urn] })));
        expect([result.lost, result.aliased, result.plan.steps]).toEqual([[], [server.urn], []]);
    });

    test("an input that forces a replacement is caught", () => {
        const result = compareUrns("prod", render(server), render({ ...server, inputs: { keyPair: "another", flavorName: "m1" } }));
        expect(result.lost).toEqual([server.urn]);
    });

    test("a command replaced by a new trigger is a re-run, listed, not a lost resource", () => {
        const run = resource("command:remote:Command", "fsgs-prod-ansible-run", { create: "ansible-playbook site.yml", triggers: ["hash-1"] }, { replaceOnChanges: ["triggers"] });
        const result = compareUrns("prod", render(run), render({ ...run, inputs: { ...run.inputs, triggers: ["hash-2"] } }));
        expect([result.lost, result.reruns]).toEqual([[], [run.urn]]);
    });

    test("a Kubernetes object sent through another provider is caught, though its inputs are the same", () => {
        const namespace = resource(NAMESPACE, "fsgs-ops", { metadata: { name: "fsgs-ops" } }, { provider: "urn:pulumi:prod::svom-fsgs::pulumi:providers:kubernetes::fsgs-prod-k8s::id1" });
        const elsewhere = { ...namespace, provider: "urn:pulumi:prod::svom-fsgs::pulumi:providers:kubernetes::default_4_34_2::id2" };
        expect(compareUrns("prod", render(namespace), render(elsewhere)).providerChanged).toEqual([
            `${namespace.urn} (${namespace.provider} -> ${elsewhere.provider})`,
        ]);
        expect(compareUrns("prod", render(namespace), render({ ...namespace })).providerChanged).toEqual([]);
    });
});
