import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Pod Security Standard a namespace enforces (Kubernetes "Pod Security Admission" labels). `privileged` is for a node
 * agent that needs the host (node-exporter), alone in its namespace, with the reason beside its use.
 */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** Metadata of an add-on's namespace: enforce its level, and warn about and audit anything below restricted. */
export function namespaceMetadata(name: string, enforce: PodSecurityLevel): { name: string; labels: Record<string, string> } {
    return {
        name,
        labels: {
            "pod-security.kubernetes.io/enforce": enforce,
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        },
    };
}

/** An add-on's own namespace, a Pulumi resource rather than Helm's `--create-namespace`, so it carries labels. */
export function addOnNamespace(
    resourceName: string,
    name: string,
    enforce: PodSecurityLevel,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(resourceName, { metadata: namespaceMetadata(name, enforce) }, opts);
}
