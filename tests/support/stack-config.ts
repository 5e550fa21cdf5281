/**
 * The committed stacks' config as plain data, without loading the program: unit tests that only read a stack's
 * config import this, not ./stacks (which loads every component and the Pulumi packages, seconds per test file).
 */
import { join } from "node:path";
import { StackConfigError } from "../../components/config/errors";
import { parseStackConfig, readNamespacedConfig } from "../../components/config/load";
import { ENVIRONMENTS, type EnvironmentName } from "../../components/config/schema";
import { readStackFiles } from "../../scripts/offline/stack-files";

export const ROOT = join(__dirname, "..", "..");
/** One stack per environment, named after it (Pulumi.<environment>.yaml). */
export const STACKS = ENVIRONMENTS;
export type StackName = EnvironmentName;

/** A stack's `svom-fsgs:*` config as plain data, as the program would read it. */
export function rawConfig(stack: StackName): Record<string, unknown> {
    return readNamespacedConfig(readStackFiles(ROOT, stack).config);
}

/**
 * What validation says of a stack's config changed by `edit`: its problems, or [] when it is accepted. Any other
 * error is thrown. `today` fixes the clock of the date rules (end of life); without it they read the real one.
 */
export function configProblems(stack: StackName, edit: (config: Record<string, any>) => void, today?: Date): string[] {
    const config = rawConfig(stack) as Record<string, any>;
    edit(config);
    try {
        parseStackConfig(config, today ? { today } : undefined);
    } catch (error) {
        if (error instanceof StackConfigError) {
            return [...error.problems];
        }
        throw error;
    }
    return [];
}
