/**
 * Host keys are pinned: the program generates each server's key, hands it to cloud-init, and every SSH
 * connection (pulumi-command's `hostKey`, Ansible's known_hosts with StrictHostKeyChecking=yes) accepts that
 * key only. The deploy private key travels over these connections.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { Render } from "../scripts/offline/render";
import { RecordingCloud } from "./support/recording-cloud";
import { STACKS, type StackName, TYPES, ofType, renderStack } from "./support/stacks";

interface Connection {
    host: string;
    hostKey?: string;
    proxy?: Connection;
}
interface CloudConfig {
    ssh_keys?: { ed25519_private?: string; ed25519_public?: string };
}

const scratch = mkdtempSync(join(tmpdir(), "host-keys-"));

function run(binary: string, args: string[]) {
    const result = spawnSync(binary, args, { encoding: "utf8" });
    if (result.error) {
        throw new Error(`${binary} is not installed: ${result.error.message}`);
    }
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.each(STACKS)("%s: pinned host keys", (stack: StackName) => {
    const cloud = new RecordingCloud();
    let render: Render;
    /** The host key each server's cloud-init installs, by the address connections use for it. */
    const keyAt = new Map<string, string>();
    const userData = new Map<string, CloudConfig>();
    /** The same, for the Kubernetes nodes only: what Ansible on the bastion connects to. */
    const nodeKeyAt = new Map<string, string>();

    beforeAll(async () => {
        render = await renderStack(stack, undefined, cloud);
        for (const [server, inputs] of cloud.ofType(TYPES.instance)) {
            const document = parse(String(inputs.userData)) as CloudConfig;
            userData.set(server, document);
            const publicKey = String(document.ssh_keys?.ed25519_public);
            const privateAddress = (cloud.state(TYPES.port, `${server}-port`).allFixedIps as string[])[0];
            keyAt.set(privateAddress, publicKey);
            if (server.endsWith("-bastion")) {
                keyAt.set(String(cloud.state(TYPES.floatingIp, `${server}-fip`).address), publicKey);
            } else {
                nodeKeyAt.set(privateAddress, publicKey);
            }
        }
    });

    it("gives every server a generated ed25519 host key through cloud-init, as a secret", () => {
        const instances = ofType(render, TYPES.instance);
        expect(instances.length).toBe(userData.size);
        for (const instance of instances) {
            const keys = userData.get(instance.name)?.ssh_keys;
            expect([instance.name, keys?.ed25519_public]).toEqual([instance.name, expect.stringMatching(/^ssh-ed25519 AAAA/)]);
            expect(keys?.ed25519_private).toContain("OPENSSH PRIVATE KEY");
            expect(instance.inputs.userData).toBe("[secret]");
        }
        const distinct = new Set([...userData.values()].map((document) => document.ssh_keys?.ed25519_public));
        expect(distinct.size).toBe(userData.size);
    });

    it("hands cloud-init user data its schema accepts (cloud-init schema, Debian's package)", () => {
        const [, bastionInputs] = cloud.ofType(TYPES.instance).find(([name]) => name.endsWith("-bastion")) ?? [];
        const file = join(scratch, `${stack}-user-data.yaml`);
        writeFileSync(file, String(bastionInputs?.userData));
        const result = run("cloud-init", ["schema", "--config-file", file]);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("Valid cloud-config")]);
        expect(result.output).not.toContain("DEPRECATED");
    });

    it("has every remote command (and its proxy) verify the key of the server it connects to", () => {
        const commands = [...cloud.ofType("command:remote:Command"), ...cloud.ofType("command:remote:CopyToRemote")];
        expect(commands.length).toBeGreaterThanOrEqual(7);
        for (const [name, inputs] of commands) {
            const connection = inputs.connection as Connection;
            for (const [hop, target] of [["connection", connection], ["proxy", connection.proxy]] as const) {
                if (target) {
                    expect([name, hop, target.hostKey?.trim()]).toEqual([name, hop, keyAt.get(target.host)]);
                }
            }
        }
    });

    it("has Ansible refuse any node key but the pinned one (known_hosts checked by ssh-keygen)", () => {
        const copied = (suffix: string) => {
            const copy = render.resources.find((resource) => resource.type === "command:remote:CopyToRemote" && resource.name.endsWith(suffix));
            return { text: String((copy?.inputs.source as { stringAsset?: string } | undefined)?.stringAsset), remotePath: copy?.inputs.remotePath };
        };
        const { text: knownHosts, remotePath } = copied("-known-hosts");
        const file = join(scratch, `${stack}-known_hosts`);
        writeFileSync(file, knownHosts);
        const nodes = [...nodeKeyAt];
        expect(nodes.length).toBeGreaterThanOrEqual(3);
        for (const [address, publicKey] of nodes) {
            const found = run("ssh-keygen", ["-F", address, "-f", file]);
            expect([address, found.status]).toEqual([address, 0]);
            expect(found.output).toContain(publicKey.split(" ")[1]);
        }
        expect(run("ssh-keygen", ["-F", "192.0.2.99", "-f", file]).status).not.toBe(0);

        const inventory = parse(copied("-inventory").text) as {
            all: { vars: { ansible_ssh_common_args: string } };
        };
        const args = inventory.all.vars.ansible_ssh_common_args;
        expect(args).toContain("-o StrictHostKeyChecking=yes");
        expect(args).toContain(`-o UserKnownHostsFile=${String(remotePath)}`);
        expect(args).not.toContain("accept-new");
    });
});
