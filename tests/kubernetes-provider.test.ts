/**
 * The Kubernetes provider's lifecycle options. Its kubeconfig is unknown at every preview that re-reads it, and
 * the runner may be unable to reach the API during a `refresh`; neither may cost the Kubernetes resources.
 */
import type { Render } from "../scripts/offline/render";
import { renderStack } from "./support/stacks";

let render: Render;
beforeAll(async () => {
    // The SDK falls back to this variable when the program leaves deleteUnreachable out.
    delete process.env.PULUMI_K8S_DELETE_UNREACHABLE;
    render = await renderStack("prod");
});

const provider = () => {
    const found = render.resources.filter((resource) => resource.type === "pulumi:providers:kubernetes");
    expect(found).toHaveLength(1);
    return found[0];
};

describe("the Kubernetes provider", () => {
    it("is identified by the cluster's name, so an unknown kubeconfig updates it instead of replacing it and every resource", () => {
        expect(provider().inputs.clusterIdentifier).toBe("fsgs-prod");
    });

    it("never drops unreachable resources from the state on its own (an opt-in per command for a cluster really gone)", () => {
        expect(provider().inputs.deleteUnreachable).toBeUndefined();
    });

    it("carries every Kubernetes object of the stack: none falls back to a default provider (the ambient kubeconfig)", () => {
        const reference = `${provider().urn}::${provider().id ?? ""}`;
        const objects = render.resources.filter((resource) => resource.custom && resource.type.startsWith("kubernetes:"));
        expect(objects.length).toBeGreaterThan(100);
        expect(objects.filter((object) => object.provider !== reference).map((object) => `${object.type} ${object.name}`)).toEqual([]);
    });
});
