/**
 * A domain's namespace, default-deny policy, quota and container defaults (components/kubernetes/domain-manifests.ts),
 * called directly, the quota worked out by hand in the comments. Quantities are Kubernetes' (resource.Quantity:
 * decimal `m` = 1/1000, binary Ki/Mi/Gi/Ti = 2^10.. 2^40), the labels Pod Security Admission's
 * (kubernetes.io/docs/concepts/security/pod-security-admission: pod-security.kubernetes.io/<mode>[-version]).
 */
import { environmentProfile } from "../components/config/profile";
import { serviceSchema, type ServiceInput } from "../components/config/service-schema";
import { domainManifests, peakPods, quantity, TRANSIENT_PODS } from "../components/kubernetes/domain-manifests";
import { type ResolvedService, resolveService } from "../components/kubernetes/service-defaults";

const resolve = (entry: Omit<ServiceInput, "image" | "domain">): ResolvedService =>
    resolveService(serviceSchema.parse({ domain: "science", image: { repository: "registry.example.org/svom/app", tag: "1.0.0" }, ...entry }), undefined, environmentProfile("prod"));

describe("quantity", () => {
    it.each([
        ["250m", 0.25],
        ["2", 2],
        ["1.5", 1.5],
        ["1Ki", 1024],
        ["512Mi", 536870912],
        ["2Gi", 2147483648],
        ["1Ti", 1099511627776],
    ])("reads %s as %d", (text, value) => {
        expect(quantity(text)).toBe(value);
    });

    it.each(["", "abc", "5x", "1 Gi", "1Gi ", "-1", "1Gib"])("refuses %j, naming it", (text) => {
        expect(() => quantity(text)).toThrow(`not a quantity: ${text}`);
    });
});

describe("peakPods", () => {
    it("counts a Deployment's replicas plus its rolling update's surge pod", () => {
        expect(peakPods(resolve({ name: "a", replicas: 3 }))).toBe(4);
    });

    it("counts the autoscaler's maximum when it is above the replicas, and the replicas when they are above it", () => {
        expect(peakPods(resolve({ name: "a", replicas: 2, autoscaling: { maxReplicas: 6 } }))).toBe(7);
        expect(peakPods(resolve({ name: "a", replicas: 5, autoscaling: { maxReplicas: 3 } }))).toBe(6);
    });

    it("adds no surge pod to a StatefulSet, which deletes a pod before replacing it", () => {
        expect(peakPods(resolve({ name: "s", replicas: 3, storage: { size: "10Gi", mountPath: "/data" } }))).toBe(3);
    });

    it("leaves room for one pod made by hand", () => {
        expect(TRANSIENT_PODS).toBe(1);
    });
});

describe("domainManifests", () => {
    const services = () => [
        // Deployment, 2 replicas up to 4 by the autoscaler: 4 + 1 surge = 5 pods at 250m/256Mi, at most 1/512Mi.
        resolve({
            name: "web",
            replicas: 2,
            autoscaling: { maxReplicas: 4 },
            resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        }),
        // StatefulSet, 3 replicas, no surge: 3 pods at the defaults 100m/128Mi, at most 500m/256Mi; 3 claims.
        resolve({ name: "store", replicas: 3, storage: { size: "10Gi", mountPath: "/data" } }),
        // Deployment, the prod minimum of 2 + 1 surge = 3 pods at 1/1Gi, a memory limit only (the CPU limit counts as the default 500m).
        resolve({ name: "batch", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } }),
    ];

    it("holds every service at its peak mid-rollout, plus one pod made by hand at the defaults, and twice the claims", () => {
        expect(domainManifests("fsgs-science", services()).resourceQuota).toEqual({
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: { name: "domain-quota", namespace: "fsgs-science" },
            spec: {
                hard: {
                    // 5 x 250m + 3 x 100m + 3 x 1 + 100m = 4.65 cores
                    "requests.cpu": "4650m",
                    // 5 x 256 + 3 x 128 + 3 x 1024 + 128 = 4864 Mi
                    "requests.memory": "4864Mi",
                    // 5 x 1 + 3 x 500m + 3 x 500m + 500m = 8.5 cores
                    "limits.cpu": "8500m",
                    // 5 x 512 + 3 x 256 + 3 x 1024 + 256 = 6656 Mi
                    "limits.memory": "6656Mi",
                    // 5 + 3 + 3 + 1
                    pods: "12",
                    // 2 x 3 replicas of the StatefulSet
                    persistentvolumeclaims: "6",
                },
            },
        });
    });

    it("rounds CPU up to the millicore and memory up to the MiB, never below what the pods need", () => {
        const odd = resolve({ name: "odd", replicas: 2, resources: { requests: { cpu: "0.0015", memory: "1000Ki" }, limits: { cpu: "1", memory: "1000Ki" } } });
        const hard = domainManifests("fsgs-science", [odd]).resourceQuota.spec.hard as Record<string, string>;
        // 3 x 1.5m + 100m = 104.5m; 3 x 1000 KiB + 128 MiB = 130.93 MiB
        expect(hard["requests.cpu"]).toBe("105m");
        expect(hard["requests.memory"]).toBe("131Mi");
        // 3 x 1000 KiB + 256 MiB = 258.93 MiB
        expect(hard["limits.memory"]).toBe("259Mi");
    });

    it("leaves room for the pod made by hand alone in an empty domain", () => {
        expect(domainManifests("fsgs-empty", []).resourceQuota.spec.hard).toEqual({
            "requests.cpu": "100m",
            "requests.memory": "128Mi",
            "limits.cpu": "500m",
            "limits.memory": "256Mi",
            pods: "1",
            persistentvolumeclaims: "0",
        });
    });

    it("enforces, audits and warns at the restricted Pod Security level", () => {
        expect(domainManifests("fsgs-science", []).namespace).toEqual({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
                name: "fsgs-science",
                labels: {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "app.kubernetes.io/part-of": "svom-fsgs",
                },
            },
        });
    });

    it("denies everything in and out of every pod of the namespace unless a service's own policy opens it", () => {
        expect(domainManifests("fsgs-science", services()).defaultDeny).toEqual({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny", namespace: "fsgs-science" },
            // The empty podSelector selects every pod of the namespace: that is what makes it a default.
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        });
    });

    it("gives a container without resources 100m/128Mi requested and 500m/256Mi at most", () => {
        expect(domainManifests("fsgs-science", []).limitRange).toEqual({
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: { name: "container-defaults", namespace: "fsgs-science" },
            spec: { limits: [{ type: "Container", defaultRequest: { cpu: "100m", memory: "128Mi" }, default: { cpu: "500m", memory: "256Mi" } }] },
        });
    });
});
