import { buildStack } from "./components/stack";

const stack = buildStack();

export const environmentName = stack.environmentName;
export const site = stack.site;
export const nodes = stack.nodes;
export const bastionPublicAddress = stack.bastionPublicAddress;
export const apiEndpoint = stack.apiEndpoint;
