import { Namespace } from "kubernetes-models/v1/Namespace";
import { crdErrors } from "./support/crd-schemas";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Gateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { parseCatalog } from "../components/config/catalog";
import type { ServiceSpec } from "../components/config/service-schema";
import { restrictedViolations } from "../components/kubernetes/pod-security";
import { gateway, manifestsOf, resolved } from "./support/service-manifests";
import { STACKS } from "./support/stack-config";

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
    Namespace,
    LimitRange,
    ResourceQuota,
    Service,
    ServiceAccount,
    Deployment,
    StatefulSet,
    CronJob,
    HorizontalPodAutoscaler,
    Gateway,
    HTTPRoute,
    NetworkPolicy,
    PodDisruptionBudget,
};

const workloadsOf = (manifests: Record<string, any>[]) =>
    manifests.filter((manifest) => manifest.kind === "Deployment" || manifest.kind === "StatefulSet");

describe.each(STACKS)("the %s services", (stack) => {
    // Rendered in each test, so that mutation testing's per-test coverage applies (tests/mutation/).
    let manifests: Record<string, any>[];
    beforeEach(() => {
        manifests = manifestsOf(stack);
    });

    it("validate against the Kubernetes API schemas", () => {
        for (const manifest of manifests) {
            if (String(manifest.apiVersion).startsWith("postgresql.cnpg.io/") || String(manifest.apiVersion).startsWith("rabbitmq.com/")) {
                // The operator's kinds: checked against the vendored CRDs of the pinned release instead.
                expect([manifest.kind, crdErrors(manifest as never)]).toEqual([manifest.kind, []]);
                continue;
            }
            const Model = MODELS[manifest.kind];
            expect([manifest.kind, Boolean(Model)]).toEqual([manifest.kind, true]);
            expect(() => new Model(manifest).validate()).not.toThrow();
        }
    });

    it("pass the restricted Pod Security Standard, in namespaces that enforce it", () => {
        for (const workload of workloadsOf(manifests)) {
            expect([workload.metadata.name, restrictedViolations(workload.spec.template.spec)]).toEqual([workload.metadata.name, []]);
        }
        for (const namespace of manifests.filter((manifest) => manifest.kind === "Namespace")) {
            expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        }
    });

    it("run with a read-only root, no service-account token, images from the GitLab registry", () => {
        for (const workload of workloadsOf(manifests)) {
            const pod = workload.spec.template.spec;
            expect(pod.automountServiceAccountToken).toBe(false);
            expect(pod.imagePullSecrets).toEqual([{ name: "gitlab-registry" }]);
            for (const container of pod.containers) {
                expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
                expect(container.image).toMatch(/^gitlab-registry\.in2p3\.fr\/svom\/fsgs\/[^:]+:[A-Za-z0-9_.-]+$/);
                expect(container.image).not.toMatch(/:latest$/);
            }
        }
    });

    it("select every pod with a NetworkPolicy: each namespace denies ingress by default", () => {
        const databases = manifests.filter((manifest) => manifest.kind === "Cluster" || manifest.kind === "RabbitmqCluster").map((cluster) => cluster.metadata.namespace);
        const namespaces = new Set([...workloadsOf(manifests).map((workload) => workload.metadata.namespace), ...databases, gateway.namespace]);
        const defaultDenied = new Set(
            manifests
                .filter((manifest) => manifest.kind === "NetworkPolicy" && Object.keys(manifest.spec.podSelector).length === 0)
                .map((policy) => policy.metadata.namespace),
        );
        expect(defaultDenied).toEqual(namespaces);
    });

    it("give each workload its own NetworkPolicy, selecting its pods", () => {
        for (const workload of workloadsOf(manifests)) {
            const policy = manifests.find(
                (manifest) => manifest.kind === "NetworkPolicy" && manifest.metadata.name === workload.metadata.name,
            );
            expect(policy?.spec.podSelector).toEqual(workload.spec.selector);
        }
    });

    it("route every service with a host through its own HTTPS listener of the one Gateway, with a certificate", () => {
        const [gatewayObject] = manifests.filter((manifest) => manifest.kind === "Gateway");
        const routed = resolved(stack).filter((service) => service.ingress);
        expect(routed.length).toBeGreaterThan(0);
        for (const service of routed) {
            const route = manifests.find((m) => m.kind === "HTTPRoute" && m.metadata.name === service.name && m.metadata.namespace === service.namespace);
            const [parent] = route?.spec.parentRefs ?? [];
            if (!route) throw new Error(`no route for ${service.name}`);
            expect([service.name, parent?.name, parent?.namespace]).toEqual([service.name, gatewayObject.metadata.name, gatewayObject.metadata.namespace]);
            const listener = gatewayObject.spec.listeners.find((candidate: any) => candidate.name === parent.sectionName);
            expect([service.name, listener?.hostname, listener?.protocol, route.spec.hostnames]).toEqual([service.name, service.ingress!.host, "HTTPS", [service.ingress!.host]]);
            // cert-manager's gateway-shim makes a Certificate for a listener with a hostname and a Secret reference.
            expect(listener.tls.certificateRefs[0].name).toBe(`${service.name}-tls`);
            expect(listener.allowedRoutes.namespaces.selector.matchLabels).toEqual({ "kubernetes.io/metadata.name": service.namespace });
            const backend = route.spec.rules[0].backendRefs[0];
            expect(backend.port).toBe(service.ports.find((port) => port.name === service.ingress!.port)!.port);
        }
        // A trusted path in every stack: Let's Encrypt where Octavia gives the Gateway a public address, the stack's
        // own CA (whose root users trust, README "Certificates") where it has none.
        expect(gatewayObject.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe(stack === "integration" ? "fsgs-internal-ca" : "letsencrypt");
    });

    it("spread replicas across nodes", () => {
        for (const workload of workloadsOf(manifests)) {
            expect(workload.spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe("kubernetes.io/hostname");
        }
    });
});

describe("in prod", () => {
    let manifests: Record<string, any>[];
    let workloads: Record<string, any>[];
    beforeEach(() => {
        manifests = manifestsOf("prod");
        workloads = workloadsOf(manifests);
    });

    it("every workload has >= 2 replicas (or an autoscaler starting at >= 2)", () => {
        for (const workload of workloads) {
            const hpa = manifests.find((m) => m.kind === "HorizontalPodAutoscaler" && m.metadata.name === workload.metadata.name);
            const replicas = workload.spec.replicas ?? hpa?.spec.minReplicas;
            expect([workload.metadata.name, replicas >= 2]).toEqual([workload.metadata.name, true]);
        }
    });

    it("every container has both probes, and requests and limits of CPU and memory", () => {
        for (const workload of workloads) {
            for (const container of workload.spec.template.spec.containers) {
                expect(container.readinessProbe).toBeDefined();
                expect(container.livenessProbe).toBeDefined();
                expect(Object.keys(container.resources.requests).sort()).toEqual(["cpu", "memory"]);
                expect(Object.keys(container.resources.limits).sort()).toEqual(["cpu", "memory"]);
            }
        }
    });

    it("has one PodDisruptionBudget per multi-replica workload", () => {
        const budgets = manifests.filter((manifest) => manifest.kind === "PodDisruptionBudget");
        expect(budgets.map((b) => `${b.metadata.namespace}/${b.metadata.name}`).sort()).toEqual(
            workloads.map((w) => `${w.metadata.namespace}/${w.metadata.name}`).sort(),
        );
        for (const budget of budgets) {
            expect(budget.spec.maxUnavailable).toBe(1);
        }
    });

    it("keeps the volumes of stateful services when the workload goes", () => {
        const statefulSets = workloads.filter((workload) => workload.kind === "StatefulSet");
        // The database is a CloudNativePG Cluster now, the broker a RabbitmqCluster: both protected in Pulumi in prod,
        // their claims the operators'. No StatefulSet of the catalog's is left; one added gets this retention policy.
        expect(statefulSets.map((set) => set.metadata.name).sort()).toEqual([]);
        for (const set of statefulSets) {
            expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
        }
    });

    it("applies the stack's overrides", () => {
        const vhf = workloads.find((workload) => workload.metadata.name === "vhf-listener");
        expect(vhf?.spec.replicas).toBe(3);
    });
});

describe("in integration", () => {
    it("a single replica is allowed, and then no PodDisruptionBudget would block a node drain", () => {
        const manifests = manifestsOf("integration");
        const vhf = workloadsOf(manifests).find((workload) => workload.metadata.name === "vhf-listener");
        expect(vhf?.spec.replicas).toBe(1);
        expect(manifests.some((m) => m.kind === "PodDisruptionBudget" && m.metadata.name === "vhf-listener")).toBe(false);
        expect(vhf?.spec.template.spec.containers[0].image).toMatch(/:2\.5\.0-rc\.1$/);
    });
});

describe("the restricted check", () => {
    it("names what a privileged, root, host-path pod breaks", () => {
        const problems = restrictedViolations({
            hostNetwork: true,
            volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }],
            containers: [{ name: "agent", securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ["SYS_ADMIN"] } } }],
        });
        expect(problems).toEqual([
            "pod: host namespaces (hostNetwork, hostPID, hostIPC) are forbidden",
            "pod: volume docker of type hostPath is not allowed",
            "agent: privileged",
            "agent: allowPrivilegeEscalation must be false",
            "agent: runAsNonRoot must be true",
            "agent: runAsUser must not be 0",
            "agent: capabilities must drop ALL",
            "agent: capabilities SYS_ADMIN may not be added",
            "agent: seccompProfile must be RuntimeDefault or Localhost",
        ]);
    });
});

describe("the catalog", () => {
    const entry = (service: Partial<ServiceSpec> & Record<string, unknown>) =>
        `name: probe\ndomain: tests\nimage: { repository: gitlab-registry.in2p3.fr/svom/fsgs/probe, tag: "1.0" }\n${Object.entries(service)
            .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
            .join("\n")}\n`;

    it("names the file and the key of a wrong entry", () => {
        expect(() => parseCatalog([{ path: "services/probe.yaml", text: entry({ replicas: 0 }) }])).toThrow(
            "services/probe.yaml: replicas: expected a value >= 1, got 0",
        );
    });

    it("refuses the latest tag", () => {
        const text = entry({}).replace('tag: "1.0"', "tag: latest");
        expect(() => parseCatalog([{ path: "services/probe.yaml", text }])).toThrow("expected a pinned tag");
    });

    it("wants each file named after its service", () => {
        expect(() => parseCatalog([{ path: "services/other.yaml", text: entry({}) }])).toThrow("expected the file to be named after the service");
    });
});
