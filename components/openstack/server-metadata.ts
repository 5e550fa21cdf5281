/**
 * The Nova metadata every server carries, which says what it is: the policy pack and the fake cloud find control
 * planes by `fsgs_role`, never by a name pattern (a name is a convention; the metadata is what the server says).
 */
export const SERVER_METADATA_KEYS = { environment: "fsgs_environment", role: "fsgs_role", pool: "fsgs_pool" } as const;

export const SERVER_ROLES = ["bastion", "control-plane", "worker"] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

/** The metadata of a server of `role` (and `pool`, for a worker) in `environment`. */
export function serverMetadata(environment: string, role: ServerRole, pool?: string): Record<string, string> {
    return {
        [SERVER_METADATA_KEYS.environment]: environment,
        [SERVER_METADATA_KEYS.role]: role,
        ...(pool ? { [SERVER_METADATA_KEYS.pool]: pool } : {}),
    };
}

/** The role a server's metadata names, if it names one of ours. */
export function serverRoleOf(metadata: unknown): ServerRole | undefined {
    if (metadata === null || typeof metadata !== "object") {
        return undefined;
    }
    const role = (metadata as Record<string, unknown>)[SERVER_METADATA_KEYS.role];
    return SERVER_ROLES.find((known) => known === role);
}
