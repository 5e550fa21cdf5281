/**
 * The "authorized deploy keys" script (components/ansible/authorized-keys.ts), run for real by /bin/sh on a home
 * folder standing in for a server's, with keys made by ssh-keygen; and the fake cloud's model of it
 * (scripts/offline/lifecycle/reachability.ts writeDeployKeys) held to what the script does.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEPLOY_KEY_MARK, authorizedKeysScript } from "../components/ansible/authorized-keys";
import type { CloudObject } from "../scripts/offline/lifecycle/fake-openstack";
import { authorizedKeysOf, writeDeployKeys } from "../scripts/offline/lifecycle/reachability";
import { sshKeygen } from "./support/ssh-keygen";

const operator = sshKeygen(["-t", "ed25519"], "alice@ijclab");
const oldKey = sshKeygen(["-t", "ed25519"], "fsgs-prod-deploy");
const newKey = sshKeygen(["-t", "ed25519"], "fsgs-prod-deploy-2027");
const body = (key: { publicKey: string }) => key.publicKey.split(" ").slice(0, 2).join(" ");

let home: string;
const file = () => join(home, ".ssh", "authorized_keys");
beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "fsgs-home-"));
    mkdirSync(join(home, ".ssh"), { mode: 0o700 });
    // As cloud-init leaves it: the operators' keys, and the keypair's key Nova handed over at boot.
    writeFileSync(file(), `${operator.publicKey}\n${oldKey.publicKey}\n`, { mode: 0o600 });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function run(stdin: string): number {
    return spawnSync("sh", ["-c", authorizedKeysScript()], { input: stdin, env: { PATH: process.env.PATH, HOME: home }, stdio: ["pipe", "ignore", "pipe"] }).status ?? -1;
}
/** The fingerprints ssh-keygen reads from the file: it parses every line as an authorized key. */
const fingerprints = () =>
    execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", file()])
        .toString()
        .trim()
        .split("\n")
        .map((line) => line.split(" ")[1]);

test("phase 1 keeps the operators' key and accepts the old and the new deploy keys, each once and marked", () => {
    expect(run(`${newKey.publicKey}\n${oldKey.publicKey}\n`)).toBe(0);
    expect(readFileSync(file(), "utf8")).toBe(`${operator.publicKey}\n${body(newKey)} ${DEPLOY_KEY_MARK}\n${body(oldKey)} ${DEPLOY_KEY_MARK}\n`);
    expect(fingerprints()).toEqual([operator.fingerprint, newKey.fingerprint, oldKey.fingerprint]);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
});

test("run again with the same keys, it writes the same file", () => {
    run(`${newKey.publicKey}\n${oldKey.publicKey}\n`);
    const first = readFileSync(file(), "utf8");
    expect(run(`${newKey.publicKey}\n${oldKey.publicKey}\n`)).toBe(0);
    expect(readFileSync(file(), "utf8")).toBe(first);
});

test("phase 2 takes the old key away, the operators' key stays", () => {
    run(`${newKey.publicKey}\n${oldKey.publicKey}\n`);
    expect(run(`${newKey.publicKey}\n`)).toBe(0);
    expect(fingerprints()).toEqual([operator.fingerprint, newKey.fingerprint]);
});

test("keys as `pulumi config` or Windows hand them (CRLF, no final newline) are read the same", () => {
    expect(run(`${newKey.publicKey}\r\n${oldKey.publicKey}`)).toBe(0);
    expect(fingerprints()).toEqual([operator.fingerprint, newKey.fingerprint, oldKey.fingerprint]);
});

test("an empty list is refused and the file is left as it was: it would shut the program out", () => {
    const before = readFileSync(file(), "utf8");
    expect(run("\n")).not.toBe(0);
    expect(readFileSync(file(), "utf8")).toBe(before);
});

test("the fake cloud's model ends where the script does, run after run", () => {
    const server: CloudObject = { id: "server-1", kind: "server", name: "fsgs-prod-cp-1", owner: "", attrs: { authorizedKeys: [{ fingerprint: oldKey.fingerprint, marked: false }] } };
    const deployKeys = () => fingerprints().filter((fingerprint) => fingerprint !== operator.fingerprint).sort();
    for (const keys of [[newKey, oldKey], [newKey, oldKey], [newKey], [newKey]]) {
        run(keys.map((key) => `${key.publicKey}\n`).join(""));
        writeDeployKeys(server, keys.map((key) => key.fingerprint));
        expect(authorizedKeysOf(server).map((line) => line.fingerprint).sort()).toEqual(deployKeys());
    }
});
