import { manifestsOf } from "./support/service-manifests";
import { STACKS, type StackName } from "./support/stack-config";

/** Kubernetes quantities, parsed here on their own (resource.Quantity: decimal `m`, binary Ki/Mi/Gi). */
function amount(text: string): number {
    const match = /^([0-9.]+)(m|Ki|Mi|Gi)?$/.exec(text);
    if (!match) {
        throw new Error(`quantity ${text}`);
    }
    const factor = { m: 0.001, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] ?? ""] ?? 1;
    return Number(match[1]) * factor;
}

type Demand = Record<"pods" | "requests.cpu" | "requests.memory" | "limits.cpu" | "limits.memory", number>;

/**
 * What a namespace holds at its worst moment, from its rendered objects: every autoscaler at its maximum (else the
 * workload's replicas), every Deployment mid-rollout with its surge pod (maxSurge from its strategy), and one pod
 * created by hand that the LimitRange fills in.
 */
function peakDemand(objects: Record<string, any>[]): Demand {
    const demand: Demand = { pods: 0, "requests.cpu": 0, "requests.memory": 0, "limits.cpu": 0, "limits.memory": 0 };
    const add = (count: number, resources: { requests: Record<string, string>; limits: Record<string, string> }) => {
        demand["requests.cpu"] += count * amount(resources.requests.cpu);
        demand["requests.memory"] += count * amount(resources.requests.memory);
        demand["limits.cpu"] += count * amount(resources.limits.cpu);
        demand["limits.memory"] += count * amount(resources.limits.memory);
    };
    for (const workload of objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")) {
        const hpa = objects.find((o) => o.kind === "HorizontalPodAutoscaler" && o.spec.scaleTargetRef.name === workload.metadata.name);
        const peak = hpa ? hpa.spec.maxReplicas : workload.spec.replicas;
        const surge = workload.kind === "Deployment" ? workload.spec.strategy.rollingUpdate.maxSurge : 0;
        for (const container of workload.spec.template.spec.containers) {
            add(peak + surge, container.resources);
        }
        demand.pods += peak + surge;
    }
    const [limitRange] = objects.filter((o) => o.kind === "LimitRange");
    const defaults = limitRange.spec.limits[0];
    add(1, { requests: defaults.defaultRequest, limits: defaults.default });
    demand.pods += 1;
    return demand;
}

/** Each quota line the peak does not fit in, with the amount missing. */
function shortfalls(hard: Record<string, string>, demand: Demand): string[] {
    return (Object.keys(demand) as (keyof Demand)[])
        .filter((key) => amount(hard[key]) + 1e-9 < demand[key])
        .map((key) => `${key}: quota ${hard[key]}, peak ${key.endsWith("cpu") ? `${Math.round(demand[key] * 1000)}m` : key.endsWith("memory") ? `${demand[key] / 2 ** 20}Mi` : demand[key]}`);
}

const byNamespace = (stack: StackName) => {
    const manifests = manifestsOf(stack);
    const namespaces = manifests.filter((m) => m.kind === "Namespace").map((m) => m.metadata.name as string);
    return namespaces.map((namespace) => ({ namespace, objects: manifests.filter((m) => m.metadata.namespace === namespace) }));
};

describe.each(STACKS)("the quotas of %s", (stack) => {
    // Rendered in the test, not to name one test per namespace: what a describe body renders runs for every mutant
    // of mutation testing (tests/mutation/), whose per-test coverage only sees what tests render.
    it("hold every namespace at its peak, mid-rollout, with a pod made by hand", () => {
        const namespaces = byNamespace(stack);
        expect(namespaces.length).toBeGreaterThan(0);
        const problems = namespaces.flatMap(({ namespace, objects }) => {
            const [quota] = objects.filter((o) => o.kind === "ResourceQuota");
            return quota ? shortfalls(quota.spec.hard, peakDemand(objects)).map((line) => `${namespace}: ${line}`) : [`${namespace}: no ResourceQuota`];
        });
        expect(problems).toEqual([]);
    });
});

describe("the quota check", () => {
    it("fails prod's fsgs-programs on the old quota, sized at twice the minimum replicas", () => {
        const { objects } = byNamespace("prod").find((entry) => entry.namespace === "fsgs-programs")!;
        const [quota] = objects.filter((o) => o.kind === "ResourceQuota");
        // What the old formula gave: 2 x (2 x 250m + 2 x 250m) CPU requested, 2 x (2 x 512Mi + 2 x 512Mi) memory.
        const old = { ...quota.spec.hard, "requests.cpu": "2000m", "requests.memory": "4096Mi", "limits.cpu": "8000m", "limits.memory": "8192Mi", pods: "24" };
        // At the peak: 2 web services x (6 autoscaled + 1 surge) pods of 250m/512Mi requested, 1/1Gi limited, and the
        // LimitRange's pod (100m/128Mi, 500m/256Mi).
        expect(shortfalls(old, peakDemand(objects))).toEqual([
            "requests.cpu: quota 2000m, peak 3600m",
            `requests.memory: quota 4096Mi, peak ${14 * 512 + 128}Mi`,
            "limits.cpu: quota 8000m, peak 14500m",
            `limits.memory: quota 8192Mi, peak ${14 * 1024 + 256}Mi`,
        ]);
    });

    it("sees a quota with no room for the rollout's surge pod", () => {
        const { objects } = byNamespace("prod").find((entry) => entry.namespace === "fsgs-archive")!;
        const [quota] = objects.filter((o) => o.kind === "ResourceQuota");
        // archive-api: 4 pods at the autoscaler's maximum, 100m each, and the LimitRange's pod: 500m without the surge.
        expect(shortfalls({ ...quota.spec.hard, "requests.cpu": "500m" }, peakDemand(objects))).toEqual(["requests.cpu: quota 500m, peak 600m"]);
    });
});
