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
    /** Needed only by a feature the stack may leave off (load.ts asks for it when the feature is on). */
    optional?: true;
    /** Setting it turns something on: the offline plan never invents a placeholder for it when it is unset. */
    presenceMatters?: true;
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
    deployPreviousPrivateKey: {
        expected: "the deploy private key being retired, during a rotation only (a PEM or OpenSSH private key block)",
        shape: PRIVATE_KEY,
        source: "the old deploy_ed25519, until every server has the new key (README, \"Rotating the deploy key\")",
        placeholder: "-----BEGIN OPENSSH PRIVATE KEY-----\noffline-plan-placeholder\n-----END OPENSSH PRIVATE KEY-----\n",
        optional: true,
        presenceMatters: true,
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
    backupAccessKeyId: {
        expected: "the S3 access key of the object store the database backups go to",
        shape: NON_EMPTY,
        source: "openstack ec2 credentials create (Ceph RGW), for the bucket of data.backup",
        placeholder: "offline-plan-placeholder",
        optional: true,
    },
    backupSecretAccessKey: {
        expected: "the S3 secret key of that access key",
        shape: NON_EMPTY,
        source: "the same command's output",
        placeholder: "offline-plan-placeholder",
        optional: true,
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
/** Secrets every stack has; the others only where the feature they serve is configured. */
type OptionalSecretKey = "backupAccessKeyId" | "backupSecretAccessKey" | "deployPreviousPrivateKey";
/** The object store's key pair, set in every stack with `data.backup`. */
export const BACKUP_SECRET_KEYS: readonly OptionalSecretKey[] = ["backupAccessKeyId", "backupSecretAccessKey"];
export const SECRET_KEYS = Object.keys(SECRETS) as SecretKey[];
/** Whether a secret's absence means something (see `presenceMatters`). */
export const presenceMatters = (key: SecretKey): boolean => (SECRETS[key] as SecretDefinition).presenceMatters === true;
/** The secrets a stack must have: every non-optional one, and the backup key pair where backups are configured. */
export function requiredSecretKeys(backupConfigured: boolean): SecretKey[] {
    return SECRET_KEYS.filter((key) => !(SECRETS[key] as SecretDefinition).optional || (backupConfigured && (BACKUP_SECRET_KEYS as readonly string[]).includes(key)));
}

/** Whether a stack's `data` config (raw, before validation) asks for backups. */
export function backupConfigured(data: unknown): boolean {
    return data !== null && typeof data === "object" && "backup" in data;
}

export type StackSecrets = Record<Exclude<SecretKey, OptionalSecretKey>, pulumi.Output<string>> &
    Partial<Record<OptionalSecretKey, pulumi.Output<string>>>;

/**
 * What is wrong with the secrets of a stack, without ever showing a secret value. `withBackup`: the stack sets
 * `data.backup`, so the object store's key pair is required too.
 */
export function secretProblems(all: Record<string, string>, withBackup = false): string[] {
    const required = requiredSecretKeys(withBackup);
    return SECRET_KEYS.flatMap((key) => {
        const definition: SecretDefinition = SECRETS[key];
        const value = all[`${CONFIG_NAMESPACE}:${key}`];
        const howTo = `pulumi config set --secret ${key} (${definition.source})`;
        if (value === undefined && !required.includes(key)) {
            return [];
        }
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
    return Object.fromEntries(
        SECRET_KEYS.flatMap((key) => {
            const definition: SecretDefinition = SECRETS[key];
            const value = definition.optional ? config.getSecret(key) : config.requireSecret(key);
            return value === undefined ? [] : [[key, value]];
        }),
    ) as StackSecrets;
}
