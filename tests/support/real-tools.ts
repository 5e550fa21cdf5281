/**
 * Runs the real programs that read the configs we render (haproxy, keepalived, cloud-init from Debian's
 * packages; scripts/test-all.sh installs them) on files in a scratch folder. A missing binary fails the test.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Not ./stacks's ROOT: that module loads the whole program, seconds per file that only needs a folder.
const ROOT = join(__dirname, "..", "..");

let scratch: string | undefined;

/** A scratch folder of this test file, created on first use (not at import, so a filtered run pays nothing). */
function scratchFolder(): string {
    if (scratch === undefined) {
        // keepalived refuses a track script under a directory others can write to, so not the system's /tmp.
        const scratchRoot = join(ROOT, "build", "rendered-configs");
        mkdirSync(scratchRoot, { recursive: true, mode: 0o755 });
        scratch = mkdtempSync(join(scratchRoot, "run-"));
        chmodSync(scratch, 0o755);
    }
    return scratch;
}

export function runTool(binary: string, args: string[]): { status: number | null; output: string } {
    const result = spawnSync(binary, args, { encoding: "utf8" });
    if (result.error) {
        throw new Error(`${binary} is not installed (apt-get install haproxy keepalived cloud-init): ${result.error.message}`);
    }
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export function writeScratch(name: string, content: string, mode?: number): string {
    const path = join(scratchFolder(), name);
    writeFileSync(path, content);
    if (mode !== undefined) {
        chmodSync(path, mode);
    }
    return path;
}

/** An interface this machine has (its default route's, else any but loopback): keepalived checks it exists. */
export function defaultInterface(): string {
    const routes = readFileSync("/proc/net/route", "utf8").split("\n").slice(1);
    const route = routes.map((line) => line.trim().split(/\s+/)).find((fields) => fields[1] === "00000000");
    const name = route?.[0] ?? readdirSync("/sys/class/net").find((candidate) => candidate !== "lo");
    if (!name) {
        throw new Error("this machine has no network interface but loopback, which keepalived refuses");
    }
    return name;
}
