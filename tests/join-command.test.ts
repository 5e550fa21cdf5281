/**
 * The bastion side of the join commands (components/ansible/playbook-run.ts), run for real by bash in a scratch
 * workdir with a recording `ansible-playbook` on the PATH: a worker the cluster-wide run converged is skipped, a
 * new one runs site.yml with its limit and is then recorded.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { joinCommand, playbookCommand } from "../components/ansible/playbook-run";

function bastion() {
    const root = mkdtempSync(join(tmpdir(), "bastion-"));
    const workdir = join(root, "fsgs-ansible");
    const release = join(workdir, "releases", "abc");
    const bin = join(root, "bin");
    mkdirSync(join(release, "playbooks"), { recursive: true });
    mkdirSync(bin);
    const calls = join(root, "calls");
    writeFileSync(join(bin, "ansible-playbook"), `#!/bin/sh\necho "$PWD $*" >> ${calls}\n`);
    chmodSync(join(bin, "ansible-playbook"), 0o755);
    const run = (script: string) => execFileSync("bash", ["-c", script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` } }).toString();
    const called = () => {
        try {
            return readFileSync(calls, "utf8").trim().split("\n");
        } catch {
            return [];
        }
    };
    return { workdir, release, run, called };
}

describe("the join command on the bastion", () => {
    it("skips a worker the cluster-wide run converged, and runs a new one limited to it and the control plane", () => {
        const { workdir, release, run, called } = bastion();
        writeFileSync(join(workdir, "worker-keys.txt"), "fsgs-prod-general-1=k1\n");
        run(playbookCommand(release));
        expect(called()).toEqual([`${release} -i ../../inventory.yml playbooks/site.yml`]);
        expect(readFileSync(join(workdir, "converged-workers.txt"), "utf8")).toBe("fsgs-prod-general-1=k1\n");

        expect(run(joinCommand(workdir, "fsgs-prod-general-1", "k1", ["fsgs-prod-general-1", "fsgs-prod-cp-1"]))).toContain("converged by the cluster-wide run");
        expect(called()).toHaveLength(1);

        run(joinCommand(workdir, "fsgs-prod-general-2", "k2", ["fsgs-prod-general-2", "fsgs-prod-cp-1"]));
        expect(called()[1]).toMatch(/ -i \.\.\/\.\.\/inventory\.yml playbooks\/site\.yml --limit fsgs-prod-general-2,fsgs-prod-cp-1$/);
        expect(readFileSync(join(workdir, "converged-workers.txt"), "utf8")).toBe("fsgs-prod-general-1=k1\nfsgs-prod-general-2=k2\n");
    });

    it("runs a rebuilt worker again: its new key is not the one the cluster-wide run converged", () => {
        const { workdir, release, run, called } = bastion();
        writeFileSync(join(workdir, "worker-keys.txt"), "fsgs-prod-general-1=k1\n");
        run(playbookCommand(release));
        run(joinCommand(workdir, "fsgs-prod-general-1", "k1-rebuilt", ["fsgs-prod-general-1", "fsgs-prod-cp-1"]));
        expect(called()).toHaveLength(2);
    });
});
