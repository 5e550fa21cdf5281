import type { StackConfig } from "./schema";

/** Labels every worker gets at join: its pool and the pool's role. A custom prefix: kubelets may not self-set node-role.kubernetes.io/*. */
export const POOL_LABEL = "fsgs.svom.eu/pool";
export const POOL_ROLE_LABEL = "fsgs.svom.eu/pool-role";

/** The taint of a dedicated pool: ordinary pods stay off; the workloads it is for tolerate it. */
export const DEDICATED_TAINT = { key: "fsgs.svom.eu/dedicated", value: "stateful", effect: "NoSchedule" } as const;

export interface PoolPlacement {
    labels: Record<string, string>;
    taints: { key: string; value: string; effect: "NoSchedule" }[];
}

/** What each worker pool is for, as the labels and taints its nodes register with. */
export function poolPlacements(config: Pick<StackConfig, "cluster">): Record<string, PoolPlacement> {
    return Object.fromEntries(
        config.cluster.workerPools.map((pool) => [
            pool.name,
            {
                labels: { [POOL_LABEL]: pool.name, [POOL_ROLE_LABEL]: pool.role },
                taints: pool.role === "stateful" ? [{ ...DEDICATED_TAINT }] : [],
            },
        ]),
    );
}

/** Whether stateful services have a pool of their own to go to (one with nodes in it). */
export function hasStatefulPool(config: Pick<StackConfig, "cluster">): boolean {
    return config.cluster.workerPools.some((pool) => pool.role === "stateful" && pool.count > 0);
}
