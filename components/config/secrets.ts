import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./errors";

/** Secret config keys: never in the zod schema, never echoed in a message, read only as Pulumi secrets. */
export const SECRET_KEYS = ["deployPrivateKey"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export interface StackSecrets {
    /** Private half of access.deployPublicKey: Pulumi reaches the bastion with it, Ansible the nodes. */
    deployPrivateKey: pulumi.Output<string>;
}

const PRIVATE_KEY = /^-----BEGIN (OPENSSH|RSA|EC) PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END \1 PRIVATE KEY-----\s*$/;

const HOW_TO_SET = "pulumi config set --secret deployPrivateKey < deploy_ed25519";

/** What is wrong with the secrets of a stack, without ever showing a secret value. */
export function secretProblems(all: Record<string, string>): string[] {
    const value = all[`${CONFIG_NAMESPACE}:deployPrivateKey`];
    if (value === undefined) {
        return [`${CONFIG_NAMESPACE}:deployPrivateKey: expected the deploy SSH private key as a secret (${HOW_TO_SET}), got nothing`];
    }
    if (!PRIVATE_KEY.test(value)) {
        return [`${CONFIG_NAMESPACE}:deployPrivateKey: expected a PEM or OpenSSH private key block (${HOW_TO_SET}), got something else (not shown)`];
    }
    return [];
}

/** The stack's secrets as Pulumi secret outputs; call after `secretProblems` found nothing. */
export function loadStackSecrets(): StackSecrets {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    return { deployPrivateKey: config.requireSecret("deployPrivateKey") };
}
