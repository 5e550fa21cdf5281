import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { clusterRunReport } from "./bench/cluster-runs";

// Median of this many runs; the first run of each command warms the file cache and is discarded.
const RUNS = 5;
const ROOT = join(__dirname, "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

function seconds(args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(TSX, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    if (result.status !== 0) {
        throw new Error(`tsx ${args.join(" ")} exited with ${String(result.status)}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(args: string[]): number {
    seconds(args);
    const samples = Array.from({ length: RUNS }, () => seconds(args)).sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
}

// Hosts and tasks the cluster harness's playbook runs touched (its last run as root; not re-run here, it takes minutes).
console.log("cluster harness (scripts/cluster-standin/run-scenarios.sh), hosts and tasks per run:");
for (const line of clusterRunReport(join(ROOT, "build", "test-results", "cluster-runs.tsv"))) {
    console.log(`  ${line}`);
}
const stacks = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["prod"];
const baseline = median(["scripts/bench/import-only.ts"]);
console.log(`baseline (node + tsx + import of the Pulumi packages): ${baseline.toFixed(2)} s, median of ${RUNS}`);
for (const stack of stacks) {
    const plan = median(["scripts/plan.ts", "--stack", stack]);
    console.log(
        `plan --stack ${stack}: ${plan.toFixed(2)} s = baseline + ${(plan - baseline).toFixed(2)} s (ratio ${(plan / baseline).toFixed(2)})`,
    );
}
