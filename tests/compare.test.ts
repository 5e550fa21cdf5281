import { compareStacks, differences } from "../scripts/offline/compare";
import type { Render } from "../scripts/offline/render";
import { rawConfig, renderStack } from "./support/stacks";

describe("differences", () => {
    it("lists each differing leaf with its key path, absent keys included", () => {
        expect(differences({ a: { b: [1, 2] }, c: "x" }, { a: { b: [1, 3, 4] }, d: true })).toEqual([
            { path: "a.b[1]", before: 2, after: 3 },
            { path: "a.b[2]", before: undefined, after: 4 },
            { path: "c", before: "x", after: undefined },
            { path: "d", before: undefined, after: true },
        ]);
    });
});

describe("npm run plan -- --compare preprod prod", () => {
    let preprod: Render;
    let prod: Render;
    let lines: string[];
    beforeAll(async () => {
        preprod = await renderStack("preprod");
        prod = await renderStack("prod");
        lines = compareStacks({ render: preprod, config: rawConfig("preprod") }, { render: prod, config: rawConfig("prod") });
    });

    it("shows the config keys that differ", () => {
        expect(lines).toContain('  environment: "preprod" -> "prod"');
        expect(lines).toContain("  cluster.workerPools[0].dataVolumeSize: 100 -> 200");
        expect(lines.some((line) => line.startsWith("  cluster.workerPools[0].count"))).toBe(false);
    });

    it("shows the resources only prod has", () => {
        expect(lines).toContain("  + compute.Instance fsgs-<env>-stateful-1");
        expect(lines).toContain("  + compute.ServerGroup fsgs-<env>-stateful-affinity");
    });

    it("shows that prod protects its data volumes and runs the released images", () => {
        const volume = lines.indexOf("  ~ blockstorage.Volume fsgs-<env>-general-1-data");
        expect(lines.slice(volume, volume + 6)).toEqual(
            expect.arrayContaining(["      (option) protect: false -> true", "      (option) retainOnDelete: false -> true"]),
        );
        expect(lines.some((line) => line.includes("vhf-listener:2.5.0-rc.1") && line.includes("vhf-listener:2.4.1"))).toBe(true);
    });

    it("finds nothing between a stack and itself, fake IDs and addresses notwithstanding", () => {
        const same = compareStacks({ render: prod, config: rawConfig("prod") }, { render: prod, config: rawConfig("prod") });
        const counts = same.filter((line) => /\(\d+[ )]/.test(line)).map((line) => /\((\d+)/.exec(line)?.[1]);
        expect(counts).toEqual(["0", "0", "0", "0"]);
    });
});
