import { hasStatefulPool } from "../config/pools";
import type { PoolRole, StackConfig } from "../config/schema";
import { type DaemonSetShare, requestsOf } from "./daemonsets";
import { peakPods, quantity } from "./domain-manifests";
import type { EnvironmentProfile } from "../config/profile";
import { CERT_MANAGER_RESOURCES } from "./platform/cert-manager";
import { CNPG_OPERATOR_RESOURCES } from "./platform/cloudnative-pg";
import { manifestDeployments, topologyOperatorManifest, topologyOperatorObjects } from "./platform/rabbitmq-topology-operator";
import { RABBITMQ_CLUSTER_OPERATOR } from "./platform/versions";
import { ENVOY_GATEWAY_RESOURCES, ENVOY_PROXY_RESOURCES } from "./platform/envoy-gateway";
import { observabilityWorkerDemand } from "./platform/observability-resources";
import type { ResolvedService } from "./service-defaults";

/**
 * Whether the requests of everything at its peak fit the workers with the largest one down (N-1), per group of
 * pools: the stateful pool (when the stack has one, only StatefulSets go there) and the others.
 */

/** Requests of a group of identical pods: CPU in cores, memory in bytes. */
export interface PodDemand {
    what: string;
    pods: number;
    cpu: number;
    memory: number;
    /** Which group of pools it lands on. */
    group: PoolRole;
}

/** kubelet's default hard eviction threshold (memory.available<100Mi); our KubeletConfiguration reserves nothing else. */
const EVICTION_RESERVE = 100 * 2 ** 20;


const request = (cpu: string, memory: string) => ({ cpu: quantity(cpu), memory: quantity(memory) });

/** The FSGS services at their peak (autoscaler maximum or replicas, plus a Deployment's surge pod). */
export function serviceDemand(services: readonly ResolvedService[], statefulPool: boolean): PodDemand[] {
    return services.map((service) => ({
        what: service.name,
        pods: peakPods(service),
        ...request(service.resources.requests.cpu, service.resources.requests.memory),
        group: service.kind === "StatefulSet" && statefulPool ? "stateful" : "general",
    }));
}

/** The add-ons that run on workers, with the requests their values set (control-plane add-ons are left out). */
export function platformDemand(profile: Pick<EnvironmentProfile, "highAvailabilityReplicas" | "databaseOperatorReplicas">, routedHosts: number): PodDemand[] {
    // The platform runs Envoy and cert-manager at the profile's highAvailabilityReplicas (platform/index.ts).
    const replicas = profile.highAvailabilityReplicas;
    const requests = (resources: { requests: { cpu: string; memory: string } }) => request(resources.requests.cpu, resources.requests.memory);
    const general = (what: string, pods: number, each: { cpu: number; memory: number }): PodDemand => ({ what, pods, ...each, group: "general" });
    const proxy = requests(ENVOY_PROXY_RESOURCES);
    // Envoy Gateway's shutdown-manager sidecar: 10m / 32Mi by default (api/v1alpha1/shared_types.go v1.9.0).
    const shutdownManager = request("10m", "32Mi");
    return [
        general("envoy proxies", replicas, { cpu: proxy.cpu + shutdownManager.cpu, memory: proxy.memory + shutdownManager.memory }),
        general("envoy-gateway", replicas, requests(ENVOY_GATEWAY_RESOURCES)),
        general("cert-manager", replicas, requests(CERT_MANAGER_RESOURCES.controller)),
        general("cert-manager-webhook", replicas, requests(CERT_MANAGER_RESOURCES.webhook)),
        // The chart's cainjector.replicaCount default.
        general("cert-manager-cainjector", 1, requests(CERT_MANAGER_RESOURCES.cainjector)),
        // kubeadm's CoreDNS: 2 replicas of 100m / 70Mi (cmd/kubeadm/app/phases/addons/dns/manifests.go).
        general("coredns", 2, request("100m", "70Mi")),
        // One HTTP-01 solver per certificate being issued, all at once on a first install: cert-manager's
        // --acme-http01-solver-resource-request-cpu/memory defaults, 10m / 64Mi.
        general("acme solvers", routedHosts, request("10m", "64Mi")),
        // The data operators set no node selector: they run on the general workers (the stateful pool is tainted).
        general("cloudnative-pg operator", profile.databaseOperatorReplicas, requests(CNPG_OPERATOR_RESOURCES)),
        general("rabbitmq cluster operator", RABBITMQ_CLUSTER_OPERATOR.operatorPod.replicas, requests(RABBITMQ_CLUSTER_OPERATOR.operatorPod)),
        // What the vendored manifest the program applies asks for.
        ...manifestDeployments(topologyOperatorObjects(topologyOperatorManifest())).map((deployment) =>
            general(deployment.what, deployment.replicas, requestsOf(deployment.containerResources)),
        ),
        // Alertmanager (at the profile's replicas, as platform/index.ts runs it), Grafana, the Prometheus Operator,
        // kube-state-metrics and Loki (Prometheus runs on the control plane).
        ...observabilityWorkerDemand(replicas, quantity).map((demand) => ({ ...demand, group: "general" as const })),
    ];
}

export interface WorkerGroup {
    group: PoolRole;
    /** Per node: CPU in cores and memory in bytes left for pods (after eviction reserve and DaemonSets). */
    nodes: { name: string; cpu: number; memory: number }[];
    /** What the DaemonSets landing on this group take from each of its nodes. */
    daemonSets: { cpu: number; memory: number };
}

/** The requests per node of the DaemonSets that land on a group. */
export function daemonSetsPerNode(daemonSets: readonly DaemonSetShare[], group: WorkerGroup["group"]): { cpu: number; memory: number } {
    const landing = daemonSets.filter((share) => share[group]);
    return { cpu: landing.reduce((sum, share) => sum + share.cpu, 0), memory: landing.reduce((sum, share) => sum + share.memory, 0) };
}

/** The worker groups of a stack, each node sized from its flavor less what the DaemonSets on it request. */
export function workerGroups(config: Pick<StackConfig, "cluster" | "site">, daemonSets: readonly DaemonSetShare[]): WorkerGroup[] {
    const statefulPool = hasStatefulPool(config);
    const groups: WorkerGroup[] = (["general", "stateful"] as const).map((group) => ({ group, nodes: [], daemonSets: daemonSetsPerNode(daemonSets, group) }));
    for (const pool of config.cluster.workerPools) {
        const flavor = pool.flavor ?? config.site.flavors.worker;
        const size = config.site.flavorSizes[flavor];
        const target = groups.find((entry) => entry.group === (statefulPool && pool.role === "stateful" ? "stateful" : "general"))!;
        for (let index = 1; index <= pool.count; index++) {
            target.nodes.push({
                name: `${pool.name}-${index} (${flavor})`,
                cpu: size.vcpus - target.daemonSets.cpu,
                memory: size.ramMiB * 2 ** 20 - EVICTION_RESERVE - target.daemonSets.memory,
            });
        }
    }
    return groups.filter((entry) => entry.nodes.length > 0);
}

export interface GroupCapacity {
    group: PoolRole;
    nodes: number;
    /** How many of the largest nodes the check took down. */
    tolerance: number;
    /** Requests per node of the DaemonSets on the group, already taken from `available`. */
    daemonSets: { cpu: number; memory: number };
    /** What the nodes but the largest offer. */
    available: { cpu: number; memory: number };
    requested: { cpu: number; memory: number };
    /** available - requested; negative when short. */
    headroom: { cpu: number; memory: number };
    /** Demands whose single pod is larger than the smallest node. */
    oversized: string[];
}

/**
 * N-k capacity of each group: the nodes minus the k largest (k = cluster.workerLossTolerance, 1 unless a stack
 * accepts an outage on a lost worker) against the peak requests of what lands there. CPU and memory each drop their
 * own k largest, which is never kinder than dropping k whole nodes.
 */
export function capacityCheck(groups: readonly WorkerGroup[], demands: readonly PodDemand[], tolerance = 1): GroupCapacity[] {
    return groups.map(({ group, nodes, daemonSets }) => {
        const survivors = (pick: (node: WorkerGroup["nodes"][number]) => number) =>
            nodes
                .map(pick)
                .sort((a, b) => a - b)
                .slice(0, Math.max(0, nodes.length - tolerance))
                .reduce((sum, value) => sum + value, 0);
        const available = { cpu: survivors((n) => n.cpu), memory: survivors((n) => n.memory) };
        const mine = demands.filter((demand) => demand.group === group);
        const requested = {
            cpu: mine.reduce((sum, demand) => sum + demand.pods * demand.cpu, 0),
            memory: mine.reduce((sum, demand) => sum + demand.pods * demand.memory, 0),
        };
        const smallest = { cpu: Math.min(...nodes.map((n) => n.cpu)), memory: Math.min(...nodes.map((n) => n.memory)) };
        return {
            group,
            nodes: nodes.length,
            tolerance,
            daemonSets,
            available,
            requested,
            headroom: { cpu: available.cpu - requested.cpu, memory: available.memory - requested.memory },
            oversized: mine.filter((demand) => demand.cpu > smallest.cpu || demand.memory > smallest.memory).map((demand) => demand.what),
        };
    });
}

const cores = (value: number) => `${(Math.round(value * 1000) / 1000).toString()} CPU`;
const gib = (value: number) => `${(Math.round((value / 2 ** 30) * 100) / 100).toString()} GiB`;

const mib = (value: number) => `${Math.round(value / 2 ** 20).toString()} MiB`;

/**
 * The plan's lines: per group, what the workers but the largest offer (after the DaemonSets' requests), what is asked
 * at peak, and the headroom or the shortfall; then the releases whose DaemonSets the check could not read.
 */
export function capacityLines(results: readonly GroupCapacity[], unknownDaemonSets: readonly string[] = []): string[] {
    const lines = results.map((result) => {
        const down = result.tolerance === 0 ? "all up: cluster.workerLossTolerance 0" : result.tolerance === 1 ? "largest down" : `${result.tolerance} largest down`;
        const base = `${result.group} workers (${result.nodes}, ${down}, DaemonSets ${cores(result.daemonSets.cpu)} / ${mib(result.daemonSets.memory)} per node): ${cores(result.available.cpu)} / ${gib(result.available.memory)} for ${cores(result.requested.cpu)} / ${gib(result.requested.memory)} requested at peak`;
        const short = [result.headroom.cpu < 0 ? cores(-result.headroom.cpu) : undefined, result.headroom.memory < 0 ? gib(-result.headroom.memory) : undefined].filter(Boolean);
        const verdict = short.length > 0 ? `DOES NOT FIT: short by ${short.join(" and ")}` : `fits, headroom ${cores(result.headroom.cpu)} / ${gib(result.headroom.memory)}`;
        const oversized = result.oversized.length > 0 ? `; larger than a node: ${result.oversized.join(", ")}` : "";
        return `${base}: ${verdict}${oversized}`;
    });
    return unknownDaemonSets.length > 0
        ? [...lines, `UNCHECKED: the DaemonSets of ${unknownDaemonSets.join(", ")} are unknown to components/kubernetes/daemonsets.ts; the headroom above leaves them out`]
        : lines;
}

/** The whole check for a stack: its workers less its DaemonSets, its services at peak, the add-ons on workers. */
export function stackCapacity(
    config: StackConfig,
    profile: Pick<EnvironmentProfile, "highAvailabilityReplicas" | "databaseOperatorReplicas">,
    services: readonly ResolvedService[],
    daemonSets: readonly DaemonSetShare[],
): GroupCapacity[] {
    // Grafana's listener is routed too, and gets its certificate the same way.
    const routed = services.filter((service) => service.ingress).length + 1;
    const demands = [...serviceDemand(services, hasStatefulPool(config)), ...platformDemand(profile, routed)];
    return capacityCheck(workerGroups(config, daemonSets), demands, config.cluster.workerLossTolerance);
}
