import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { domainManifests } from "./domain-manifests";
import { type RegistryCredentials, dockerConfigJson } from "./registry-secret";
import type { ResolvedService } from "./service-defaults";

export interface DomainArgs {
    /** `fsgs-<domain>`. */
    namespace: string;
    /** The services that run in it: they size its quota. */
    services: readonly ResolvedService[];
    registry: RegistryCredentials;
    /** Name of the image pull Secret the workloads refer to. */
    imagePullSecret: string;
}

/** The namespace of one FSGS domain with its guard rails: restricted pods, default-deny, quota, limits. */
export class Domain extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: DomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:kubernetes:Domain", name, {}, opts);
        const manifests = domainManifests(args.namespace, args.services);
        const options = { parent: this };

        const namespace = new k8s.core.v1.Namespace(name, { metadata: manifests.namespace.metadata }, options);
        const inNamespace = { ...options, dependsOn: [namespace] };
        new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, { metadata: manifests.defaultDeny.metadata, spec: manifests.defaultDeny.spec }, inNamespace);
        new k8s.core.v1.ResourceQuota(`${name}-quota`, { metadata: manifests.resourceQuota.metadata, spec: manifests.resourceQuota.spec }, inNamespace);
        new k8s.core.v1.LimitRange(`${name}-limits`, { metadata: manifests.limitRange.metadata, spec: manifests.limitRange.spec }, inNamespace);
        new k8s.core.v1.Secret(
            `${name}-registry`,
            {
                metadata: { name: args.imagePullSecret, namespace: args.namespace },
                type: "kubernetes.io/dockerconfigjson",
                stringData: { ".dockerconfigjson": dockerConfigJson(args.registry) },
            },
            inNamespace,
        );

        this.namespace = namespace.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
