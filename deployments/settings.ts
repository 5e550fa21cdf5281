import * as pulumi from "@pulumi/pulumi";
import type { GitlabConfig, TargetConfig, TargetStack } from "./config";

/** `npm ci` runs nothing from the packages' install scripts: the lock file is the whole supply chain. */
export const PRE_RUN_COMMANDS = ["npm ci --ignore-scripts"] as const;

// Keystone application credentials, see python-openstackclient "Authentication" (v3applicationcredential).
const OS_AUTH_TYPE = "v3applicationcredential";

/** Everything one stack's deployment settings are made of; secrets only as Pulumi inputs. */
export interface DeploymentInput {
    /** Pulumi Cloud organization of the target stack. */
    organization: string;
    /** Project of the target stack (`name` in the root Pulumi.yaml). */
    project: string;
    /** Repository and default branch the deployment checks out. */
    gitlab: GitlabConfig;
    /** GitLab token with read_repository, the basic-auth password of the clone. */
    gitlabToken: pulumi.Input<string>;
    /** The target's own settings. */
    target: TargetConfig;
    /** The OpenStack application credential; required when the target has inline credentials. */
    credential?: { id: pulumi.Input<string>; secret: pulumi.Input<string> };
}

/**
 * The arguments of a `pulumiservice.DeploymentSettings`, as plain data: field names are those of
 * @pulumi/pulumiservice 1.3.0 (`DeploymentSettingsArgs`), which this type must stay assignable to.
 */
export interface DeploymentSettingsSpec {
    organization: string;
    project: string;
    stack: string;
    agentPoolId: string;
    sourceContext: {
        git: {
            repoUrl: string;
            branch: string;
            repoDir?: string;
            gitAuth: { basicAuth: { username: string; password: pulumi.Input<string> } };
        };
    };
    operationContext: {
        preRunCommands: string[];
        options: { skipInstallDependencies: boolean };
        environmentVariables?: Record<string, pulumi.Input<string>>;
    };
}

/**
 * Deployment settings for one stack. No `github`/`vcs` block: push-to-deploy exists only for the GitHub and
 * Azure DevOps apps, so every deployment, prod's included, is started on purpose from a GitLab job.
 */
export function deploymentSettingsFor(stack: TargetStack, input: DeploymentInput): DeploymentSettingsSpec {
    const { target } = input;
    if (!target.agentPoolId) {
        // Pulumi-hosted runners cannot reach the bastion or the API: never fall back to them (agent-pool.ts).
        throw new Error(`targets.${stack} has no agentPoolId`);
    }
    let environmentVariables: Record<string, pulumi.Input<string>> | undefined;
    if (target.openstack) {
        if (!input.credential) {
            throw new Error(`targets.${stack} uses inline OpenStack credentials but none was given`);
        }
        environmentVariables = {
            OS_AUTH_TYPE,
            OS_AUTH_URL: target.openstack.authUrl,
            OS_REGION_NAME: target.openstack.region,
            // Secret even if a caller forgets: the provider stores a secret input as a secret variable.
            OS_APPLICATION_CREDENTIAL_ID: pulumi.secret(input.credential.id),
            OS_APPLICATION_CREDENTIAL_SECRET: pulumi.secret(input.credential.secret),
        };
    }
    // With ESC the credentials come from the `environment:` import of Pulumi.<stack>.yaml, which the
    // deployment's `pulumi up` opens itself: DeploymentSettings has no field for it.
    return {
        organization: input.organization,
        project: input.project,
        stack,
        agentPoolId: target.agentPoolId,
        sourceContext: {
            git: {
                repoUrl: input.gitlab.repoUrl,
                branch: target.branch ?? input.gitlab.branch,
                ...(input.gitlab.repoDir ? { repoDir: input.gitlab.repoDir } : {}),
                gitAuth: { basicAuth: { username: input.gitlab.username, password: pulumi.secret(input.gitlabToken) } },
            },
        },
        operationContext: {
            preRunCommands: [...PRE_RUN_COMMANDS],
            // The pre-run `npm ci` installs; the default step would install a second time.
            options: { skipInstallDependencies: true },
            ...(environmentVariables ? { environmentVariables } : {}),
        },
    };
}
