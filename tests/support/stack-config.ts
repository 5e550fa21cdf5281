/**
 * The committed stacks' config as plain data, without loading the program: unit tests that only read a stack's
 * config import this, not ./stacks (which loads every component and the Pulumi packages, seconds per test file).
 */
import { join } from "node:path";
import { readNamespacedConfig } from "../../components/config/load";
import { readStackFiles } from "../../scripts/offline/stack-files";

export const ROOT = join(__dirname, "..", "..");
export const STACKS = ["integration", "preprod", "prod"] as const;
export type StackName = (typeof STACKS)[number];

/** A stack's `svom-fsgs:*` config as plain data, as the program would read it. */
export function rawConfig(stack: StackName): Record<string, unknown> {
    return readNamespacedConfig(readStackFiles(ROOT, stack).config);
}
