import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { CHARTS } from "./versions";

/** The ClusterIssuer applications name in the `cert-manager.io/cluster-issuer` annotation (the config's ACME is Let's Encrypt). */
export const CLUSTER_ISSUER_NAME = "letsencrypt";

export interface CertManagerInput {
    environment: "integration" | "preprod" | "prod";
}

/** Values of the cert-manager chart (its values schema rejects unknown keys). */
export function certManagerValues(input: CertManagerInput): Record<string, unknown> {
    const replicas = input.environment === "integration" ? 1 : 2;
    // A budget on a lone pod would block every node drain.
    const budget = replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false };
    return {
        // cert-manager 1.15+ replaced installCRDs with crds.*; keep: uninstalling the chart must not delete the CRDs,
        // which would delete every Certificate and Issuer with them.
        crds: { enabled: true, keep: true },
        replicaCount: replicas,
        podDisruptionBudget: budget,
        resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        // The webhook validates every cert-manager object: while it is down, nobody can change one.
        webhook: {
            replicaCount: replicas,
            podDisruptionBudget: budget,
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        },
        cainjector: { resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
    };
}

export interface ClusterIssuerInput {
    /** Account e-mail the ACME server sends expiry warnings to. */
    acmeEmail: string;
    /** ACME directory URL, e.g. Let's Encrypt's production or staging directory. */
    acmeServer: string;
    /** The IngressClass that serves the HTTP-01 challenges. */
    ingressClassName: string;
}

/** Spec of the ClusterIssuer: an ACME account answering HTTP-01 challenges through the ingress controller. */
export function clusterIssuerSpec(input: ClusterIssuerInput): Record<string, unknown> {
    return {
        acme: {
            email: input.acmeEmail,
            server: input.acmeServer,
            // cert-manager creates the account key in this Secret of its own namespace on first use.
            privateKeySecretRef: { name: `${CLUSTER_ISSUER_NAME}-account-key` },
            solvers: [{ http01: { ingress: { ingressClassName: input.ingressClassName } } }],
        },
    };
}

/** cert-manager and the cluster's ClusterIssuer, which can only be created once the chart's CRDs exist. */
export function certManager(
    name: string,
    input: CertManagerInput & ClusterIssuerInput & { namespace: pulumi.Input<string> },
    opts: PlatformResourceOptions,
): { release: k8s.helm.v3.Release; clusterIssuer: k8s.apiextensions.CustomResource } {
    const release = pinnedRelease(
        name,
        {
            chart: CHARTS.certManager,
            releaseName: "cert-manager",
            namespace: input.namespace,
            values: certManagerValues(input),
            timeoutSeconds: 600,
        },
        opts,
    );
    const clusterIssuer = new k8s.apiextensions.CustomResource(
        `${name}-cluster-issuer`,
        {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: CLUSTER_ISSUER_NAME },
            spec: clusterIssuerSpec(input),
        },
        { parent: opts.parent, provider: opts.provider, dependsOn: [release] },
    );
    return { release, clusterIssuer };
}
