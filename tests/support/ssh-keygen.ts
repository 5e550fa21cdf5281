import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A key pair made by the real ssh-keygen (openssh-client), as an operator makes a deploy key. */
export interface GeneratedKey {
    privateKey: string;
    /** The .pub file's line: `type base64 comment`. */
    publicKey: string;
    /** `ssh-keygen -l -E sha256` of the .pub file. */
    fingerprint: string;
}

/** Runs ssh-keygen with `args` plus `-f <file>` in a fresh folder and returns the key it wrote. */
export function sshKeygen(args: readonly string[], comment = "fsgs-test"): GeneratedKey {
    const folder = mkdtempSync(join(tmpdir(), "fsgs-keygen-"));
    try {
        const file = join(folder, "key");
        execFileSync("ssh-keygen", ["-q", "-N", "", "-C", comment, ...args, "-f", file], { stdio: "ignore" });
        const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`]).toString().split(" ")[1];
        return { privateKey: readFileSync(file, "utf8"), publicKey: readFileSync(`${file}.pub`, "utf8").trim(), fingerprint };
    } finally {
        rmSync(folder, { recursive: true, force: true });
    }
}

/** What `ssh-keygen -y` prints for a private key text (its public half), or its error. */
export function sshKeygenPublicHalf(privateKey: string): { ok: true; line: string } | { ok: false; error: string } {
    const folder = mkdtempSync(join(tmpdir(), "fsgs-keygen-"));
    try {
        const file = join(folder, "key");
        execFileSync("sh", ["-c", 'umask 077 && cat > "$1"', "sh", file], { input: privateKey });
        return { ok: true, line: execFileSync("ssh-keygen", ["-y", "-f", file], { stdio: ["ignore", "pipe", "pipe"] }).toString().trim() };
    } catch (error) {
        return { ok: false, error: String((error as { stderr?: Buffer }).stderr ?? error) };
    } finally {
        rmSync(folder, { recursive: true, force: true });
    }
}
