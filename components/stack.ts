import * as pulumi from "@pulumi/pulumi";
import { loadStack } from "./config/load";
import { Environment, type NodesByRole } from "./openstack/environment";

/** What a stack exports; index.ts publishes exactly this. */
export interface StackOutputs {
    environmentName: string;
    site: string;
    nodes: pulumi.Output<NodesByRole>;
    bastionPublicAddress: pulumi.Output<string>;
    apiEndpoint: {
        privateAddress: pulumi.Output<string>;
        publicAddress: pulumi.Output<string>;
        port: number;
        url: pulumi.Output<string>;
    };
}

/** The whole program: validate the config (throwing before any registration), then build the environment. */
export function buildStack(): StackOutputs {
    const { config } = loadStack();
    const environment = new Environment(`fsgs-${config.environment}`, { config });
    const endpoint = environment.apiEndpoint;
    return {
        environmentName: config.environment,
        site: config.site.name,
        nodes: environment.nodes,
        bastionPublicAddress: environment.bastionPublicAddress,
        apiEndpoint: {
            privateAddress: endpoint.privateAddress,
            publicAddress: endpoint.publicAddress,
            port: endpoint.port,
            url: pulumi.interpolate`https://${endpoint.publicAddress}:${endpoint.port}`,
        },
    };
}
