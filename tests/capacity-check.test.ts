/**
 * The plan's capacity check (components/kubernetes/capacity.ts) on small worker groups and demands written here,
 * the arithmetic done by hand in the comments: N-k survivors per resource, what lands on each group, pods larger
 * than a node, and the lines the plan prints. tests/capacity.test.ts checks the committed stacks end to end.
 */
import { environmentProfile } from "../components/config/profile";
import type { StackConfig } from "../components/config/schema";
import { serviceSchema, type ServiceInput } from "../components/config/service-schema";
import {
    capacityCheck,
    capacityLines,
    daemonSetsPerNode,
    type GroupCapacity,
    type PodDemand,
    platformDemand,
    serviceDemand,
    stackCapacity,
    type WorkerGroup,
    workerGroups,
} from "../components/kubernetes/capacity";
import type { DaemonSetShare } from "../components/kubernetes/daemonsets";
import { type ResolvedService, resolveService } from "../components/kubernetes/service-defaults";

const Mi = 2 ** 20;
const Gi = 2 ** 30;

const resolve = (entry: Omit<ServiceInput, "image" | "domain">): ResolvedService =>
    resolveService(serviceSchema.parse({ domain: "science", image: { repository: "registry.example.org/svom/app", tag: "1.0.0" }, ...entry }), undefined, environmentProfile("prod"));

const DAEMON_SETS: DaemonSetShare[] = [
    { what: "calico-node", cpu: 0.25, memory: 256 * Mi, general: true, stateful: true, source: "test" },
    { what: "log-agent", cpu: 0.1, memory: 128 * Mi, general: true, stateful: false, source: "test" },
    { what: "control-plane-only", cpu: 1, memory: Gi, general: false, stateful: false, source: "test" },
];

type Pool = { name: string; count: number; flavor?: string; role: "general" | "stateful" };
/** The parts of a stack's config workerGroups reads: the pools, the site's worker flavor and the flavors' sizes. */
const stack = (pools: Pool[], workerLossTolerance = 1) =>
    ({
        cluster: { workerPools: pools.map((pool) => ({ dataVolumeSize: 10, ...pool })), workerLossTolerance },
        site: {
            flavors: { bastion: "m1.small", controlPlane: "m1.large", worker: "m1.large" },
            flavorSizes: { "m1.large": { vcpus: 4, ramMiB: 8192 }, "m1.xlarge": { vcpus: 8, ramMiB: 16384 } },
        },
    }) as unknown as StackConfig;

describe("daemonSetsPerNode", () => {
    it("sums the requests of the DaemonSets that land on a group", () => {
        const general = daemonSetsPerNode(DAEMON_SETS, "general");
        expect(general.cpu).toBeCloseTo(0.35, 10);
        expect(general.memory).toBe(384 * Mi);
        expect(daemonSetsPerNode(DAEMON_SETS, "stateful")).toEqual({ cpu: 0.25, memory: 256 * Mi });
        expect(daemonSetsPerNode([], "general")).toEqual({ cpu: 0, memory: 0 });
    });
});

describe("workerGroups", () => {
    it("sizes each worker from its flavor, less the eviction reserve (100Mi) and its group's DaemonSets", () => {
        const groups = workerGroups(
            stack([
                { name: "general", count: 2, role: "general" },
                { name: "big", count: 1, flavor: "m1.xlarge", role: "general" },
                { name: "db", count: 1, role: "stateful" },
            ]),
            DAEMON_SETS,
        );
        expect(groups.map((group) => [group.group, group.nodes.map((node) => node.name)])).toEqual([
            ["general", ["general-1 (m1.large)", "general-2 (m1.large)", "big-1 (m1.xlarge)"]],
            ["stateful", ["db-1 (m1.large)"]],
        ]);
        const [general, stateful] = groups;
        // 4 vCPUs - 0.35; 8192 MiB - 100 - 384
        expect(general.nodes[0].cpu).toBeCloseTo(3.65, 10);
        expect(general.nodes[0].memory).toBe(7708 * Mi);
        // 8 vCPUs - 0.35; 16384 MiB - 100 - 384
        expect(general.nodes[2].cpu).toBeCloseTo(7.65, 10);
        expect(general.nodes[2].memory).toBe(15900 * Mi);
        // 4 - 0.25; 8192 - 100 - 256
        expect(stateful.nodes[0]).toEqual({ name: "db-1 (m1.large)", cpu: 3.75, memory: 7836 * Mi });
        expect(stateful.daemonSets).toEqual({ cpu: 0.25, memory: 256 * Mi });
    });

    it("counts a stateful pool of no node as no pool: every worker is general, and no empty group is listed", () => {
        const groups = workerGroups(
            stack([
                { name: "general", count: 1, role: "general" },
                { name: "db", count: 0, role: "stateful" },
            ]),
            DAEMON_SETS,
        );
        expect(groups.map((group) => [group.group, group.nodes.map((node) => node.name)])).toEqual([["general", ["general-1 (m1.large)"]]]);
    });
});

describe("serviceDemand", () => {
    it("counts each service at its peak with its requests, StatefulSets on the stateful pool where there is one", () => {
        const web = resolve({ name: "web", replicas: 2, autoscaling: { maxReplicas: 4 }, resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } } });
        const store = resolve({ name: "store", replicas: 3, storage: { size: "10Gi", mountPath: "/data" }, resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } } });
        expect(serviceDemand([web, store], true)).toEqual([
            // 4 at the autoscaler's maximum + 1 surge pod
            { what: "web", pods: 5, cpu: 0.25, memory: 256 * Mi, group: "general" },
            { what: "store", pods: 3, cpu: 1, memory: 2 * Gi, group: "stateful" },
        ]);
        expect(serviceDemand([store], false)).toEqual([{ what: "store", pods: 3, cpu: 1, memory: 2 * Gi, group: "general" }]);
    });
});

describe("platformDemand", () => {
    it("counts the add-ons on the workers at the profile's replicas, one ACME solver a routed host, all on the general workers", () => {
        const demands = platformDemand({ highAvailabilityReplicas: 3, databaseOperatorReplicas: 5 }, 4);
        const of = (what: string) => demands.find((demand) => demand.what === what);
        // Envoy's proxy (100m / 128Mi) and its shutdown-manager sidecar (10m / 32Mi).
        expect(of("envoy proxies")?.pods).toBe(3);
        expect(of("envoy proxies")?.cpu).toBeCloseTo(0.11, 10);
        expect(of("envoy proxies")?.memory).toBe(160 * Mi);
        expect(of("envoy-gateway")).toEqual({ what: "envoy-gateway", pods: 3, cpu: 0.1, memory: 256 * Mi, group: "general" });
        expect(of("cert-manager")).toEqual({ what: "cert-manager", pods: 3, cpu: 0.01, memory: 64 * Mi, group: "general" });
        expect(of("cert-manager-webhook")).toEqual({ what: "cert-manager-webhook", pods: 3, cpu: 0.01, memory: 32 * Mi, group: "general" });
        expect(of("cert-manager-cainjector")).toEqual({ what: "cert-manager-cainjector", pods: 1, cpu: 0.01, memory: 64 * Mi, group: "general" });
        expect(of("coredns")).toEqual({ what: "coredns", pods: 2, cpu: 0.1, memory: 70 * Mi, group: "general" });
        expect(of("acme solvers")).toEqual({ what: "acme solvers", pods: 4, cpu: 0.01, memory: 64 * Mi, group: "general" });
        expect(of("cloudnative-pg operator")).toEqual({ what: "cloudnative-pg operator", pods: 5, cpu: 0.1, memory: 200 * Mi, group: "general" });
        expect(of("rabbitmq cluster operator")?.pods).toBeGreaterThanOrEqual(1);
        expect(demands.every((demand) => demand.group === "general")).toBe(true);
        expect(demands.every((demand) => demand.cpu > 0 && demand.memory > 0 && demand.pods > 0)).toBe(true);
    });
});

describe("capacityCheck", () => {
    // Three general workers (4 / 8Gi, 2 / 16Gi, 3 / 4Gi), CPU and memory each losing their own largest.
    const GROUP: WorkerGroup = {
        group: "general",
        nodes: [
            { name: "a", cpu: 4, memory: 8 * Gi },
            { name: "b", cpu: 2, memory: 16 * Gi },
            { name: "c", cpu: 3, memory: 4 * Gi },
        ],
        daemonSets: { cpu: 0.35, memory: 384 * Mi },
    };
    const DEMANDS: PodDemand[] = [
        { what: "web", pods: 3, cpu: 0.5, memory: Gi, group: "general" },
        // 3.5 cores: more than the smallest worker's 2.
        { what: "solver", pods: 1, cpu: 3.5, memory: Gi, group: "general" },
        // On the other group: not counted here.
        { what: "store", pods: 2, cpu: 1, memory: 2 * Gi, group: "stateful" },
    ];

    it("sets the workers but the largest against the peak requests of what lands on the group", () => {
        expect(capacityCheck([GROUP], DEMANDS)).toEqual([
            {
                group: "general",
                nodes: 3,
                tolerance: 1,
                daemonSets: { cpu: 0.35, memory: 384 * Mi },
                // CPU without the 4: 2 + 3; memory without the 16Gi: 8 + 4
                available: { cpu: 5, memory: 12 * Gi },
                // 3 x 0.5 + 3.5; 3 x 1Gi + 1Gi
                requested: { cpu: 5, memory: 4 * Gi },
                headroom: { cpu: 0, memory: 8 * Gi },
                oversized: ["solver"],
            },
        ]);
    });

    it("takes down as many of the largest as the stack tolerates, and never fewer than none", () => {
        const available = (tolerance: number) => capacityCheck([GROUP], DEMANDS, tolerance)[0].available;
        expect(available(0)).toEqual({ cpu: 9, memory: 28 * Gi });
        expect(available(2)).toEqual({ cpu: 2, memory: 4 * Gi });
        expect(available(3)).toEqual({ cpu: 0, memory: 0 });
        expect(available(5)).toEqual({ cpu: 0, memory: 0 });
    });

    it("calls a pod larger than the smallest worker in memory oversized too", () => {
        const big: PodDemand = { what: "cache", pods: 1, cpu: 0.1, memory: 5 * Gi, group: "general" };
        expect(capacityCheck([GROUP], [big])[0].oversized).toEqual(["cache"]);
        const fits: PodDemand = { what: "cache", pods: 1, cpu: 2, memory: 4 * Gi, group: "general" };
        expect(capacityCheck([GROUP], [fits])[0].oversized).toEqual([]);
    });
});

describe("capacityLines", () => {
    const result = (change: Partial<GroupCapacity> = {}): GroupCapacity => ({
        group: "general",
        nodes: 3,
        tolerance: 1,
        daemonSets: { cpu: 0.35, memory: 384 * Mi },
        available: { cpu: 5, memory: 12 * Gi },
        requested: { cpu: 3.75, memory: 4.5 * Gi },
        headroom: { cpu: 1.25, memory: 7.5 * Gi },
        oversized: [],
        ...change,
    });

    it("prints the offer, the peak, and the headroom of a group that fits", () => {
        expect(capacityLines([result()])).toEqual([
            "general workers (3, largest down, DaemonSets 0.35 CPU / 384 MiB per node): 5 CPU / 12 GiB for 3.75 CPU / 4.5 GiB requested at peak: fits, headroom 1.25 CPU / 7.5 GiB",
        ]);
    });

    it("prints the shortfall of a group that does not fit, CPU, memory or both, and the pods larger than a node", () => {
        expect(capacityLines([result({ headroom: { cpu: -1.25, memory: 2 * Gi } })])[0]).toMatch(/: DOES NOT FIT: short by 1\.25 CPU$/);
        expect(capacityLines([result({ headroom: { cpu: 1, memory: -0.5 * Gi } })])[0]).toMatch(/: DOES NOT FIT: short by 0\.5 GiB$/);
        expect(capacityLines([result({ headroom: { cpu: -2, memory: -1.25 * Gi }, oversized: ["solver", "cache"] })])[0]).toMatch(
            /: DOES NOT FIT: short by 2 CPU and 1\.25 GiB; larger than a node: solver, cache$/,
        );
        expect(capacityLines([result({ oversized: ["solver"] })])[0]).toMatch(/: fits, headroom 1\.25 CPU \/ 7\.5 GiB; larger than a node: solver$/);
    });

    it("says how many workers it took down", () => {
        expect(capacityLines([result({ tolerance: 0 })])[0]).toMatch(/^general workers \(3, all up: cluster\.workerLossTolerance 0, /);
        expect(capacityLines([result({ tolerance: 2, group: "stateful" })])[0]).toMatch(/^stateful workers \(3, 2 largest down, /);
    });

    it("rounds CPU to the millicore, memory to the hundredth of a GiB and the DaemonSets to the MiB", () => {
        const line = capacityLines([result({ daemonSets: { cpu: 0.12345, memory: 100.4 * Mi }, available: { cpu: 2.0004, memory: 1.23456 * Gi } })])[0];
        expect(line).toMatch(/^general workers \(3, largest down, DaemonSets 0\.123 CPU \/ 100 MiB per node\): 2 CPU \/ 1\.23 GiB for /);
    });

    it("names the releases whose DaemonSets it could not read, after the groups", () => {
        const lines = capacityLines([result()], ["falco", "kured"]);
        expect(lines).toHaveLength(2);
        expect(lines[1]).toBe("UNCHECKED: the DaemonSets of falco, kured are unknown to components/kubernetes/daemonsets.ts; the headroom above leaves them out");
        expect(capacityLines([result()], [])).toHaveLength(1);
    });
});

describe("stackCapacity", () => {
    const pools: Pool[] = [
        { name: "general", count: 3, role: "general" },
        { name: "db", count: 2, role: "stateful" },
    ];
    const profile = { highAvailabilityReplicas: 2, databaseOperatorReplicas: 2 };
    const web = (ingress: boolean) =>
        resolve({ name: "web", replicas: 2, ports: [{ name: "http", port: 80 }], ...(ingress ? { ingress: { host: "web.example.org", port: "http" } } : {}) });
    const store = resolve({ name: "store", replicas: 2, storage: { size: "10Gi", mountPath: "/data" }, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } });

    it("puts the StatefulSets alone on the stateful workers, with the stack's tolerance", () => {
        const results = stackCapacity(stack(pools, 0), profile, [web(false), store], DAEMON_SETS);
        expect(results.map((r) => [r.group, r.nodes, r.tolerance])).toEqual([
            ["general", 3, 0],
            ["stateful", 2, 0],
        ]);
        expect(results[1].requested).toEqual({ cpu: 2, memory: 2 * Gi });
    });

    it("counts one more ACME solver (10m / 64Mi) for a routed service", () => {
        const general = (ingress: boolean) => stackCapacity(stack(pools), profile, [web(ingress), store], DAEMON_SETS)[0].requested;
        expect(general(true).cpu - general(false).cpu).toBeCloseTo(0.01, 10);
        expect(general(true).memory - general(false).memory).toBe(64 * Mi);
    });
});
