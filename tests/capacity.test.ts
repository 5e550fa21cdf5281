import { parseStackConfig } from "../components/config/load";
import { environmentProfile } from "../components/config/profile";
import { capacityLines, platformDemand, stackCapacity } from "../components/kubernetes/capacity";
import { readDaemonSets, type RenderedObject } from "../components/kubernetes/daemonsets";
import { stackDaemonSets } from "../scripts/offline/daemonsets";
import type { Render } from "../scripts/offline/render";
import { resolved } from "./support/service-manifests";
import { STACKS, type StackName, rawConfig, renderStack } from "./support/stacks";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

const renders = {} as Record<StackName, Render>;
beforeAll(async () => {
    for (const stack of STACKS) {
        renders[stack] = await renderStack(stack);
    }
}, 120_000);

function capacity(stack: StackName, edit: (config: any) => void = () => undefined, extra: RenderedObject[] = []) {
    const raw = rawConfig(stack) as any;
    edit(raw);
    const config = parseStackConfig(raw);
    const daemonSets = stackDaemonSets([...renders[stack].resources, ...extra], config);
    return { results: stackCapacity(config, environmentProfile(config.environment), resolved(stack), daemonSets.shares), unknown: daemonSets.unknown };
}
const group = (results: ReturnType<typeof capacity>["results"], name: string) => results.find((result) => result.group === name)!;

const release = (name: string, chart: string, version: string, values: Record<string, unknown>): RenderedObject => ({
    type: "kubernetes:helm.sh/v3:Release",
    name,
    inputs: { chart, version, values },
});

describe("the DaemonSets the check reads from the rendered program", () => {
    it("are, in integration, kube-proxy, calico-node and the Cinder CSI node plugin on every worker, requesting nothing, node-exporter and Alloy with their requests, and the CCM on the control plane only", () => {
        const config = parseStackConfig(rawConfig("integration"));
        const reading = stackDaemonSets(renders.integration.resources, config);
        expect(reading.unknown).toEqual([]);
        expect(reading.shares.map((share) => [share.what, Math.round(share.cpu * 1000) / 1000, share.memory / MiB, share.general, share.stateful])).toEqual([
            ["kube-proxy", 0, 0, true, true],
            ["calico-node", 0, 0, true, true],
            // Values: cinder-csi.ts sets the plugin 20m / 64Mi, the registrar and the liveness probe 5m / 16Mi each.
            ["cinder-csi-nodeplugin", 0.03, 96, true, true],
            // observability-resources.ts: Alloy 50m / 128Mi and its config reloader 10m / 32Mi; node-exporter 50m / 64Mi.
            // Both tolerate every NoSchedule taint, the stateful pool's included.
            ["alloy", 0.06, 160, true, true],
            ["prometheus-node-exporter", 0.05, 64, true, true],
            // Values: cloud-controller-manager.ts sets 100m / 64Mi and the control-plane node selector.
            ["openstack-cloud-controller-manager", 0.1, 64, false, false],
        ]);
    });

    it("count a DaemonSet added to the program: on every worker it fits, on the stateful pool only if it tolerates the pool's taint", () => {
        const extra: RenderedObject = {
            type: "kubernetes:apps/v1:DaemonSet",
            name: "log-shipper",
            inputs: { spec: { template: { spec: { containers: [{ resources: { requests: { cpu: "100m", memory: "128Mi" } } }, { name: "no-requests" }] } } } },
        };
        const before = capacity("prod");
        const after = capacity("prod", undefined, [extra]);
        expect(group(after.results, "general").daemonSets.cpu - group(before.results, "general").daemonSets.cpu).toBeCloseTo(0.1);
        expect(group(after.results, "general").daemonSets.memory - group(before.results, "general").daemonSets.memory).toBe(128 * MiB);
        expect(group(after.results, "stateful").daemonSets).toEqual(group(before.results, "stateful").daemonSets);
        // Prod's general pool: 4 workers, 3 left with one down, each 100m and 128Mi smaller.
        expect(group(before.results, "general").available.cpu - group(after.results, "general").available.cpu).toBeCloseTo(0.3);
        expect(group(before.results, "general").available.memory - group(after.results, "general").available.memory).toBe(3 * 128 * MiB);
        expect(group(after.results, "stateful").available).toEqual(group(before.results, "stateful").available);
    });

    it("read a chart's DaemonSet requests from the values the program sets, and node-exporter once the observability add-on installs it", () => {
        const config = parseStackConfig(rawConfig("prod"));
        const reading = readDaemonSets(
            [
                release("csi", "openstack-cinder-csi", "2.36.0", { csi: { plugin: { resources: { requests: { cpu: "20m", memory: "50Mi" } } }, nodeDriverRegistrar: { resources: { requests: { cpu: "10m", memory: "20Mi" } } } } }),
                release("monitoring", "kube-prometheus-stack", "88.5.3", { "prometheus-node-exporter": { resources: { requests: { cpu: "50m", memory: "64Mi" } } } }),
            ],
            { cni: "calico", documents: [] },
        );
        expect(config.cluster.cni).toBe("calico");
        expect(reading.shares.filter((share) => share.cpu > 0).map((share) => [share.what, share.cpu, share.memory / MiB, share.general, share.stateful])).toEqual([
            ["cinder-csi-nodeplugin", 0.03, 70, true, true],
            ["prometheus-node-exporter", 0.05, 64, true, true],
        ]);
    });

    it("report a release of a chart, or a chart version, whose DaemonSets it does not know, and say so in the plan", () => {
        const { results, unknown } = capacity("integration", undefined, [release("fsgs-integration-loki", "oci://ghcr.io/grafana/loki", "6.0.0", {}), release("csi-next", "openstack-cinder-csi", "2.37.0", {})]);
        expect(unknown).toEqual(["fsgs-integration-loki (chart loki 6.0.0)", "csi-next (chart openstack-cinder-csi 2.37.0)"]);
        expect(capacityLines(results, unknown).at(-1)).toBe(
            "UNCHECKED: the DaemonSets of fsgs-integration-loki (chart loki 6.0.0), csi-next (chart openstack-cinder-csi 2.37.0) are unknown to components/kubernetes/daemonsets.ts; the headroom above leaves them out",
        );
    });
});

describe("N-1 capacity at peak", () => {
    it("fits prod's stateful pool: two of three highmem workers hold the database and the brokers", () => {
        const stateful = group(capacity("prod").results, "stateful");
        // Per node: 16 vCPU, 64 GiB less kubelet's 100Mi eviction reserve, less the DaemonSets that tolerate the pool's
        // taint: the Cinder CSI node plugin 30m / 96Mi, node-exporter 50m / 64Mi and Alloy 60m / 160Mi (with its config
        // reloader).
        expect(stateful.available.cpu).toBeCloseTo(2 * (16 - 0.03 - 0.05 - 0.06));
        expect(stateful.available.memory).toBe(2 * (65536 - 100 - 96 - 64 - 160) * MiB);
        // database: 3 CloudNativePG instances x 2 CPU / 8Gi (prod override), message-broker 3 RabbitMQ nodes x 500m / 2Gi.
        expect(stateful.requested.cpu).toBeCloseTo(3 * 2 + 3 * 0.5);
        expect(stateful.requested.memory).toBe(3 * 8 * GiB + 3 * 2 * GiB);
        expect(stateful.headroom.cpu).toBeGreaterThan(0);
    });

    it("fits prod's general pool with every autoscaler at its maximum and every Deployment surging", () => {
        const general = group(capacity("prod").results, "general");
        // Services: alert-broadcaster 4 x 100m, archive-api 5 x 100m, burst-advocate-tools 3 x 250m, the two program
        // webs 7 x 250m each, monitoring-web 3 x 100m, vhf-listener 4 x 200m. Add-ons: 2 Envoy proxies (110m with the
        // shutdown manager), 2 Envoy Gateway controllers (100m), cert-manager 2 + 2 + 1 x 10m, CoreDNS 2 x 100m,
        // 6 ACME solvers x 10m (five services and Grafana). Monitoring: 2 Alertmanagers x (50m + 10m config reloader),
        // the operator 100m, kube-state-metrics 50m, Grafana 100m + 2 x 10m sidecars, Loki 250m. Data operators:
        // CloudNativePG 2 x 100m, the RabbitMQ Cluster Operator 200m (its manager.yaml at v2.22.3), the Messaging
        // Topology Operator 300m (its manager.yaml at v1.20.1).
        const services = 0.4 + 0.5 + 0.75 + 1.75 + 1.75 + 0.3 + 0.8;
        const addOns = 0.22 + 0.2 + 0.05 + 0.2 + 0.06;
        const monitoring = 2 * 0.06 + 0.1 + 0.05 + 0.12 + 0.25;
        const dataOperators = 2 * 0.1 + 0.2 + 0.3;
        expect(general.requested.cpu).toBeCloseTo(services + addOns + monitoring + dataOperators);
        expect(general.available.cpu).toBeCloseTo(3 * (16 - 0.03 - 0.05 - 0.06));
        expect(general.oversized).toEqual([]);
    });

    it("counts the data operators on the general workers, the topology operator as its vendored manifest asks", () => {
        const operators = platformDemand({ highAvailabilityReplicas: 2, databaseOperatorReplicas: 2 }, 6).filter((demand) =>
            ["cloudnative-pg", "rabbitmq", "messaging"].some((prefix) => demand.what.startsWith(prefix)),
        );
        // CloudNativePG: the program's values; the Cluster Operator: config/manager/manager.yaml at v2.22.3; the
        // Topology Operator: the Deployment of platform/manifests/messaging-topology-operator-v1.20.1.yaml.
        expect(operators.map((demand) => [demand.what, demand.pods, demand.cpu, demand.memory / MiB, demand.group])).toEqual([
            ["cloudnative-pg operator", 2, 0.1, 200, "general"],
            ["rabbitmq cluster operator", 1, 0.2, 500, "general"],
            ["messaging-topology-operator", 1, 0.3, 128, "general"],
        ]);
    });

    it("fits preprod at peak with a worker down on four workers, and says by how much three fall short", () => {
        // Four m1.xlarge, the largest down: 3 x (8 - 0.14) CPU, 3 x (16384 - 100 - 320) MiB. Three, as the stack had
        // before the monitoring stack (observability-resources.ts) and the data operators (2 x 100m / 200Mi, 200m /
        // 500Mi, 300m / 128Mi) ran on them, leave 2 x (16384 - 100 - 320) MiB: short of memory.
        const { results } = capacity("preprod");
        expect(results.map((result) => result.group)).toEqual(["general"]);
        expect(capacityLines(results)).toEqual([
            "general workers (4, largest down, DaemonSets 0.14 CPU / 320 MiB per node): 23.58 CPU / 46.77 GiB for 12.52 CPU / 32.52 GiB requested at peak: fits, headroom 11.06 CPU / 14.25 GiB",
        ]);
        expect(capacityLines(capacity("preprod", (raw) => (raw.cluster.workerPools[0].count = 3)).results)).toEqual([
            "general workers (3, largest down, DaemonSets 0.14 CPU / 320 MiB per node): 15.72 CPU / 31.18 GiB for 12.52 CPU / 32.52 GiB requested at peak: DOES NOT FIT: short by 1.34 GiB",
        ]);
    });

    it("fits integration at peak on three workers all up, and says by how much two fall short", () => {
        // Three m1.large: 3 x (4 - 0.14) CPU, 3 x (8192 - 100 - 320) MiB: the Cinder CSI node plugin (30m / 96Mi),
        // node-exporter (50m / 64Mi) and Alloy (60m / 160Mi) on each. At peak: 6.89 CPU / 14.26 GiB of services and
        // add-ons (one RabbitMQ node of 500m / 2Gi), plus Grafana's ACME solver (10m / 64Mi), the monitoring stack
        // with one replica each: 0.58 CPU / 1248Mi (Alertmanager 60m / 96Mi, operator 100m / 128Mi, kube-state-metrics
        // 50m / 128Mi, Grafana 120m / 384Mi, Loki 250m / 512Mi), and the data operators: 0.6 CPU / 828Mi
        // (CloudNativePG 100m / 200Mi, the RabbitMQ Cluster Operator 200m / 500Mi, the Topology Operator 300m / 128Mi).
        // Two workers fall short of both.
        expect(capacityLines(capacity("integration").results)).toEqual([
            "general workers (3, all up: cluster.workerLossTolerance 0, DaemonSets 0.14 CPU / 320 MiB per node): 11.58 CPU / 22.77 GiB for 8.08 CPU / 16.35 GiB requested at peak: fits, headroom 3.5 CPU / 6.42 GiB",
        ]);
        expect(capacityLines(capacity("integration", (raw) => (raw.cluster.workerPools[0].count = 2)).results)).toEqual([
            "general workers (2, all up: cluster.workerLossTolerance 0, DaemonSets 0.14 CPU / 320 MiB per node): 7.72 CPU / 15.18 GiB for 8.08 CPU / 16.35 GiB requested at peak: DOES NOT FIT: short by 0.36 CPU and 1.17 GiB",
        ]);
    });

    it("says by how much integration would fall short if it had to survive a lost worker", () => {
        expect(capacityLines(capacity("integration", (raw) => (raw.cluster.workerLossTolerance = 1)).results)).toEqual([
            "general workers (3, largest down, DaemonSets 0.14 CPU / 320 MiB per node): 7.72 CPU / 15.18 GiB for 8.08 CPU / 16.35 GiB requested at peak: DOES NOT FIT: short by 0.36 CPU and 1.17 GiB",
        ]);
    });

    it.each(["preprod", "prod"] as const)("refuses a tolerance of 0 lost workers in %s, naming the key", (stack) => {
        expect(() => capacity(stack, (raw) => (raw.cluster.workerLossTolerance = 0))).toThrow(
            `svom-fsgs:cluster.workerLossTolerance: ${stack} needs >= 1 (its services must fit at peak with a worker down, for a drain or a failure), got 0: add workers or larger flavors instead`,
        );
    });

    it.each(STACKS)("fails %s on workers too small for it", (stack) => {
        const { results } = capacity(stack, (raw) => {
            for (const size of Object.values(raw.site.flavorSizes as Record<string, { vcpus: number; ramMiB: number }>)) {
                Object.assign(size, { vcpus: 1, ramMiB: 2048 });
            }
        });
        for (const result of results) {
            expect([result.group, result.headroom.cpu < 0, result.headroom.memory < 0]).toEqual([result.group, true, true]);
        }
        if (stack === "prod") {
            // A database pod asks for 2 CPU and 8Gi, a RabbitMQ node 2Gi: no 1-vCPU, 2 GiB node can take either, whatever the count.
            expect(group(results, "stateful").oversized).toEqual(["database", "message-broker"]);
        }
        expect(capacityLines(results).every((line) => line.includes("DOES NOT FIT: short by"))).toBe(true);
    });

    it("needs the size of every worker flavor, and names the key", () => {
        expect(() => capacity("prod", (raw) => delete raw.site.flavorSizes["m1.2xlarge-highmem"])).toThrow(
            "svom-fsgs:site.flavorSizes.m1.2xlarge-highmem: expected the vcpus and ramMiB of flavor m1.2xlarge-highmem, used by cluster.workerPools[1]",
        );
    });
});
