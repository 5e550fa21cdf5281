/**
 * Are a stack file's secrets there, encrypted? Pulumi Deployments checks the stack out from Git, so the
 * `secure:` values of `Pulumi.<stack>.yaml` at the deployed commit are all the program gets: a missing one stops
 * the remote run on the program's own secret check, after the queue and the `npm ci`. This finds it first, with
 * the command that fixes it. The list of required secrets is the program's own (components/config/secrets.ts).
 */
import { parse } from "yaml";
import { CONFIG_NAMESPACE } from "../../components/config/errors";
import { SECRETS, SECRET_KEYS, type SecretKey, backupConfigured, requiredSecretKeys } from "../../components/config/secrets";

export interface SecretFinding {
    key: SecretKey;
    /** `missing`: not in the file; `plain`: in the file as clear text (a leak, and the program refuses it). */
    problem: "missing" | "plain";
}

/** What is wrong with the secrets of one stack file's text; never reads or shows a value. */
export function stackFileSecretFindings(stackFileText: string): SecretFinding[] {
    const file = (parse(stackFileText) ?? {}) as { config?: Record<string, unknown> };
    const config = file.config ?? {};
    // The object store's key pair is required only where the stack configures backups (secrets.ts).
    const withBackup = backupConfigured(config[`${CONFIG_NAMESPACE}:data`] ?? config.data);
    const required = requiredSecretKeys(withBackup);
    return SECRET_KEYS.flatMap((key): SecretFinding[] => {
        // The CLI writes a project's own keys namespaced; a bare key means the same (Pulumi "Configuration" docs).
        const value = config[`${CONFIG_NAMESPACE}:${key}`] ?? config[key];
        if (!required.includes(key) && (value === undefined || value === null || typeof value === "object")) {
            // An optional secret (the retiring deploy key) may be absent; present, it must be encrypted like the others.
            return [];
        }
        if (value === undefined || value === null) {
            return [{ key, problem: "missing" }];
        }
        const secure = typeof value === "object" ? (value as { secure?: unknown }).secure : undefined;
        if (typeof secure === "string" && secure.trim() !== "") {
            return [];
        }
        return [{ key, problem: typeof value === "object" ? "missing" : "plain" }];
    });
}

/** The operator's command for one key: the deploy key is read from its file, the others are prompted for. */
function setCommand(stack: string, key: SecretKey): string {
    const input = key === "deployPrivateKey" ? " < deploy_ed25519" : "";
    return `pulumi config set --stack ${stack} --secret ${key}${input}`;
}

/** The error an operator reads, naming every key and the command for each; empty when nothing is wrong. */
export function secretFindingsMessage(stack: string, findings: readonly SecretFinding[]): string {
    if (findings.length === 0) {
        return "";
    }
    const lines = findings.map(({ key, problem }) =>
        problem === "plain"
            ? `  - ${CONFIG_NAMESPACE}:${key}: stored in clear text: rotate it, then ${setCommand(stack, key)}`
            : `  - ${CONFIG_NAMESPACE}:${key}: missing (${SECRETS[key].source}): ${setCommand(stack, key)}`,
    );
    return [
        `Pulumi.${stack}.yaml lacks ${findings.length} encrypted secret${findings.length === 1 ? "" : "s"} the program requires:`,
        ...lines,
        `Pulumi Deployments reads the stack file from Git at the deployed commit: run these commands from the`,
        `repository root, commit Pulumi.${stack}.yaml (it holds only ciphertext) and push.`,
    ].join("\n");
}
