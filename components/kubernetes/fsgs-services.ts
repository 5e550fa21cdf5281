import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Domain } from "./domain";
import { Microservice } from "./microservice";
import type { RegistryCredentials } from "./registry-secret";
import type { ResolvedService } from "./service-defaults";
import type { WorkloadContext } from "./workload-manifests";

export interface FsgsServicesArgs {
    /** The catalog, resolved for the stack. */
    services: readonly ResolvedService[];
    registry: RegistryCredentials;
    context: WorkloadContext;
    provider: k8s.Provider;
    /** The platform add-ons the workloads rely on (ingress class, issuer, storage class). */
    platform?: pulumi.Resource;
}

/** The FSGS micro-services, each in the namespace of its domain. */
export class FsgsServices extends pulumi.ComponentResource {
    constructor(name: string, args: FsgsServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:kubernetes:FsgsServices", name, {}, opts);
        const namespaces = [...new Set(args.services.map((service) => service.namespace))].sort();
        const domains = new Map(
            namespaces.map((namespace) => [
                namespace,
                new Domain(
                    namespace,
                    {
                        namespace,
                        services: args.services.filter((service) => service.namespace === namespace),
                        registry: args.registry,
                        imagePullSecret: args.context.imagePullSecret,
                        provider: args.provider,
                    },
                    { parent: this, dependsOn: args.platform ? [args.platform] : [] },
                ),
            ]),
        );
        for (const service of args.services) {
            const domain = domains.get(service.namespace);
            if (!domain) {
                throw new Error(`no domain for ${service.namespace}`);
            }
            new Microservice(service.name, { service, context: args.context, provider: args.provider, domain }, { parent: this });
        }
        this.registerOutputs({});
    }
}
