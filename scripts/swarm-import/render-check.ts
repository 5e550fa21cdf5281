import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { CatalogError, parseCatalog } from "../../components/config/catalog";
import { ENVIRONMENTS } from "../../components/config/schema";
import { environmentProfile } from "../../components/config/profile";
import { type PodSpecLike, restrictedViolations } from "../../components/kubernetes/pod-security";
import { resolveService } from "../../components/kubernetes/service-defaults";
import { type Manifest, type WorkloadContext, standaloneContext, workloadManifests } from "../../components/kubernetes/workload-manifests";

/**
 * Whether an entry would deploy: its file text goes through the program's own path (the catalog parser,
 * resolveService, workloadManifests) for every environment, as `npm run plan` would take it; then each manifest
 * through the Kubernetes API's OpenAPI schema (kubernetes-models, the tests' validator) and the pods through the
 * restricted Pod Security Standard the domain namespaces enforce (components/kubernetes/pod-security.ts).
 * Nothing is reimplemented here, so an entry passes exactly when the program and the API server would take it.
 */

/** Names of the cluster-wide pieces, as buildStack hands them to FsgsServices; their values do not decide success. */
const CONTEXT: WorkloadContext = standaloneContext();

const MODELS: Readonly<Record<string, new (data: never) => { validate(): void }>> = {
    Service,
    ServiceAccount,
    Deployment,
    StatefulSet,
    HorizontalPodAutoscaler,
    HTTPRoute,
    NetworkPolicy,
    PodDisruptionBudget,
};

function firstLine(error: unknown): string {
    return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/** Why the entry file would not render or be accepted, one line each; empty when it deploys in every environment. */
export function renderProblems(name: string, text: string): string[] {
    let spec;
    try {
        [spec] = parseCatalog([{ path: `services/${name}.yaml`, text }], { crossReferences: false });
    } catch (error) {
        if (error instanceof CatalogError) return [...error.problems];
        throw error;
    }
    const problems = new Set<string>();
    for (const environment of ENVIRONMENTS) {
        let manifests;
        try {
            manifests = workloadManifests(resolveService(spec, undefined, environmentProfile(environment)), CONTEXT);
        } catch (error) {
            problems.add(firstLine(error));
            continue;
        }
        const { serviceAccount, workload, service, externalService, podDisruptionBudget, horizontalPodAutoscaler, networkPolicy, httpRoute } = manifests;
        const objects: (Manifest | undefined)[] = [serviceAccount, workload, service, externalService, podDisruptionBudget, horizontalPodAutoscaler, networkPolicy, httpRoute];
        for (const manifest of objects) {
            if (manifest === undefined) continue;
            const Model = MODELS[manifest.kind];
            if (Model === undefined) throw new Error(`no schema for ${manifest.kind}: add it to MODELS`);
            try {
                new Model(manifest as never).validate();
            } catch (error) {
                problems.add(`the Kubernetes API would refuse the ${manifest.kind}: ${firstLine(error)}`);
            }
        }
        const pod = (manifests.workload.spec.template as { spec: PodSpecLike }).spec;
        for (const violation of restrictedViolations(pod)) problems.add(`the restricted Pod Security Standard refuses the pod: ${violation}`);
    }
    return [...problems];
}
