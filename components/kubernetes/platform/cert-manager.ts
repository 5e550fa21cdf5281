import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { CHARTS } from "./versions";

/** The ClusterIssuer of publicly trusted certificates (the config's ACME is Let's Encrypt). */
export const CLUSTER_ISSUER_NAME = "letsencrypt";

/** The ClusterIssuer of the stack's own CA, for stacks the ACME server cannot reach. */
export const INTERNAL_CA_ISSUER_NAME = "fsgs-internal-ca";

/** The Secret (in cert-manager's namespace) holding the internal root: `ca.crt` is what users trust. */
export const INTERNAL_CA_SECRET = "fsgs-root-ca";

/** Where certificates come from: an ACME server over HTTP-01 through the Gateway, or the stack's own CA. */
export type CertificateSource = "acme-http01" | "internal-ca";

export interface CertManagerInput {
    /** Replicas of the controller and the webhook (the profile's highAvailabilityReplicas): one is an outage of certificate changes at every node drain. */
    replicas: number;
}

/** Requests and limits of cert-manager's three Deployments; the capacity check reads them too. */
export const CERT_MANAGER_RESOURCES = {
    controller: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    webhook: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    cainjector: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
} as const;

/** Values of the cert-manager chart (its values schema rejects unknown keys). */
export function certManagerValues(input: CertManagerInput): Record<string, unknown> {
    const replicas = input.replicas;
    // A budget on a lone pod would block every node drain.
    const budget = replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false };
    return {
        // cert-manager 1.15+ replaced installCRDs with crds.*; keep: uninstalling the chart must not delete the CRDs,
        // which would delete every Certificate and Issuer with them.
        crds: { enabled: true, keep: true },
        replicaCount: replicas,
        podDisruptionBudget: budget,
        resources: CERT_MANAGER_RESOURCES.controller,
        // The webhook validates every cert-manager object: while it is down, nobody can change one.
        webhook: {
            replicaCount: replicas,
            podDisruptionBudget: budget,
            resources: CERT_MANAGER_RESOURCES.webhook,
        },
        cainjector: { resources: CERT_MANAGER_RESOURCES.cainjector },
        // The post-install check Job: the chart leaves its resources empty (values.yaml startupapicheck.resources {}).
        startupapicheck: { resources: CERT_MANAGER_RESOURCES.cainjector },
        // The gateway-shim (Certificates from annotated Gateways) and the gatewayHTTPRoute HTTP-01 solver. Since 1.16
        // the ControllerConfiguration field replaces the ExperimentalGatewayAPISupport feature gate
        // (cert-manager.io/docs/usage/gateway). The controller refuses to start until the Gateway API CRDs exist,
        // so the release waits for Envoy Gateway's CRD release.
        config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true },
    };
}

export interface ClusterIssuerInput {
    certificates: CertificateSource;
    /** Account e-mail the ACME server sends expiry warnings to. */
    acmeEmail: string;
    /** ACME directory URL, e.g. Let's Encrypt's production or staging directory. */
    acmeServer: string;
    /** The Gateway whose plain-HTTP listener serves the HTTP-01 challenges. */
    gateway: { name: string; namespace: string; httpListener: string };
}

/**
 * Spec of the ACME ClusterIssuer: cert-manager answers HTTP-01 by creating a solver pod and an HTTPRoute attached to
 * the Gateway's HTTP listener (cert-manager.io/docs/configuration/acme/http01, "gatewayHTTPRoute").
 */
export function clusterIssuerSpec(input: ClusterIssuerInput): Record<string, unknown> {
    return {
        acme: {
            email: input.acmeEmail,
            server: input.acmeServer,
            // cert-manager creates the account key in this Secret of its own namespace on first use.
            privateKeySecretRef: { name: `${CLUSTER_ISSUER_NAME}-account-key` },
            solvers: [
                {
                    http01: {
                        gatewayHTTPRoute: {
                            parentRefs: [
                                {
                                    group: "gateway.networking.k8s.io",
                                    kind: "Gateway",
                                    name: input.gateway.name,
                                    namespace: input.gateway.namespace,
                                    sectionName: input.gateway.httpListener,
                                },
                            ],
                        },
                    },
                },
            ],
        },
    };
}

/** The internal root: a self-signed CA certificate, ten years, kept in cert-manager's namespace. */
export function internalRootSpec(environment: string): Record<string, unknown> {
    return {
        isCA: true,
        commonName: `SVOM FSGS ${environment} root CA`,
        secretName: INTERNAL_CA_SECRET,
        duration: "87600h",
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "fsgs-selfsigned" },
    };
}

/** The ClusterIssuer workloads name, whichever the source. */
export function issuerName(certificates: CertificateSource): string {
    return certificates === "acme-http01" ? CLUSTER_ISSUER_NAME : INTERNAL_CA_ISSUER_NAME;
}

/**
 * cert-manager and the ClusterIssuer workloads use (it can only be created once the chart's CRDs exist): ACME
 * where the ACME server can reach the Gateway, else a CA of the stack's own, rooted in a self-signed certificate.
 */
export function certManager(
    name: string,
    input: CertManagerInput & ClusterIssuerInput & { namespace: pulumi.Input<string>; /** Names the internal root CA (`SVOM FSGS <environment> root CA`). */ environment: string },
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
    const afterRelease = { parent: opts.parent, dependsOn: [release] };
    if (input.certificates === "acme-http01") {
        const clusterIssuer = new k8s.apiextensions.CustomResource(
            `${name}-cluster-issuer`,
            { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: CLUSTER_ISSUER_NAME }, spec: clusterIssuerSpec(input) },
            afterRelease,
        );
        return { release, clusterIssuer };
    }
    const selfSigned = new k8s.apiextensions.CustomResource(
        `${name}-selfsigned-issuer`,
        { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "fsgs-selfsigned" }, spec: { selfSigned: {} } },
        afterRelease,
    );
    const root = new k8s.apiextensions.CustomResource(
        `${name}-root-ca`,
        {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            // A ClusterIssuer reads its CA Secret from the cluster resource namespace, cert-manager's own by default.
            metadata: { name: INTERNAL_CA_SECRET, namespace: input.namespace },
            spec: internalRootSpec(input.environment),
        },
        { ...afterRelease, dependsOn: [release, selfSigned] },
    );
    const clusterIssuer = new k8s.apiextensions.CustomResource(
        `${name}-cluster-issuer`,
        { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: INTERNAL_CA_ISSUER_NAME }, spec: { ca: { secretName: INTERNAL_CA_SECRET } } },
        { ...afterRelease, dependsOn: [release, root] },
    );
    return { release, clusterIssuer };
}
