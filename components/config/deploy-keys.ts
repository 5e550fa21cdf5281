import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./errors";
import { SshKeyError, fingerprintOf, normalPublicKey, publicKeyOf } from "./ssh-keys";

const PRIVATE = `${CONFIG_NAMESPACE}:deployPrivateKey`;
const PREVIOUS = `${CONFIG_NAMESPACE}:deployPreviousPrivateKey`;

/** `access.deployPublicKey` of the raw config, when it is there. */
function declaredPublicKey(all: Record<string, string>): string | undefined {
    try {
        const access = JSON.parse(all[`${CONFIG_NAMESPACE}:access`] ?? "null") as { deployPublicKey?: unknown } | null;
        return typeof access?.deployPublicKey === "string" ? access.deployPublicKey : undefined;
    } catch {
        return undefined;
    }
}

function publicHalf(text: string | undefined): { key?: string; problem?: string } {
    if (text === undefined) {
        return {};
    }
    try {
        return { key: publicKeyOf(text) };
    } catch (error) {
        if (error instanceof SshKeyError) {
            return { problem: error.message };
        }
        throw error;
    }
}

const sameKey = (a: string, b: string) => normalPublicKey(a) === normalPublicKey(b);

/**
 * What is wrong with the deploy keys, without showing a private key (public fingerprints are not secret):
 * each private key must be one pulumi-command can use; `access.deployPublicKey`, which new servers boot with, must
 * be the public half of `deployPrivateKey`, which every connection presents (else every new server is locked
 * out); the retiring key must be another key. Problems of shape are `secretProblems`' to report.
 */
export function deployKeyProblems(all: Record<string, string>): string[] {
    const problems: string[] = [];
    const current = publicHalf(all[PRIVATE]);
    const previous = publicHalf(all[PREVIOUS]);
    if (current.problem) {
        problems.push(`${PRIVATE}: expected a private key pulumi-command can use, got one it cannot use (${current.problem})`);
    }
    if (previous.problem) {
        problems.push(`${PREVIOUS}: expected a private key pulumi-command can use, got one it cannot use (${previous.problem})`);
    }
    const declared = declaredPublicKey(all);
    let declaredOk = false;
    try {
        declaredOk = declared !== undefined && normalPublicKey(declared) !== "";
    } catch {
        // The schema reports a malformed public key with its own message.
    }
    if (current.key && declared && declaredOk && !sameKey(current.key, declared)) {
        problems.push(
            `${CONFIG_NAMESPACE}:access.deployPublicKey: expected the public half of deployPrivateKey (${fingerprintOf(current.key)}; ssh-keygen -y -f deploy_ed25519), got ${fingerprintOf(declared)}: new servers would boot with a key the program cannot log in with`,
        );
    }
    if (current.key && previous.key && sameKey(current.key, previous.key)) {
        problems.push(
            `${PREVIOUS}: expected the key being retired, got the current deploy key (${fingerprintOf(current.key)}): set it to the old key during a rotation, and remove it (pulumi config rm deployPreviousPrivateKey) once done`,
        );
    }
    return problems;
}

/** The deploy keys of one `up`, as the program uses them. */
export interface DeployKeys {
    /** The key every connection presents, a secret. */
    privateKey: pulumi.Output<string>;
    /**
     * The key the "authorized deploy keys" commands log in with (a secret): the retiring key during a rotation,
     * which every existing server still accepts, else the current one.
     */
    rotationPrivateKey: pulumi.Output<string>;
    /**
     * The Nova keypair's public key: the key a server created during this `up` accepts at first boot, so the
     * authorized-keys command reaches it too: the retiring key during a rotation, else `access.deployPublicKey`.
     */
    keypairPublicKey: pulumi.Output<string>;
    /** Every public key a server must accept after this `up` (not secrets): the current key, and the retiring one during a rotation. */
    authorizedPublicKeys: pulumi.Output<string[]>;
}

/**
 * The deploy keys of a stack: the current pair, and during a rotation the retiring private key, whose public half
 * is read from it (`publicKeyOf`, what `ssh-keygen -y` prints) and is no secret.
 */
export function deployKeys(publicKey: string, privateKey: pulumi.Output<string>, previousPrivateKey?: pulumi.Output<string>): DeployKeys {
    if (previousPrivateKey === undefined) {
        return {
            privateKey,
            rotationPrivateKey: privateKey,
            keypairPublicKey: pulumi.output(publicKey),
            authorizedPublicKeys: pulumi.output([normalPublicKey(publicKey)]),
        };
    }
    const previousPublicKey = pulumi.unsecret(previousPrivateKey.apply(publicKeyOf));
    return {
        privateKey,
        rotationPrivateKey: previousPrivateKey,
        keypairPublicKey: previousPublicKey,
        authorizedPublicKeys: previousPublicKey.apply((previous) => [normalPublicKey(publicKey), normalPublicKey(previous)]),
    };
}
