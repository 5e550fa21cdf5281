import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { SECRETS, SECRET_KEYS, presenceMatters } from "../../components/config/secrets";
import { UNKNOWN_PREVIOUS_DEPLOY_KEY, placeholderPrivateKey } from "./key-placeholder";

export interface StackFiles {
    project: string;
    /** Config as the Pulumi CLI hands it to the program: `namespace:key` -> text. */
    config: Record<string, string>;
    /** Keys stored encrypted (`secure:`), which the offline plan cannot and must not decrypt. */
    secretKeys: string[];
    /** Secrets the plan replaced by a placeholder: encrypted in the stack file, or not set there yet. */
    placeholders: string[];
}

const GENERIC_PLACEHOLDER = "offline-plan-placeholder";

/** Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the CLI does, without decrypting anything. */
export function readStackFiles(root: string, stack: string): StackFiles {
    const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { name?: unknown };
    if (typeof project.name !== "string") {
        throw new Error("Pulumi.yaml has no project name");
    }
    const path = join(root, `Pulumi.${stack}.yaml`);
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch {
        throw new Error(`no stack file ${path}: expected one of the Pulumi.<stack>.yaml files at the repository root`);
    }
    const stackFile = (parse(text) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(stackFile.config ?? {})) {
        const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
        if (value !== null && typeof value === "object" && "secure" in value) {
            const known = SECRET_KEYS.find((secret) => fullKey === `${String(project.name)}:${secret}`);
            config[fullKey] =
                known === "deployPreviousPrivateKey" ? placeholderPrivateKey(UNKNOWN_PREVIOUS_DEPLOY_KEY) : known ? SECRETS[known].placeholder : GENERIC_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else {
            config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    for (const key of SECRET_KEYS) {
        const fullKey = `${project.name}:${key}`;
        if (!(fullKey in config) && !presenceMatters(key)) {
            config[fullKey] = SECRETS[key].placeholder;
            secretKeys.push(fullKey);
        }
    }
    const files = { project: project.name, config, secretKeys, placeholders: [...secretKeys] };
    return { ...files, config: { ...config, ...secretTexts(files, readAccess(config, project.name)) } };
}

function readAccess(config: Record<string, string>, project: string): unknown {
    try {
        return JSON.parse(config[`${project}:access`] ?? "null");
    } catch {
        return undefined;
    }
}

/**
 * The secret values a render gets: the stack file's, with each placeholder in place of what the plan cannot
 * decrypt. The deploy private key's placeholder carries `access.deployPublicKey` of the config being rendered
 * (`access`, possibly edited by `--set`) as its public half and opens nothing (key-placeholder.ts), so the program's
 * check that the two keys belong together holds and the simulator knows which key each connection presents.
 */
export function secretTexts(files: StackFiles, access: unknown): Record<string, string> {
    const deployPublicKey = (access as { deployPublicKey?: unknown } | undefined)?.deployPublicKey;
    const deployKey = `${files.project}:deployPrivateKey`;
    return Object.fromEntries(
        files.secretKeys.map((key) => {
            if (key === deployKey && files.placeholders.includes(key) && typeof deployPublicKey === "string") {
                try {
                    return [key, placeholderPrivateKey(deployPublicKey)];
                } catch {
                    // A malformed public key: the config check names it; the generic placeholder stands in.
                }
            }
            return [key, files.config[key]];
        }),
    );
}
