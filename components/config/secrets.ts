import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./errors";

interface SecretDefinition {
    /** What the value is, in the words of the error message. */
    expected: string;
    /** The value's shape; never shown, only tested. */
    shape: RegExp;
    /** Where the value comes from. */
    source: string;
    /** What the offline plan uses instead: shaped like the real thing, opening nothing. */
    placeholder: string;
}

const PRIVATE_KEY = /^-----BEGIN (OPENSSH|RSA|EC) PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END \1 PRIVATE KEY-----\s*$/;
const NON_EMPTY = /\S/;

/** Secret config keys: never in the zod schema, never echoed in a message, read only as Pulumi secrets. */
export const SECRETS = {
    deployPrivateKey: {
        expected: "the deploy SSH private key (a PEM or OpenSSH private key block)",
        shape: PRIVATE_KEY,
        source: "ssh-keygen -t ed25519 -f deploy_ed25519; its .pub goes in access.deployPublicKey",
        placeholder: "-----BEGIN OPENSSH PRIVATE KEY-----\noffline-plan-placeholder\n-----END OPENSSH PRIVATE KEY-----\n",
    },
    cloudCredentialId: {
        expected: "the ID of the OpenStack application credential the cloud-controller-manager and Cinder CSI use",
        shape: NON_EMPTY,
        source: "openstack application credential create fsgs-<stack>-k8s",
        placeholder: "offline-plan-placeholder",
    },
    cloudCredentialSecret: {
        expected: "the secret of that application credential",
        shape: NON_EMPTY,
        source: "the same command's output",
        placeholder: "offline-plan-placeholder",
    },
    registryPassword: {
        expected: "the GitLab deploy token (read_registry) the cluster pulls images with",
        shape: NON_EMPTY,
        source: "GitLab, Settings > Repository > Deploy tokens; its user name goes in platform.registry.username",
        placeholder: "offline-plan-placeholder",
    },
    etcdBackupAccessKey: {
        expected: "the S3 access key etcd snapshots are uploaded with (cluster.etcdBackup)",
        shape: NON_EMPTY,
        source: "an EC2/S3 credential of the site's object storage, e.g. openstack ec2 credentials create",
        placeholder: "offline-plan-placeholder",
    },
    etcdBackupSecretKey: {
        expected: "the secret key of that S3 credential",
        shape: NON_EMPTY,
        source: "the same command's output",
        placeholder: "offline-plan-placeholder",
    },
} satisfies Record<string, SecretDefinition>;

export type SecretKey = keyof typeof SECRETS;
export const SECRET_KEYS = Object.keys(SECRETS) as SecretKey[];
export type StackSecrets = Record<SecretKey, pulumi.Output<string>>;

/** What is wrong with the secrets of a stack, without ever showing a secret value. */
export function secretProblems(all: Record<string, string>): string[] {
    return SECRET_KEYS.flatMap((key) => {
        const definition: SecretDefinition = SECRETS[key];
        const value = all[`${CONFIG_NAMESPACE}:${key}`];
        const howTo = `pulumi config set --secret ${key} (${definition.source})`;
        if (value === undefined) {
            return [`${CONFIG_NAMESPACE}:${key}: expected ${definition.expected}, set with ${howTo}, got nothing`];
        }
        if (!definition.shape.test(value)) {
            return [`${CONFIG_NAMESPACE}:${key}: expected ${definition.expected}, got something else (not shown)`];
        }
        return [];
    });
}

/** The stack's secrets as Pulumi secret outputs; call after `secretProblems` found nothing. */
export function loadStackSecrets(): StackSecrets {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    return Object.fromEntries(SECRET_KEYS.map((key) => [key, config.requireSecret(key)])) as StackSecrets;
}
