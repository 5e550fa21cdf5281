import { buildStack } from "./components/stack";

const outputs = buildStack();

export const environmentName = outputs.environmentName;
export const site = outputs.site;
export const nodes = outputs.nodes;
export const bastionPublicAddress = outputs.bastionPublicAddress;
export const apiEndpoint = outputs.apiEndpoint;
export const kubeconfig = outputs.kubeconfig;
export const kubeconfigExpiresAt = outputs.kubeconfigExpiresAt;
