import { buildDeployments } from "./program";

const { targets: deploymentTargets } = buildDeployments();

export const targets = deploymentTargets;
