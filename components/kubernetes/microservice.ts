import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedService } from "./service-defaults";
import { type WorkloadContext, workloadManifests } from "./workload-manifests";

export interface MicroserviceArgs {
    /** The catalog entry, resolved for the stack. */
    service: ResolvedService;
    context: WorkloadContext;
    /** The domain's namespace and guard rails, created first. */
    domain: pulumi.Resource;
}

/** One FSGS micro-service with the platform's production defaults (see workload-manifests.ts). */
export class Microservice extends pulumi.ComponentResource {
    constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:kubernetes:Microservice", name, {}, opts);
        const manifests = workloadManifests(args.service, args.context);
        const options = { parent: this, dependsOn: [args.domain] };

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: manifests.serviceAccount.metadata, automountServiceAccountToken: false },
            options,
        );
        const afterAccount = { ...options, dependsOn: [args.domain, serviceAccount] };
        if (manifests.workload.kind === "StatefulSet") {
            new k8s.apps.v1.StatefulSet(
                name,
                { metadata: manifests.workload.metadata, spec: manifests.workload.spec as k8s.types.input.apps.v1.StatefulSetSpec },
                afterAccount,
            );
        } else {
            new k8s.apps.v1.Deployment(
                name,
                { metadata: manifests.workload.metadata, spec: manifests.workload.spec as k8s.types.input.apps.v1.DeploymentSpec },
                afterAccount,
            );
        }
        if (manifests.service) {
            new k8s.core.v1.Service(`${name}-svc`, { metadata: manifests.service.metadata, spec: manifests.service.spec }, options);
        }
        if (manifests.externalService) {
            new k8s.core.v1.Service(`${name}-external-svc`, { metadata: manifests.externalService.metadata, spec: manifests.externalService.spec }, options);
        }
        if (manifests.podDisruptionBudget) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, { metadata: manifests.podDisruptionBudget.metadata, spec: manifests.podDisruptionBudget.spec }, options);
        }
        if (manifests.horizontalPodAutoscaler) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, { metadata: manifests.horizontalPodAutoscaler.metadata, spec: manifests.horizontalPodAutoscaler.spec }, options);
        }
        new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, { metadata: manifests.networkPolicy.metadata, spec: manifests.networkPolicy.spec }, options);
        if (manifests.httpRoute) {
            const route = manifests.httpRoute;
            new k8s.apiextensions.CustomResource(`${name}-route`, { apiVersion: route.apiVersion, kind: route.kind, metadata: route.metadata, spec: route.spec }, options);
        }
        this.registerOutputs({});
    }
}
