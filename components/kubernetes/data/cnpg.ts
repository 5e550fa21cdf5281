import type { ResolvedService } from "../service-defaults";

/** The CloudNativePG API the manifests are written for (CRDs of v1.30.0, vendored under tests/fixtures/crds/). */
export const CNPG_API_VERSION = "postgresql.cnpg.io/v1";

/** The namespace of the operator; its controller calls every instance's status port. */
export const CNPG_NAMESPACE = "cnpg-system";

/** Label the operator puts on every pod of a cluster, instances and bootstrap jobs alike (pkg/utils/labels_annotations.go, v1.30.0). */
export const CNPG_CLUSTER_LABEL = "cnpg.io/cluster";

/** The labels that select a catalog entry's pods: the operator's for a database, ours for a workload. */
export function podSelectorLabels(service: Pick<ResolvedService, "name" | "postgresql">): Record<string, string> {
    return service.postgresql ? { [CNPG_CLUSTER_LABEL]: service.name } : { "app.kubernetes.io/name": service.name };
}
