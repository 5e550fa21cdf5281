import * as pulumi from "@pulumi/pulumi";
import { FakeCloud } from "../scripts/offline/fake-cloud";
import { readStackFiles } from "../scripts/offline/stack-files";
import { ROOT } from "./support/stacks";

describe("index.ts", () => {
    it("exports the environment's outputs", async () => {
        const files = readStackFiles(ROOT, "preprod");
        await pulumi.runtime.setMocks(new FakeCloud(), files.project, "preprod", false);
        pulumi.runtime.setAllConfig(files.config, files.secretKeys);
        const program = (await import("../index")) as Record<string, unknown>;
        expect(Object.keys(program).sort()).toEqual(["apiEndpoint", "bastionPublicAddress", "environmentName", "kubeconfig", "kubeconfigExpiresAt", "nodes", "site"]);
        const endpoint = program.apiEndpoint as { url: pulumi.Output<string> };
        const url = await new Promise((resolve) => endpoint.url.apply(resolve));
        expect(url).toMatch(/^https:\/\/203\.0\.113\.\d+:6443$/);
        await pulumi.runtime.disconnect();
    });
});
