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

// Room for a rolling update (one surge pod per workload) and for a service to grow before the quota is raised.
const QUOTA_HEADROOM = 2;

/**
 * A namespace per domain: Pod Security "restricted" enforced, ingress denied unless a service's own policy
 * allows it, and a quota sized from what the domain's services ask for.
 */
export function domainManifests(namespace: string, services: readonly ResolvedService[]): DomainManifests {
    const total = (pick: (service: ResolvedService) => string | undefined, fallback: string) =>
        QUOTA_HEADROOM * services.reduce((sum, service) => sum + quantity(pick(service) ?? fallback) * service.replicas, 0);
    const pods = QUOTA_HEADROOM * services.reduce((sum, service) => sum + (service.autoscaling?.maxReplicas ?? service.replicas), 0);
    const claims = services.reduce((sum, service) => sum + (service.storage ? service.replicas : 0), 0);
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
                    pods: String(Math.max(pods, 4)),
                    persistentvolumeclaims: String(QUOTA_HEADROOM * claims),
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
