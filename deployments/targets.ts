/** The stacks of the root project this program can configure (Pulumi.<stack>.yaml at the repository root). */
export const TARGET_STACKS = ["integration", "preprod", "prod"] as const;
export type TargetStack = (typeof TARGET_STACKS)[number];
