import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { OBSERVABILITY_PODS } from "./observability-resources";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { CHARTS } from "./versions";

/** Loki's namespace: restricted Pod Security (the chart's own security contexts comply, and are stated below). */
export const LOGGING_NAMESPACE = "logging";
// Fixed, so the Service (`loki`) and the pods' labels never change under a running cluster.
const RELEASE_NAME = "loki";

/** How the others find Loki: its Service, port and pod labels (chart templates/_helpers.tpl loki.selectorLabels). */
export const LOKI = {
    pushUrl: `http://loki.${LOGGING_NAMESPACE}.svc:3100/loki/api/v1/push`,
    queryUrl: `http://loki.${LOGGING_NAMESPACE}.svc:3100`,
    port: 3100,
    podLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": RELEASE_NAME, "app.kubernetes.io/component": "single-binary" },
} as const;

export interface LokiInput {
    /** Days of logs kept, and the size of the Cinder volume that holds them (svom-fsgs:observability.logs). */
    logs: { retentionDays: number; volumeSizeGiB: number };
    storageClass: string;
}

/**
 * Values of the loki chart: one monolithic Loki (every component in one process) on a Cinder volume, the filesystem
 * store, and the compactor deleting chunks older than the retention (grafana.com/docs/loki/latest/operations/storage/
 * retention: `compactor.retention_enabled` with `limits_config.retention_period`). A few GB of logs a day fit one
 * process; the chart's caches, gateway, canary, test and MinIO are left out.
 */
export function lokiValues(input: LokiInput): Record<string, unknown> {
    return {
        deploymentMode: "Monolithic",
        loki: {
            // One tenant: the cluster's. Who reads the logs is Grafana's business (its login).
            auth_enabled: false,
            commonConfig: { replication_factor: 1 },
            storage: { type: "filesystem" },
            schemaConfig: {
                configs: [{ from: "2026-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }],
            },
            compactor: { retention_enabled: true, delete_request_store: "filesystem" },
            limits_config: { retention_period: `${input.logs.retentionDays * 24}h` },
            // The restricted profile, stated rather than left to the chart's defaults (which already comply).
            podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
            containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        },
        singleBinary: {
            replicas: 1,
            resources: OBSERVABILITY_PODS.loki.resources,
            persistence: { enabled: true, size: `${input.logs.volumeSizeGiB}Gi`, storageClass: input.storageClass },
        },
        read: { replicas: 0 },
        write: { replicas: 0 },
        backend: { replicas: 0 },
        gateway: { enabled: false },
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        minio: { enabled: false },
    };
}

/** Loki: the cluster's logs, kept `retentionDays` on a Cinder volume. */
export function loki(name: string, input: LokiInput & { namespace: pulumi.Input<string> }, opts: PlatformResourceOptions): k8s.helm.v3.Release {
    return pinnedRelease(name, { chart: CHARTS.loki, releaseName: RELEASE_NAME, namespace: input.namespace, values: lokiValues(input), timeoutSeconds: 600 }, opts);
}
