/**
 * What each worker pool is for, as plain data (components/config/pools.ts): the labels and taint its kubelets
 * register with, and whether stateful services have a pool to go to. tests/pools.test.ts follows the same values
 * through a whole stack (a scenario suite); these pin them in the unit suite, written out.
 */
import { DEDICATED_TAINT, POOL_LABEL, POOL_ROLE_LABEL, hasStatefulPool, poolPlacements } from "../components/config/pools";
import type { PoolRole, StackConfig } from "../components/config/schema";

/**
 * A cluster with these worker pools. The functions read the pools alone; the rest of a cluster is left out rather
 * than parsed from a stack file, which costs this small file seconds of imports (zod, the loader).
 */
function withPools(pools: { name: string; role: PoolRole; count: number }[]): Pick<StackConfig, "cluster"> {
    const workerPools: Pick<StackConfig["cluster"]["workerPools"][number], "name" | "role" | "count">[] = pools;
    return { cluster: { workerPools } } as unknown as Pick<StackConfig, "cluster">;
}

describe("the labels and taints of the worker pools", () => {
    it("are these names: the pods' nodeSelectors and tolerations and the policy pack use them", () => {
        expect([POOL_LABEL, POOL_ROLE_LABEL]).toEqual(["fsgs.svom.eu/pool", "fsgs.svom.eu/pool-role"]);
        expect(DEDICATED_TAINT).toEqual({ key: "fsgs.svom.eu/dedicated", value: "stateful", effect: "NoSchedule" });
    });

    it("label every pool's nodes with its name and role, and taint only a stateful pool's", () => {
        const placements = poolPlacements(withPools([
            { name: "general", role: "general", count: 4 },
            { name: "db", role: "stateful", count: 3 },
        ]));
        expect(placements).toEqual({
            general: { labels: { "fsgs.svom.eu/pool": "general", "fsgs.svom.eu/pool-role": "general" }, taints: [] },
            db: {
                labels: { "fsgs.svom.eu/pool": "db", "fsgs.svom.eu/pool-role": "stateful" },
                taints: [{ key: "fsgs.svom.eu/dedicated", value: "stateful", effect: "NoSchedule" }],
            },
        });
    });
});

describe("hasStatefulPool", () => {
    it("is true only with a stateful pool that has nodes", () => {
        const cases: [string, { name: string; role: PoolRole; count: number }[], boolean][] = [
            ["general only", [{ name: "general", role: "general", count: 4 }], false],
            ["a stateful pool of three", [{ name: "general", role: "general", count: 4 }, { name: "db", role: "stateful", count: 3 }], true],
            ["a stateful pool of one", [{ name: "db", role: "stateful", count: 1 }], true],
            ["an empty stateful pool", [{ name: "general", role: "general", count: 4 }, { name: "db", role: "stateful", count: 0 }], false],
        ];
        expect(cases.map(([what, pools]) => [what, hasStatefulPool(withPools(pools))])).toEqual(cases.map(([what, , expected]) => [what, expected]));
    });
});
