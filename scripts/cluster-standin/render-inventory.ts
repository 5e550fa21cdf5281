/**
 * The inventory the Pulumi program renders for a stack (offline, under the fake cloud of the plan), rewritten
 * for the multi-host harness: every Kubernetes node is reached through the community.general.chroot connection
 * in its own root instead of SSH. Nothing else of the inventory changes: the group and host variables (kubeadm,
 * audit, CNI, haproxy and keepalived configs) are the program's own.
 *
 *   tsx scripts/cluster-standin/render-inventory.ts --stack prod --roots /var/tmp/x/hosts --out inv.yml
 *       [--set cluster.workerPools[0].count=5]...
 *
 * Prints one line per node, `<group> <name> <address>`, so the harness knows which roots to make, and writes
 * `<out>.join-limits`: `<worker> <limit>` per worker, the `--limit` of the program's join command for it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { buildStack } from "../../components/stack";
import { ProgramFailedError, renderProgram } from "../offline/render";
import { readStackFiles } from "../offline/stack-files";

const ROOT = join(__dirname, "..", "..");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sets `a.b[0].c` in a JSON value, creating nothing: a path that does not exist is a typo. */
function setPath(target: Json, path: string, value: Json): void {
    const steps = path.match(/[^.[\]]+/g) ?? [];
    let node: Json = target;
    steps.forEach((step, index) => {
        const last = index === steps.length - 1;
        if (node === null || typeof node !== "object") {
            throw new Error(`--set ${path}: ${steps.slice(0, index).join(".")} is not an object or a list`);
        }
        const container = node as Record<string, Json>;
        if (!last && !(step in container)) {
            throw new Error(`--set ${path}: no ${step} in the stack config`);
        }
        if (last) {
            container[step] = value;
        } else {
            node = container[step];
        }
    });
}

/** `key.path=value` applied to the namespaced config the CLI would hand the program. */
function applyOverride(config: Record<string, string>, project: string, assignment: string): void {
    const match = /^([^.=[]+)([^=]*)=(.*)$/.exec(assignment);
    if (!match) {
        throw new Error(`--set ${assignment}: expected key.path=value`);
    }
    const [, key, rest, rawValue] = match;
    const fullKey = `${project}:${key}`;
    let value: Json;
    try {
        value = JSON.parse(rawValue) as Json;
    } catch {
        value = rawValue;
    }
    if (rest === "") {
        config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        return;
    }
    if (!(fullKey in config)) {
        throw new Error(`--set ${assignment}: the stack sets no ${key}`);
    }
    const parsed = JSON.parse(config[fullKey]) as Json;
    setPath(parsed, rest.replace(/^\./, ""), value);
    config[fullKey] = JSON.stringify(parsed);
}

interface InventoryHost {
    ansible_host?: string;
    node_ip?: string;
    [key: string]: unknown;
}
interface InventoryGroup {
    hosts?: Record<string, InventoryHost>;
    vars?: Record<string, unknown>;
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            roots: { type: "string" },
            out: { type: "string" },
            set: { type: "string", multiple: true },
        },
    });
    if (!values.stack || !values.roots || !values.out) {
        console.error("usage: render-inventory.ts --stack <name> --roots <dir> --out <file> [--set key.path=value]...");
        return 2;
    }
    const files = readStackFiles(ROOT, values.stack);
    for (const assignment of values.set ?? []) {
        applyOverride(files.config, files.project, assignment);
    }
    let render;
    try {
        render = await renderProgram({ ...files, stack: values.stack, program: buildStack });
    } catch (error) {
        if (error instanceof ProgramFailedError) {
            console.error(`${values.stack}: ${error.message}`);
            return 1;
        }
        throw error;
    }
    // The CopyToRemote that puts inventory.yml on the bastion carries the text Ansible reads.
    const source = render.resources.find((resource) => resource.name.endsWith("-ansible-inventory"))?.inputs.source;
    if (source === null || typeof source !== "object" || !("stringAsset" in source)) {
        console.error(`${values.stack}: the program registered no inventory`);
        return 1;
    }
    const inventory = parse(String(source.stringAsset)) as { all: { vars: Record<string, unknown>; children: Record<string, InventoryGroup> } };
    const lines: string[] = [];
    for (const group of ["control_plane", "workers"]) {
        for (const [name, host] of Object.entries(inventory.all.children[group]?.hosts ?? {})) {
            lines.push(`${group} ${name} ${String(host.node_ip)}`);
            // The node's address stays in node_ip (what the roles and the configs use); Ansible reaches the root.
            host.ansible_host = join(values.roots, name, "root");
            host.ansible_connection = "community.general.chroot";
            // A chroot has no block device to format and mount: the data_volumes role is proven on a real loop
            // device by scripts/converge-data-volumes.sh, so the harness hosts run without an attached volume.
            delete host.data_volumes_volume_id;
        }
    }
    writeFileSync(
        values.out,
        `# Rendered by scripts/cluster-standin/render-inventory.ts from the program's inventory for ${values.stack}; chroot connection.\n${stringify(inventory, { lineWidth: 0 })}`,
    );
    // The `--limit` of each worker's join command (components/ansible/playbook-run.ts), as the program renders it:
    // the harness runs a worker added later with exactly this limit.
    const limits = render.resources.flatMap((resource) => {
        const worker = /-ansible-join-(.+)$/.exec(resource.name)?.[1];
        const limit = typeof resource.inputs.create === "string" ? /--limit '([^']+)'/.exec(resource.inputs.create)?.[1] : undefined;
        return worker && limit ? [`${worker} ${limit}\n`] : [];
    });
    writeFileSync(`${values.out}.join-limits`, limits.join(""));
    console.log(lines.join("\n"));
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    },
);
