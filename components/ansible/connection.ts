import type * as pulumi from "@pulumi/pulumi";

/**
 * How often pulumi-command dials a host before it gives up. Its default (10, pulumi-command v1.2.1
 * provider/pkg/provider/remote/connection.go `dialErrorDefault`) with the backoff below lasts about 11 seconds
 * against a refused port: a server Nova just reported ACTIVE is still booting, its sshd not listening, and the
 * first `up` failed there. 60 dials keep trying for about 4 minutes of refusals (see `dialBudgetSeconds`).
 */
export const SSH_DIAL_ERROR_LIMIT = 60;
/** Seconds one dial may take (pulumi-command's default is 15): a black-holed address fails in 10 s instead. */
export const SSH_PER_DIAL_TIMEOUT = 10;

// pulumi/pulumi sdk/go/common/util/retry/until.go: the delay between tries starts at 100 ms, grows 1.5x and stops at 5 s.
const RETRY_FIRST_DELAY_S = 0.1;
const RETRY_BACKOFF = 1.5;
const RETRY_MAX_DELAY_S = 5;

/**
 * Seconds pulumi-command keeps dialing before it reports failure, when each dial fails after `dialSeconds`
 * (0 for a refused port, the per-dial timeout for a black-holed one): `dialErrorLimit + 1` dials
 * (connection.go `reachedDialingErrorLimit`: it stops once dials exceed the limit) with the retry delays between them.
 */
export function dialBudgetSeconds(dialErrorLimit: number, dialSeconds: number): number {
    let total = 0;
    let delay = RETRY_FIRST_DELAY_S;
    for (let dial = 1; dial <= dialErrorLimit + 1; dial++) {
        total += dialSeconds;
        if (dial <= dialErrorLimit) {
            total += Math.min(delay, RETRY_MAX_DELAY_S);
            delay *= RETRY_BACKOFF;
        }
    }
    return total;
}

export interface SshEndpoint {
    host: pulumi.Input<string>;
    user: string;
    /** The deploy private key, a secret. */
    privateKey: pulumi.Input<string>;
    /**
     * The server's SSH host public key. pulumi-command verifies it (connection.go: `ssh.FixedHostKey`, and only
     * that key type is offered); without it the provider accepts any key (`InsecureIgnoreHostKey`) while it
     * sends the deploy private key over the connection.
     */
    hostKey: pulumi.Input<string>;
}

/** A pulumi-command connection (or proxy connection: the same fields). */
export interface SshConnection extends SshEndpoint {
    dialErrorLimit: number;
    perDialTimeout: number;
}

/** The connection of every remote command: the deploy key, the pinned host key, a dial budget that outlasts a boot. */
export function sshConnection(endpoint: SshEndpoint): SshConnection {
    return {
        host: endpoint.host,
        user: endpoint.user,
        privateKey: endpoint.privateKey,
        hostKey: endpoint.hostKey,
        dialErrorLimit: SSH_DIAL_ERROR_LIMIT,
        perDialTimeout: SSH_PER_DIAL_TIMEOUT,
    };
}
