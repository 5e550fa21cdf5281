import { parseClusterRuns, workerAddedVersusFullRun } from "../scripts/bench/cluster-runs";

describe("the bench's cluster harness report", () => {
    it("compares the worker added with the full run that formed prod", () => {
        const runs = parseClusterRuns("prod-formation\t8\t431\t250\t150\nprod-second-run\t8\t431\t0\t120\nworker-added-3-days-later\t2\t123\t30\t40\n");
        expect(workerAddedVersusFullRun(runs)).toEqual([
            "full run (prod formed, every role on every host): 8 hosts, 431 tasks (250 changed), 150 s",
            "one worker added (--limit new worker + first control plane): 2 hosts, 123 tasks (30 changed), 40 s",
            "adding one worker touches 2/8 hosts and 29% of the full run's tasks",
        ]);
    });

    it("says which run is missing", () => {
        expect(workerAddedVersusFullRun(parseClusterRuns("prod-formation\t8\t431\t250\t150\n"))[1]).toBe(
            "one worker added (--limit new worker + first control plane): not run",
        );
    });
});
