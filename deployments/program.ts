import * as pulumiservice from "@pulumi/pulumiservice";
import { TARGET_STACKS, type TargetStack, loadDeploymentsConfig } from "./config";
import { type DeploymentSettingsSpec, deploymentSettingsFor } from "./settings";

/** What each target stack got, for `pulumi stack output` and the GitLab job that triggers it. */
export interface TargetSummary {
    /** `<org>/<project>/<stack>`, the argument of `pulumi deployment run update`. */
    stack: string;
    /** Where the OpenStack credentials come from. */
    credentials: string;
    /** The self-hosted agent pool the stack's deployments run on. */
    agentPool: string;
}

/** Validates the config, then registers one DeploymentSettings per target stack. */
export function buildDeployments(): { targets: Partial<Record<TargetStack, TargetSummary>> } {
    const { config, secrets } = loadDeploymentsConfig();
    const targets: Partial<Record<TargetStack, TargetSummary>> = {};
    for (const stack of TARGET_STACKS) {
        const target = config.targets[stack];
        if (!target) {
            continue;
        }
        const spec: DeploymentSettingsSpec = deploymentSettingsFor(stack, {
            organization: config.organization,
            project: config.project,
            gitlab: config.gitlab,
            gitlabToken: secrets.gitlabToken,
            target,
            credential: secrets.credentials[stack],
        });
        const args: pulumiservice.DeploymentSettingsArgs = spec;
        new pulumiservice.DeploymentSettings(`${config.project}-${stack}`, args);
        targets[stack] = {
            stack: `${config.organization}/${config.project}/${stack}`,
            credentials: target.esc
                ? `ESC environment ${target.esc.environment}, imported by Pulumi.${stack}.yaml`
                : "inline OpenStack application credential",
            agentPool: spec.agentPoolId,
        };
    }
    return { targets };
}
