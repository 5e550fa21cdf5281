import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderInventory } from "../components/cluster/inventory";
import { REMOVAL_LOCK, removalScript } from "../components/cluster/node-lifecycle";
import type { Render, RenderedResource } from "../scripts/offline/render";
import { TYPES, ofType, rawConfig, renderStack } from "./support/stacks";

const COMMAND = "command:remote:Command";
const removals = (render: Render) => render.resources.filter((resource) => resource.type === COMMAND && resource.name.includes("-node-removal-"));
const servers = (render: Render) => ofType(render, TYPES.instance).filter((resource) => !resource.name.endsWith("-bastion"));
const byName = (render: Render, name: string): RenderedResource => {
    const found = render.resources.find((resource) => resource.name === name);
    if (!found) {
        throw new Error(`no resource ${name}`);
    }
    return found;
};

/** The resources an `up` from `before` to `after` deletes (registered before, no longer registered), by name. */
function dropped(before: Render, after: Render): string[] {
    const kept = new Set(after.resources.map((resource) => resource.urn));
    return before.resources.filter((resource) => !kept.has(resource.urn)).map((resource) => resource.name);
}

/**
 * Whether Pulumi must delete `first` before `then`: only when `first` depends on `then`, directly or through other
 * resources (Pulumi deletes dependents before their dependencies; with no path between them it may delete them
 * in any order, or at once). Reads the dependencies as registered in `render`, which the state keeps.
 */
function deletedBefore(render: Render, first: string, then: string): boolean {
    const target = byName(render, then).urn;
    const seen = new Set<string>();
    const walk = (urn: string): boolean => {
        if (seen.has(urn)) {
            return false;
        }
        seen.add(urn);
        const resource = render.resources.find((candidate) => candidate.urn === urn);
        return (resource?.dependsOn ?? []).some((dependency) => dependency === target || walk(dependency));
    };
    return walk(byName(render, first).urn);
}

let prod: Render;
beforeAll(async () => {
    prod = await renderStack("prod");
});

describe("node removal, ordered by Pulumi", () => {
    it("gives every server a removal command that depends on it, on the bastion and on the deploy key", () => {
        const commands = removals(prod);
        const bastion = byName(prod, "fsgs-prod-bastion");
        const deployKey = byName(prod, "fsgs-prod-ansible-deploy-key");
        expect(servers(prod).length).toBeGreaterThanOrEqual(6);
        for (const server of servers(prod)) {
            const removal = commands.find((command) => command.name === `fsgs-prod-node-removal-${server.name}`);
            expect([server.name, removal?.dependsOn.includes(server.urn), removal?.dependsOn.includes(bastion.urn), removal?.dependsOn.includes(deployKey.urn)]).toEqual([
                server.name,
                true,
                true,
                true,
            ]);
        }
        expect(commands).toHaveLength(servers(prod).length);
    });

    it("does nothing when created: only its delete runs, with the node's name, address and role", () => {
        const removal = byName(prod, "fsgs-prod-node-removal-fsgs-prod-cp-2");
        expect(removal.inputs.create).toBeUndefined();
        expect(removal.inputs.delete).toContain("-e removed_node_name='fsgs-prod-cp-2'");
        expect(removal.inputs.delete).toMatch(/-e removed_node_address='10\.\d+\.\d+\.\d+' -e removed_node_role=control-plane/);
    });

    it("removing a worker deletes its removal command (the drain) before its server and its port", async () => {
        const [pool] = (rawConfig("prod").cluster as { workerPools: { name: string; count: number }[] }).workerPools;
        const after = await renderStack("prod", (c: Record<string, any>) => (c.cluster.workerPools[0].count -= 1));
        const removed = `fsgs-prod-${pool.name}-${pool.count}`;
        const gone = dropped(prod, after);
        expect(gone).toEqual(expect.arrayContaining([removed, `${removed}-port`, `fsgs-prod-node-removal-${removed}`]));
        expect(deletedBefore(prod, `fsgs-prod-node-removal-${removed}`, removed)).toBe(true);
        expect(deletedBefore(prod, `fsgs-prod-node-removal-${removed}`, `${removed}-port`)).toBe(true);
        // No other node is drained.
        expect(gone.filter((name) => name.includes("node-removal"))).toEqual([`fsgs-prod-node-removal-${removed}`]);
    });

    it("control planes 5 -> 3: both removals run before their servers, one at a time (a lock on the bastion)", async () => {
        const five = await renderStack("prod", (c: Record<string, any>) => (c.cluster.controlPlane.count = 5));
        const three = await renderStack("prod");
        const gone = dropped(five, three);
        for (const node of ["fsgs-prod-cp-4", "fsgs-prod-cp-5"]) {
            expect(gone).toEqual(expect.arrayContaining([node, `fsgs-prod-node-removal-${node}`]));
            expect(deletedBefore(five, `fsgs-prod-node-removal-${node}`, node)).toBe(true);
            expect(byName(five, `fsgs-prod-node-removal-${node}`).inputs.delete).toContain(`flock ${REMOVAL_LOCK} `);
        }
    });
});

describe("the removal script on the bastion", () => {
    /** Runs the script in a fake home with a recording ansible-playbook; returns its output and the recorded call. */
    function runRemoval(inventoryNodes: string[], removed: string): { status: number | null; stdout: string; call: string } {
        const home = mkdtempSync(join(tmpdir(), "removal-"));
        const workdir = join(home, "fsgs-ansible");
        const bin = join(home, "bin");
        mkdirSync(join(workdir, "releases", "0123456789abcdef", "playbooks"), { recursive: true });
        mkdirSync(bin);
        const node = (name: string) => ({ name, privateAddress: "10.20.0.21" });
        writeFileSync(
            join(workdir, "inventory.yml"),
            renderInventory({
                environment: "prod",
                clusterName: "fsgs-prod",
                kubernetesVersion: "1.36.4",
                sshUser: "debian",
                privateKeyFile: "~/.ssh/fsgs-deploy",
                knownHostsFile: "/home/debian/fsgs-ansible/known_hosts",
                bastion: { name: "fsgs-prod-bastion", privateAddress: "10.20.0.5", publicAddress: "203.0.113.5" },
                controlPlane: [node("fsgs-prod-cp-1")],
                workers: inventoryNodes.map(node),
                endpoint: { mode: "octavia", privateAddress: "10.20.0.10", publicAddress: "203.0.113.10", port: 6443 },
                network: { nodeCidr: "10.20.0.0/24", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12" },
                cni: "calico",
                runsOn: "bastion",
            }),
        );
        const record = join(home, "call");
        writeFileSync(join(bin, "ansible-playbook"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
        chmodSync(join(bin, "ansible-playbook"), 0o755);
        const script = removalScript({ name: removed, role: "worker" }, "10.20.0.23", workdir);
        const result = spawnSync("bash", ["-c", script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` }, encoding: "utf8" });
        let call = "";
        try {
            call = readFileSync(record, "utf8");
        } catch {
            // ansible-playbook was not run.
        }
        return { status: result.status, stdout: result.stdout, call };
    }

    it("runs remove-node.yml from the newest release when the new inventory no longer lists the node", () => {
        const { status, call } = runRemoval(["fsgs-prod-general-1", "fsgs-prod-general-2"], "fsgs-prod-general-3");
        expect(status).toBe(0);
        expect(call.split("\n")).toEqual([
            "-i",
            "inventory.yml",
            "releases/0123456789abcdef/playbooks/remove-node.yml",
            "-e",
            "removed_node_name=fsgs-prod-general-3",
            "-e",
            "removed_node_address=10.20.0.23",
            "-e",
            "removed_node_role=worker",
            "",
        ]);
    });

    it("drains nothing when the inventory still lists the node (the whole environment is being destroyed)", () => {
        const { status, stdout, call } = runRemoval(["fsgs-prod-general-1", "fsgs-prod-general-2"], "fsgs-prod-general-2");
        expect(status).toBe(0);
        expect(stdout).toContain("still in the inventory");
        expect(call).toBe("");
    });
});

