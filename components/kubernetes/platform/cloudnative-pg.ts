import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { spreadOverNodes } from "./scheduling";
import { CHARTS } from "./versions";

// Fixed, so the chart's object names (cnpg-cloudnative-pg, cnpg-webhook-service) never change under a running cluster.
const RELEASE_NAME = "cnpg";

/** The operator pod's resources; the chart leaves them empty, and a controller without requests is evicted first. */
export const CNPG_OPERATOR_RESOURCES = { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "512Mi" } } as const;

export interface CloudNativePgInput {
    /** Operator replicas (config/profile.ts); they elect a leader, the others serve the webhook. */
    replicas: number;
}

/** Values of the cloudnative-pg chart (checked against its values.schema.json in tests/cloudnative-pg.test.ts). */
export function cloudNativePgValues(input: CloudNativePgInput): Record<string, unknown> {
    return {
        replicaCount: input.replicas,
        resources: CNPG_OPERATOR_RESOURCES,
        affinity: spreadOverNodes({ "app.kubernetes.io/name": "cloudnative-pg" }),
        // The chart's own security contexts (runAsNonRoot, drop ALL, RuntimeDefault seccomp, read-only root) already
        // meet the restricted profile: they are kept, not restated.
        crds: { create: true },
    };
}

/** The CloudNativePG operator: it runs the PostgreSQL clusters the catalog declares, their failover and backups. */
export function cloudNativePg(
    name: string,
    input: CloudNativePgInput & { namespace: pulumi.Input<string> },
    opts: PlatformResourceOptions,
): k8s.helm.v3.Release {
    return pinnedRelease(
        name,
        { chart: CHARTS.cloudNativePg, releaseName: RELEASE_NAME, namespace: input.namespace, values: cloudNativePgValues(input), timeoutSeconds: 300 },
        opts,
    );
}
