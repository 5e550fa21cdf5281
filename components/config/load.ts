import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, StackConfigError, formatIssues } from "./errors";
import { type StackConfig, stackConfigSchema } from "./schema";

/** Validates a stack config given as plain data (the `svom-fsgs:*` keys without their namespace). */
export function parseStackConfig(raw: unknown): StackConfig {
    const result = stackConfigSchema.safeParse(raw, { reportInput: true });
    if (!result.success) {
        throw new StackConfigError(formatIssues(result.error.issues));
    }
    return result.data;
}

/**
 * The `svom-fsgs:*` keys of the running stack as plain data. The engine hands structured values over as JSON
 * text and plain strings as they are, so a value that is not JSON is kept as a string.
 */
export function readNamespacedConfig(all: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const values: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(all)) {
        if (!key.startsWith(prefix)) {
            continue;
        }
        let value: unknown = text;
        try {
            value = JSON.parse(text);
        } catch {
            // A bare string such as `prod`.
        }
        values[key.slice(prefix.length)] = value;
    }
    return values;
}

/** The validated config of the running stack; throws before anything is registered when it is wrong. */
export function loadStackConfig(): StackConfig {
    try {
        return parseStackConfig(readNamespacedConfig());
    } catch (error) {
        if (error instanceof StackConfigError) {
            // RunError prints the message alone, without a stack trace that would bury the list of problems.
            throw new pulumi.RunError(error.message);
        }
        throw error;
    }
}
