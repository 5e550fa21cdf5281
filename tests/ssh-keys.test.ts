/**
 * The public half of a private key, read by the program (components/config/ssh-keys.ts), against the real
 * ssh-keygen on keys it generated: every format an operator may hand `pulumi config set --secret`.
 */
import { SshKeyError, fingerprintOf, normalPublicKey, publicKeyOf } from "../components/config/ssh-keys";
import { UNKNOWN_PREVIOUS_DEPLOY_KEY, placeholderPrivateKey } from "../scripts/offline/key-placeholder";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sshKeygen, sshKeygenPublicHalf } from "./support/ssh-keygen";

/** Signs a message with `ssh-keygen -Y sign` and verifies it against `publicKey` with `ssh-keygen -Y verify`. */
function signatureVerifies(privateKey: string, publicKey: string): boolean {
    const folder = mkdtempSync(join(tmpdir(), "fsgs-sign-"));
    try {
        writeFileSync(join(folder, "key"), privateKey, { mode: 0o600 });
        writeFileSync(join(folder, "message"), "login\n");
        writeFileSync(join(folder, "allowed"), `deploy ${publicKey}\n`);
        execFileSync("ssh-keygen", ["-Y", "sign", "-f", "key", "-n", "fsgs", "message"], { cwd: folder, stdio: "ignore" });
        execFileSync("ssh-keygen", ["-Y", "verify", "-f", "allowed", "-I", "deploy", "-n", "fsgs", "-s", "message.sig"], {
            cwd: folder,
            input: "login\n",
            stdio: ["pipe", "ignore", "ignore"],
        });
        return true;
    } catch {
        return false;
    } finally {
        rmSync(folder, { recursive: true, force: true });
    }
}

const FORMATS = [
    ["ed25519 (OpenSSH format)", ["-t", "ed25519"]],
    ["RSA 2048 (OpenSSH format)", ["-t", "rsa", "-b", "2048"]],
    ["ECDSA P-256 (OpenSSH format)", ["-t", "ecdsa", "-b", "256"]],
    ["RSA 2048 (PEM, ssh-keygen -m PEM)", ["-t", "rsa", "-b", "2048", "-m", "PEM"]],
    ["ECDSA P-384 (PEM, ssh-keygen -m PEM)", ["-t", "ecdsa", "-b", "384", "-m", "PEM"]],
] as const;

describe.each(FORMATS)("a %s key", (_label, args) => {
    const key = sshKeygen(args, "fsgs-prod-deploy");

    test("gives the public key ssh-keygen -y prints, comment included", () => {
        const expected = sshKeygenPublicHalf(key.privateKey);
        expect(expected.ok).toBe(true);
        expect(publicKeyOf(key.privateKey)).toBe(expected.ok ? expected.line : "");
    });

    test("gives the .pub file's key and ssh-keygen -l's fingerprint", () => {
        expect(normalPublicKey(publicKeyOf(key.privateKey))).toBe(normalPublicKey(key.publicKey));
        expect(fingerprintOf(publicKeyOf(key.privateKey))).toBe(key.fingerprint);
    });

    test("survives what `pulumi config set --secret ... < key` and Windows do to it (final newline gone, CRLF)", () => {
        const mangled = key.privateKey.trimEnd().replace(/\n/g, "\r\n");
        expect(normalPublicKey(publicKeyOf(mangled))).toBe(normalPublicKey(key.publicKey));
    });
});

test("a key with a passphrase is refused: pulumi-command is given none", () => {
    const key = sshKeygen(["-t", "ed25519", "-N", "correct horse"]);
    expect(() => publicKeyOf(key.privateKey)).toThrow(/encrypted with aes256-ctr/);
});

test("a key whose private part belongs to another key is refused as corrupt", () => {
    const a = sshKeygen(["-t", "ed25519"]);
    const b = sshKeygen(["-t", "ed25519"]);
    // A's file with B's public blob in the clear header: magic (15), "none" (8), "none" (8), "" (4), count (4),
    // blob length (4), then the 51-byte ed25519 blob at offset 43... which is what ssh-keygen refuses too.
    const body = (text: string) => Buffer.from(text.split("\n").filter((line) => !line.startsWith("-----")).join(""), "base64");
    const mixed = Buffer.from(body(a.privateKey));
    const blobB = body(b.privateKey).subarray(43, 43 + 51);
    blobB.copy(mixed, 43);
    const text = `-----BEGIN OPENSSH PRIVATE KEY-----\n${mixed.toString("base64")}\n-----END OPENSSH PRIVATE KEY-----\n`;
    expect(sshKeygenPublicHalf(text).ok).toBe(false);
    expect(() => publicKeyOf(text)).toThrow(/does not match the public part/);
});

test("text that is no key is refused", () => {
    expect(() => publicKeyOf("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n")).toThrow(SshKeyError);
    expect(() => publicKeyOf("ssh-ed25519 AAAA")).toThrow(/no private key block/);
});

describe("the offline plan's stand-in for an encrypted deploy key", () => {
    test.each([
        ["ed25519", ["-t", "ed25519"]],
        ["RSA", ["-t", "rsa", "-b", "2048"]],
    ] as const)("an %s stand-in has the declared public half, for ssh-keygen -y too, and opens nothing", (_label, args) => {
        const key = sshKeygen(args);
        const standIn = placeholderPrivateKey(key.publicKey);
        const read = sshKeygenPublicHalf(standIn);
        expect(read.ok && normalPublicKey(read.line)).toBe(normalPublicKey(key.publicKey));
        expect(normalPublicKey(publicKeyOf(standIn))).toBe(normalPublicKey(key.publicKey));
        // What a login proves is a signature: the real key's verifies, the stand-in's does not (or cannot be made).
        expect(signatureVerifies(key.privateKey, key.publicKey)).toBe(true);
        expect(signatureVerifies(standIn, key.publicKey)).toBe(false);
    });

    test("the retiring key the plan cannot decrypt stands for a key of its own", () => {
        expect(normalPublicKey(publicKeyOf(placeholderPrivateKey(UNKNOWN_PREVIOUS_DEPLOY_KEY)))).toBe(UNKNOWN_PREVIOUS_DEPLOY_KEY);
    });
});
