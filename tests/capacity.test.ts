import { parseStackConfig } from "../components/config/load";
import { capacityLines, stackCapacity } from "../components/kubernetes/capacity";
import { resolved } from "./support/service-manifests";
import { STACKS, type StackName, rawConfig } from "./support/stacks";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function capacity(stack: StackName, edit: (config: any) => void = () => undefined) {
    const raw = rawConfig(stack) as any;
    edit(raw);
    return stackCapacity(parseStackConfig(raw), resolved(stack));
}
const group = (results: ReturnType<typeof capacity>, name: string) => results.find((result) => result.group === name)!;

describe("N-1 capacity at peak", () => {
    it("fits prod's stateful pool: two of three highmem workers hold the database and the brokers", () => {
        const stateful = group(capacity("prod"), "stateful");
        // Per node: 16 vCPU - 0.25 for DaemonSets - 50m for node-exporter - 60m for Alloy and its reloader; 64 GiB -
        // 100Mi eviction reserve - 256Mi for DaemonSets - 64Mi for node-exporter - 160Mi for Alloy.
        expect(stateful.available.cpu).toBeCloseTo(2 * (16 - 0.25 - 0.05 - 0.06));
        expect(stateful.available.memory).toBe(2 * (65536 - 100 - 256 - 64 - 160) * MiB);
        // database: 3 CloudNativePG instances x 2 CPU / 8Gi (prod override), message-broker 3 x 500m / 1Gi.
        expect(stateful.requested.cpu).toBeCloseTo(3 * 2 + 3 * 0.5);
        expect(stateful.requested.memory).toBe(3 * 8 * GiB + 3 * GiB);
        expect(stateful.headroom.cpu).toBeGreaterThan(0);
    });

    it("fits prod's general pool with every autoscaler at its maximum and every Deployment surging", () => {
        const general = group(capacity("prod"), "general");
        // Services: alert-broadcaster 4 x 100m, archive-api 5 x 100m, burst-advocate-tools 3 x 250m, the two program
        // webs 7 x 250m each, monitoring-web 3 x 100m, vhf-listener 4 x 200m. Add-ons: 2 Envoy proxies (110m with the
        // shutdown manager), 2 Envoy Gateway controllers (100m), cert-manager 2 + 2 + 1 x 10m, CoreDNS 2 x 100m,
        // 6 ACME solvers x 10m (five services and Grafana). Monitoring: 2 Alertmanagers x (50m + 10m config reloader),
        // the operator 100m, kube-state-metrics 50m, Grafana 100m + 2 x 10m sidecars, Loki 250m.
        const services = 0.4 + 0.5 + 0.75 + 1.75 + 1.75 + 0.3 + 0.8;
        const addOns = 0.22 + 0.2 + 0.05 + 0.2 + 0.06;
        const monitoring = 2 * 0.06 + 0.1 + 0.05 + 0.12 + 0.25;
        expect(general.requested.cpu).toBeCloseTo(services + addOns + monitoring);
        expect(general.available.cpu).toBeCloseTo(3 * (16 - 0.25 - 0.05 - 0.06));
        expect(general.oversized).toEqual([]);
    });

    it("fits preprod, where the brokers and the database share the general workers", () => {
        const results = capacity("preprod");
        expect(results.map((result) => result.group)).toEqual(["general"]);
        expect(results[0].headroom.cpu).toBeGreaterThan(0);
        expect(results[0].headroom.memory).toBeGreaterThan(0);
    });

    it("says by how much integration's two workers fall short with one of them down", () => {
        // One m1.large left: 4 - 0.25 - 0.05 (node-exporter) - 0.06 (Alloy) CPU, 8192 - 100 - 256 - 64 - 160 MiB. At peak:
        // 7.4 CPU of services (the program webs at 7 pods each; the database one CloudNativePG instance, 250m / 1Gi),
        // 0.49 of add-ons with one replica each plus Grafana's ACME solver (10m / 64Mi), and the monitoring stack with one
        // replica each: 0.58 CPU / 1248Mi (Alertmanager 60m / 96Mi, operator 100m / 128Mi, kube-state-metrics
        // 50m / 128Mi, Grafana 120m / 384Mi, Loki 250m / 512Mi).
        expect(capacityLines(capacity("integration"))).toEqual([
            "general workers (2, largest down): 3.64 CPU / 7.43 GiB for 8.48 CPU / 16.54 GiB requested at peak: DOES NOT FIT: short by 4.84 CPU and 9.11 GiB",
        ]);
    });

    it.each(STACKS)("fails %s on workers too small for it", (stack) => {
        const results = capacity(stack, (raw) => {
            for (const size of Object.values(raw.site.flavorSizes as Record<string, { vcpus: number; ramMiB: number }>)) {
                Object.assign(size, { vcpus: 1, ramMiB: 2048 });
            }
        });
        for (const result of results) {
            expect([result.group, result.headroom.cpu < 0, result.headroom.memory < 0]).toEqual([result.group, true, true]);
        }
        if (stack === "prod") {
            // A database pod asks for 2 CPU and 8Gi: no 1-vCPU node can take it, whatever the count.
            expect(group(results, "stateful").oversized).toEqual(["database"]);
        }
        expect(capacityLines(results).every((line) => line.includes("DOES NOT FIT: short by"))).toBe(true);
    });

    it("needs the size of every worker flavor, and names the key", () => {
        expect(() => capacity("prod", (raw) => delete raw.site.flavorSizes["m1.2xlarge-highmem"])).toThrow(
            "svom-fsgs:site.flavorSizes.m1.2xlarge-highmem: expected the vcpus and ramMiB of flavor m1.2xlarge-highmem, used by cluster.workerPools[1]",
        );
    });
});
