import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ChartRef } from "./versions";

/** One add-on as a Helm release: what to install, where, and how long a healthy install may take. */
export interface ReleaseSpec {
    chart: ChartRef;
    /** The Helm release name; fixed, so the chart's object names are the documented ones. */
    releaseName: string;
    namespace: pulumi.Input<string>;
    /**
     * Plain data, or plain data once known (a checksum): a credential never goes through chart values, only through
     * the cloud-config Secret.
     */
    values: Record<string, unknown> | pulumi.Output<Record<string, unknown>>;
    /** Seconds Helm waits for every object to be ready before it rolls the release back. */
    timeoutSeconds: number;
    /** Leave the chart's crds/ folder out, when another pinned release owns those CRDs. */
    skipCrds?: boolean;
}

/** The release's `chart` input: Helm pulls an OCI chart by its full reference, any other by name from its repository. */
export function chartReference(chart: ChartRef): string {
    return chart.repo.startsWith("oci://") ? `${chart.repo}/${chart.chart}` : chart.chart;
}

function chartSource(chart: ChartRef): Pick<k8s.helm.v3.ReleaseArgs, "chart" | "repositoryOpts"> {
    return chart.repo.startsWith("oci://") ? { chart: chartReference(chart) } : { chart: chartReference(chart), repositoryOpts: { repo: chart.repo } };
}

// Each upgrade keeps a Secret with the whole manifest in the release namespace: keep enough to roll back.
const MAX_HISTORY = 10;

/** The arguments of a pinned release: waited on, rolled back as a whole if it does not become ready. */
export function releaseArgs(spec: ReleaseSpec): k8s.helm.v3.ReleaseArgs {
    return {
        name: spec.releaseName,
        ...chartSource(spec.chart),
        version: spec.chart.version,
        namespace: spec.namespace,
        values: spec.values,
        // A half-applied add-on (a webhook without its pods, a CSI driver without its node plugin) is worse
        // than the previous revision: Helm waits, and undoes the whole upgrade if it times out.
        atomic: true,
        cleanupOnFail: true,
        skipAwait: false,
        timeout: spec.timeoutSeconds,
        maxHistory: MAX_HISTORY,
        ...(spec.skipCrds ? { skipCrds: true } : {}),
    };
}

/**
 * Every add-on resource is a child of the platform, and so goes through the cluster's provider, which the
 * platform received in its `providers` option and its children inherit (pulumi resource.ts: a child without a
 * `provider` takes its parent's provider of the same package).
 */
export type PlatformResourceOptions = pulumi.CustomResourceOptions & { parent: pulumi.Resource };

/** Registers a pinned release as a child of the platform (and so through the cluster's provider). */
export function pinnedRelease(name: string, spec: ReleaseSpec, opts: PlatformResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(name, releaseArgs(spec), opts);
}

/** The same options, depending also on `more`: an add-on waits for what its siblings wait for, and more. */
export function alsoAfter(opts: PlatformResourceOptions, ...more: pulumi.Resource[]): PlatformResourceOptions {
    const earlier = opts.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn as pulumi.Input<pulumi.Resource>];
    return { ...opts, dependsOn: [...earlier, ...more] };
}
