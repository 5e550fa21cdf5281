/**
 * The script that waits for the bastion to be ready, as the program registers it, run by bash against stand-in
 * commands: `cloud-init` exiting as cloud-init does (0 done, 1 fatal error, 2 done with recoverable errors),
 * `ansible-playbook` present or not, and a `mkdir` that only records what it was asked.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderStack } from "./support/stacks";

let script: string;
beforeAll(async () => {
    const render = await renderStack("integration");
    script = String(render.resources.find((resource) => resource.name.endsWith("-ansible-bastion-ready"))?.inputs.create);
});

function standIn(folder: string, name: string, body: string): void {
    const path = join(folder, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
}

/** Runs the script with only the stand-ins on PATH; returns its status and whether it got to mkdir. */
function runReady(cloudInitStatus: number, ansibleInstalled: boolean) {
    const bin = mkdtempSync(join(tmpdir(), "bastion-ready-"));
    standIn(bin, "cloud-init", `exit ${cloudInitStatus}`);
    standIn(bin, "mkdir", `echo "$@" > "${bin}/mkdir.log"`);
    if (ansibleInstalled) {
        standIn(bin, "ansible-playbook", "exit 0");
    }
    const result = spawnSync("/bin/bash", ["-c", script], { encoding: "utf8", env: { PATH: bin } });
    return { status: result.status, madeRelease: existsSync(join(bin, "mkdir.log")) && readFileSync(join(bin, "mkdir.log"), "utf8").includes("releases/") };
}

describe("the bastion-ready script", () => {
    it.each<[string, number, boolean, boolean]>([
        ["cloud-init done, Ansible installed", 0, true, true],
        ["cloud-init done with recoverable errors (status 2), Ansible installed", 2, true, true],
        ["cloud-init failed (status 1)", 1, true, false],
        ["cloud-init done but Ansible missing", 0, false, false],
        ["cloud-init done with recoverable errors but Ansible missing", 2, false, false],
    ])("%s: succeeds only when the bastion can run Ansible", (_, cloudInit, ansible, ready) => {
        const { status, madeRelease } = runReady(cloudInit, ansible);
        expect({ succeeded: status === 0, madeRelease }).toEqual({ succeeded: ready, madeRelease: ready });
    });
});
