import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { clusterRunReport } from "./bench/cluster-runs";

// Median of this many runs; the first run of each command warms the file cache and is discarded.
const RUNS = 5;
const ROOT = join(__dirname, "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/** Wall seconds of a command, which must succeed. */
function timed(command: string, args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} exited with ${String(result.status)}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
}

const seconds = (args: string[]): number => timed(TSX, args);
const bashSeconds = (commandLine: string): number => timed("bash", ["-c", commandLine]);

function median(args: string[]): number {
    seconds(args);
    const samples = Array.from({ length: RUNS }, () => seconds(args)).sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
}

// `npm run bench -- --npm-test`: npm test (scripts/npm-test.sh: the lint beside the type check and jest) against the
// three steps one after the other, its baseline, alternated so that neither gets a colder cache; median of 3 each.
if (process.argv.includes("--npm-test")) {
    const sequential = "npm run --silent typecheck && npm run --silent lint && npm run --silent unit";
    const samples: { sequential: number[]; npmTest: number[] } = { sequential: [], npmTest: [] };
    for (let run = 0; run < 3; run++) {
        samples.sequential.push(bashSeconds(`${sequential} >/dev/null 2>&1`));
        samples.npmTest.push(bashSeconds("bash scripts/npm-test.sh >/dev/null 2>&1"));
    }
    const middle = (values: number[]) => [...values].sort((a, b) => a - b)[1];
    const [baseline, npmTest] = [middle(samples.sequential), middle(samples.npmTest)];
    console.log(`baseline (typecheck, lint, unit one after the other): ${baseline.toFixed(1)} s, median of 3`);
    console.log(`npm test: ${npmTest.toFixed(1)} s, median of 3 (ratio ${(npmTest / baseline).toFixed(2)})`);
    process.exit(0);
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
