import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { join } from "node:path";
import { StackConfigError, formatIssues } from "../components/config/errors";
import { adminCidrsOf, agentPoolProblems } from "./agent-pool";
import { TARGET_STACKS, type TargetStack } from "./targets";

/** The Pulumi config namespace of this program (`name` in deployments/Pulumi.yaml). */
export const DEPLOYMENTS_NAMESPACE = "svom-fsgs-deployments";

export { TARGET_STACKS, type TargetStack } from "./targets";

const nonEmpty = z.string().trim().min(1, { error: "expected a non-empty string" });

// Pulumi Cloud organization and project names: letters, digits, '-', '_' and '.'.
const pulumiName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
    error: "expected a Pulumi Cloud name (letters, digits, '.', '_', '-')",
});

const gitlabSchema = z.strictObject({
    /** HTTPS clone URL: the token is handed to git as basic-auth password, which needs HTTPS. */
    repoUrl: z.url({ protocol: /^https$/, error: "expected the HTTPS clone URL, https://gitlab.../....git" }),
    branch: nonEmpty.default("main"),
    /** Folder of Pulumi.yaml in the repository; the root when absent. */
    repoDir: nonEmpty.optional(),
    /** GitLab ignores the user name of a project or group access token; a deploy token needs its own. */
    username: nonEmpty.default("oauth2"),
});

const targetSchema = z
    .strictObject({
        /** Overrides gitlab.branch for this stack. */
        branch: nonEmpty.optional(),
        /** Self-hosted agent pool inside the site; required, checked with the egress address by agent-pool.ts. */
        agentPoolId: z.string().optional(),
        /** The address the agent's traffic leaves the site from: must be inside the stack's access.adminCidrs. */
        agentEgressAddress: z.string().optional(),
        /** Inline OpenStack credentials: where Keystone is; the credential itself is a config secret. */
        openstack: z
            .strictObject({
                authUrl: z.url({ protocol: /^https$/, error: "expected the Keystone URL, https://...:5000/v3" }),
                region: nonEmpty,
            })
            .optional(),
        /** Credentials from a Pulumi ESC environment instead, imported by the stack's own config file. */
        esc: z
            .strictObject({
                environment: z.string().regex(/^([A-Za-z0-9_.-]+\/)?[A-Za-z0-9_.-]+$/, {
                    error: "expected an ESC environment name, <project>/<environment>",
                }),
            })
            .optional(),
    })
    .superRefine((target, ctx) => {
        if ((target.openstack === undefined) === (target.esc === undefined)) {
            ctx.addIssue({
                code: "custom",
                message: "expected exactly one of openstack (inline credentials) or esc (an ESC environment)",
                input: Object.keys(target),
            });
        }
    });

const targetsSchema = z
    .strictObject(Object.fromEntries(TARGET_STACKS.map((stack) => [stack, targetSchema.optional()])) as Record<
        TargetStack,
        z.ZodOptional<typeof targetSchema>
    >)
    .refine((targets) => Object.values(targets).some((target) => target !== undefined), {
        error: `expected at least one of ${TARGET_STACKS.join(", ")}`,
    });

const deploymentsConfigSchema = z.strictObject({
    organization: pulumiName,
    project: pulumiName,
    gitlab: gitlabSchema,
    targets: targetsSchema,
});

export type DeploymentsConfig = z.infer<typeof deploymentsConfigSchema>;
export type GitlabConfig = DeploymentsConfig["gitlab"];
export type TargetConfig = z.infer<typeof targetSchema>;

/** An OpenStack application credential, as Pulumi secrets. */
export interface ApplicationCredential {
    id: pulumi.Output<string>;
    secret: pulumi.Output<string>;
}

export interface DeploymentsSecrets {
    gitlabToken: pulumi.Output<string>;
    /** One per target with inline credentials; none for a target that uses ESC. */
    credentials: Partial<Record<TargetStack, ApplicationCredential>>;
}

const GITLAB_TOKEN_KEY = "gitlabToken";
/** `prodCredentialId`, `prodCredentialSecret`: flat keys, so `pulumi config set --secret <key>` needs no --path. */
export const credentialKeys = (stack: TargetStack) => ({ id: `${stack}CredentialId`, secret: `${stack}CredentialSecret` });
const SECRET_KEYS = new Set([
    GITLAB_TOKEN_KEY,
    ...TARGET_STACKS.flatMap((stack) => Object.values(credentialKeys(stack))),
]);

/** The plain (non-secret) keys of this program's namespace; structured values arrive as JSON text. */
function plainConfig(all: Record<string, string>): Record<string, unknown> {
    const prefix = `${DEPLOYMENTS_NAMESPACE}:`;
    const values: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(all)) {
        const name = key.slice(prefix.length);
        if (!key.startsWith(prefix) || SECRET_KEYS.has(name)) {
            continue;
        }
        try {
            values[name] = JSON.parse(text);
        } catch {
            values[name] = text;
        }
    }
    return values;
}

/** What is wrong with the secrets, given the validated targets; never shows a secret value. */
function secretProblems(all: Record<string, string>, targets: DeploymentsConfig["targets"]): string[] {
    const where = (key: string) => `${DEPLOYMENTS_NAMESPACE}:${key}`;
    const isSet = (key: string) => /\S/.test(all[where(key)] ?? "");
    const problems: string[] = [];
    if (!isSet(GITLAB_TOKEN_KEY)) {
        problems.push(
            `${where(GITLAB_TOKEN_KEY)}: expected a GitLab token with read_repository, set with pulumi config set --secret ${GITLAB_TOKEN_KEY}, got nothing`,
        );
    }
    for (const stack of TARGET_STACKS) {
        const target = targets[stack];
        for (const key of Object.values(credentialKeys(stack))) {
            if (target?.openstack && !isSet(key)) {
                problems.push(
                    `${where(key)}: targets.${stack} uses inline OpenStack credentials, set with pulumi config set --secret ${key}, got nothing`,
                );
            }
            if (!target?.openstack && all[where(key)] !== undefined) {
                // A credential nobody reads is one more copy to find and revoke.
                problems.push(
                    `${where(key)}: unused (targets.${stack} ${target ? "takes its credentials from ESC" : "is not configured"}), remove it with pulumi config rm ${key}`,
                );
            }
        }
    }
    return problems;
}

/** The root stack files (Pulumi.<stack>.yaml) sit one folder above this program. */
const ROOT = join(__dirname, "..");

/**
 * Validates the whole config and reports every problem at once, before any resource is registered. `adminCidrs`
 * reads a target stack's `access.adminCidrs` (the committed root stack file by default).
 */
export function loadDeploymentsConfig(
    all: Record<string, string> = pulumi.runtime.allConfig(),
    adminCidrs: (stack: TargetStack) => string[] = (stack) => adminCidrsOf(ROOT, stack),
): {
    config: DeploymentsConfig;
    secrets: DeploymentsSecrets;
} {
    const parsed = deploymentsConfigSchema.safeParse(plainConfig(all), { reportInput: true });
    const problems = parsed.success
        ? [
              ...TARGET_STACKS.flatMap((stack) => {
                  const target = parsed.data.targets[stack];
                  return target ? agentPoolProblems(stack, target, adminCidrs(stack)) : [];
              }),
              ...secretProblems(all, parsed.data.targets),
          ]
        : formatIssues(parsed.error.issues, `${DEPLOYMENTS_NAMESPACE}:`);
    if (!parsed.success || problems.length > 0) {
        // RunError prints the message alone, without a stack trace that would bury the list of problems.
        throw new pulumi.RunError(new StackConfigError(problems).message);
    }
    const config = new pulumi.Config(DEPLOYMENTS_NAMESPACE);
    const credentials: DeploymentsSecrets["credentials"] = {};
    for (const stack of TARGET_STACKS) {
        if (parsed.data.targets[stack]?.openstack) {
            const keys = credentialKeys(stack);
            credentials[stack] = { id: config.requireSecret(keys.id), secret: config.requireSecret(keys.secret) };
        }
    }
    return { config: parsed.data, secrets: { gitlabToken: config.requireSecret(GITLAB_TOKEN_KEY), credentials } };
}
