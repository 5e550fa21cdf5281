import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { SECRETS, SECRET_KEYS } from "../../components/config/secrets";

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
            config[fullKey] = known ? SECRETS[known].placeholder : GENERIC_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else {
            config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    for (const key of SECRET_KEYS) {
        const fullKey = `${project.name}:${key}`;
        if (!(fullKey in config)) {
            config[fullKey] = SECRETS[key].placeholder;
            secretKeys.push(fullKey);
        }
    }
    return { project: project.name, config, secretKeys, placeholders: [...secretKeys] };
}
