import { existsSync, readFileSync } from "node:fs";

/** One playbook run of the cluster harness (scripts/cluster-standin/run-scenarios.sh writes one line per run). */
export interface ClusterRun {
    label: string;
    hosts: number;
    tasks: number;
    changed: number;
    seconds: number;
}

/** The harness's `label<TAB>hosts<TAB>tasks<TAB>changed<TAB>seconds` lines. */
export function parseClusterRuns(text: string): ClusterRun[] {
    return text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
            const [label, hosts, tasks, changed, seconds] = line.split("\t");
            return { label, hosts: Number(hosts), tasks: Number(tasks), changed: Number(changed), seconds: Number(seconds) };
        });
}

/** The comparison the issue asks for: adding one worker (a limited run) against the full run that formed prod. */
export function workerAddedVersusFullRun(runs: readonly ClusterRun[]): string[] {
    const byLabel = (label: string) => runs.find((run) => run.label === label);
    const full = byLabel("prod-formation");
    const added = byLabel("worker-added-3-days-later");
    const line = (name: string, run: ClusterRun | undefined) =>
        run ? `${name}: ${run.hosts} hosts, ${run.tasks} tasks (${run.changed} changed), ${run.seconds} s` : `${name}: not run`;
    const lines = [line("full run (prod formed, every role on every host)", full), line("one worker added (--limit new worker + first control plane)", added)];
    if (full && added && full.tasks > 0) {
        lines.push(`adding one worker touches ${added.hosts}/${full.hosts} hosts and ${Math.round((100 * added.tasks) / full.tasks)}% of the full run's tasks`);
    }
    return lines;
}

/** What `npm run bench` prints about the cluster harness's last run, from its report file. */
export function clusterRunReport(path: string): string[] {
    if (!existsSync(path)) {
        return [`no cluster harness report at ${path}: run scripts/cluster-standin/run-scenarios.sh (as root) first`];
    }
    const runs = parseClusterRuns(readFileSync(path, "utf8"));
    return [
        ...workerAddedVersusFullRun(runs),
        "every run of the harness's last run:",
        ...runs.map((run) => `  ${run.label.padEnd(36)} hosts=${String(run.hosts).padEnd(3)} tasks=${String(run.tasks).padEnd(4)} changed=${String(run.changed).padEnd(3)} ${run.seconds} s`),
    ];
}
