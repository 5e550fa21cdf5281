import type * as k8s from "@pulumi/kubernetes";
import { DEFAULT_RESOURCES, type ResolvedService } from "./service-defaults";
import type { Manifest, WithSpec } from "./workload-manifests";


export interface DomainManifests {
    namespace: Omit<Manifest, "metadata"> & { metadata: { name: string; labels: Record<string, string> } };
    defaultDeny: WithSpec<k8s.types.input.networking.v1.NetworkPolicySpec>;
    resourceQuota: WithSpec<k8s.types.input.core.v1.ResourceQuotaSpec>;
    limitRange: WithSpec<k8s.types.input.core.v1.LimitRangeSpec>;
}

const UNITS: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** `250m` -> 0.25, `512Mi` -> 536870912, `2` -> 2. */
export function quantity(text: string): number {
    const match = /^([0-9.]+)(m|Ki|Mi|Gi|Ti)?$/.exec(text);
    if (!match) {
        throw new Error(`not a quantity: ${text}`);
    }
    return Number(match[1]) * (match[2] ? UNITS[match[2]] : 1);
}

const cpuText = (cores: number) => `${Math.ceil(cores * 1000)}m`;
const memoryText = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)}Mi`;

/** Pods created by hand (a `kubectl run` to diagnose), sized by the LimitRange defaults, that the quota leaves room for. */
export const TRANSIENT_PODS = 1;

/**
 * The most pods a service runs at once: its peak (the autoscaler's maximum, or its replicas) plus, for a Deployment,
 * the surge pod of a rolling update (maxSurge 1, workload-manifests.ts) — an update may start at the peak. A
 * StatefulSet's rolling update replaces a pod after deleting it: no surge.
 */
export function peakPods(service: ResolvedService): number {
    const peak = Math.max(service.autoscaling?.maxReplicas ?? 0, service.replicas);
    return peak + (service.kind === "Deployment" ? 1 : 0);
}

/**
 * A namespace per domain: Pod Security "restricted" enforced, nothing in or out unless a service's own policy
 * allows it, and a quota that holds every service at its peak during a rolling update, plus a pod made by hand.
 */
export function domainManifests(namespace: string, services: readonly ResolvedService[]): DomainManifests {
    const total = (pick: (service: ResolvedService) => string | undefined, fallback: string) =>
        services.reduce((sum, service) => sum + quantity(pick(service) ?? fallback) * peakPods(service), 0) + TRANSIENT_PODS * quantity(fallback);
    const pods = services.reduce((sum, service) => sum + peakPods(service), 0) + TRANSIENT_PODS;
    // Retained claims of a scaled-down StatefulSet still count: room for the replicas and as many again.
    const claims = 2 * services.reduce((sum, service) => sum + (service.storage ? service.replicas : 0), 0);
    const metadata = { name: namespace, namespace };
    return {
        namespace: {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
                name: namespace,
                labels: {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "app.kubernetes.io/part-of": "svom-fsgs",
                },
            },
        },
        defaultDeny: {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { ...metadata, name: "default-deny" },
            // Nothing in or out unless a service's own policy opens it from the catalog's allowFrom and connectsTo.
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        },
        resourceQuota: {
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: { ...metadata, name: "domain-quota" },
            spec: {
                hard: {
                    "requests.cpu": cpuText(total((s) => s.resources.requests.cpu, DEFAULT_RESOURCES.requests.cpu)),
                    "requests.memory": memoryText(total((s) => s.resources.requests.memory, DEFAULT_RESOURCES.requests.memory)),
                    "limits.cpu": cpuText(total((s) => s.resources.limits.cpu, DEFAULT_RESOURCES.limits.cpu ?? "500m")),
                    "limits.memory": memoryText(total((s) => s.resources.limits.memory, DEFAULT_RESOURCES.limits.memory)),
                    pods: String(pods),
                    persistentvolumeclaims: String(claims),
                },
            },
        },
        limitRange: {
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: { ...metadata, name: "container-defaults" },
            spec: {
                // For pods created by hand or by an operator: the catalog's own workloads always set both.
                limits: [{ type: "Container", defaultRequest: DEFAULT_RESOURCES.requests, default: DEFAULT_RESOURCES.limits }],
            },
        },
    };
}
