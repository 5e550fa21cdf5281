/**
 * The committed stacks' config as plain data, without loading the program: unit tests that only read a stack's
 * config import this, not ./stacks (which loads every component and the Pulumi packages, seconds per test file).
 */
import { join } from "node:path";
import { readNamespacedConfig } from "../../components/config/load";
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
