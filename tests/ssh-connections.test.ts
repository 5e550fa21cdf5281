/**
 * The SSH connections of the program, as pulumi-command v1.2.1 and Ansible receive them:
 * - host keys are pinned: the program generates each server's key, hands it to cloud-init, and every connection
 *   (pulumi-command's `hostKey`, Ansible's known_hosts with StrictHostKeyChecking=yes) accepts that key only,
 *   since the deploy private key travels over them;
 * - the dial budget outlasts a boot: a server Nova reports ACTIVE is still starting sshd for a minute or two.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { SSH_DIAL_ERROR_LIMIT, dialBudgetSeconds } from "../components/ansible/connection";
import type { Render } from "../scripts/offline/render";
import { RecordingCloud } from "./support/recording-cloud";
import { TYPES, ofType, renderStack } from "./support/stacks";

interface Connection {
    host: string;
    hostKey?: string;
    dialErrorLimit?: number;
    perDialTimeout?: number;
    proxy?: Connection;
}
// pulumi-command v1.2.1 connection.go: dialErrorDefault = 10, PerDialTimeout default 15.
const withDefaults = (connection: Connection) => ({ limit: connection.dialErrorLimit ?? 10, timeout: connection.perDialTimeout ?? 15 });

describe("dialBudgetSeconds, pulumi-command's retry loop", () => {
    it("gives up after about 11 s of refusals with the provider's default of 10 dial errors", () => {
        // 100 ms growing 1.5x per retry (pulumi retry/until.go): 0.1 + 0.15 + ... + 3.84 over 10 retries.
        expect(dialBudgetSeconds(10, 0)).toBeCloseTo(11.33, 1);
    });

    it("caps the delay at 5 s, and counts the dial time of each of the limit + 1 dials", () => {
        expect(dialBudgetSeconds(12, 0) - dialBudgetSeconds(11, 0)).toBeCloseTo(5, 5);
        expect(dialBudgetSeconds(10, 15) - dialBudgetSeconds(10, 0)).toBeCloseTo(11 * 15, 5);
    });
});

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

// integration (vip endpoint, one control plane) and prod (Octavia, three): the two shapes of the program.
describe.each(["integration", "prod"] as const)("%s: SSH connections", (stack) => {
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
    /** Every connection and proxy hop, by command name. */
    const hops = (): [string, Connection][] =>
        [...cloud.ofType("command:remote:Command"), ...cloud.ofType("command:remote:CopyToRemote")].flatMap(([name, inputs]) => {
            const connection = inputs.connection as Connection;
            return [[name, connection], ...(connection.proxy ? [[`${name} (proxy)`, connection.proxy] as [string, Connection]] : [])];
        });

    it("keeps dialing a freshly booted server for at least 3 minutes of refused connections", () => {
        expect(hops().length).toBeGreaterThanOrEqual(8);
        for (const [name, connection] of hops()) {
            const { limit } = withDefaults(connection);
            expect([name, dialBudgetSeconds(limit, 0) >= 180]).toEqual([name, true]);
        }
    });

    it("still gives up within 20 minutes on an address that never answers", () => {
        for (const [name, connection] of hops()) {
            const { limit, timeout } = withDefaults(connection);
            expect([name, dialBudgetSeconds(limit, timeout) <= 20 * 60]).toEqual([name, true]);
        }
        expect(SSH_DIAL_ERROR_LIMIT).toBeGreaterThan(10);
    });
});
