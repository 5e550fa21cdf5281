import { CatalogError, parseCatalog } from "../../components/config/catalog";
import { ENVIRONMENTS } from "../../components/config/schema";
import { resolveService } from "../../components/kubernetes/service-defaults";
import { type WorkloadContext, workloadManifests } from "../../components/kubernetes/workload-manifests";

/**
 * Whether an entry would deploy: its file text goes through the program's own path (the catalog parser,
 * resolveService, workloadManifests) for every environment, as `npm run plan` would take it. Nothing is
 * reimplemented here, so an entry passes exactly when the program would take it.
 */

/** Names of the cluster-wide pieces, as buildStack hands them to FsgsServices; their values do not decide success. */
const CONTEXT: WorkloadContext = { imagePullSecret: "gitlab-registry", ingressClassName: "nginx", clusterIssuer: "letsencrypt", ingressNamespace: "ingress-nginx" };

/** Why the entry file would not render, one line each; empty when it renders in every environment. */
export function renderProblems(name: string, text: string): string[] {
    let spec;
    try {
        [spec] = parseCatalog([{ path: `services/${name}.yaml`, text }]);
    } catch (error) {
        if (error instanceof CatalogError) return [...error.problems];
        throw error;
    }
    const problems = new Set<string>();
    for (const environment of ENVIRONMENTS) {
        try {
            workloadManifests(resolveService(spec, undefined, environment), CONTEXT);
        } catch (error) {
            problems.add(error instanceof Error ? error.message : String(error));
        }
    }
    return [...problems];
}
