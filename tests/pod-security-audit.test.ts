import { POD_SECURITY_EXCEPTIONS, restrictedViolations, type PodSpecLike } from "../components/kubernetes/pod-security";
import type { Render, RenderedResource } from "../scripts/offline/render";
import { renderStack } from "./support/stacks";

/**
 * The prod Pod Security audit: every pod the program defines or configures has resources, probes where its kind
 * runs long, and the restricted profile, or runs in a namespace of the ONE exceptions list
 * (components/kubernetes/pod-security.ts), whose label says so. Pods a chart or an operator renders are audited
 * through what the program sets for them (values, spec fields); what comes from the chart's or operator's own
 * defaults is written next to each, with its source, and is not re-checked here.
 */

type Container = { name: string; resources?: { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } }; readinessProbe?: unknown; livenessProbe?: unknown };
type PodTemplate = { metadata?: unknown; spec: PodSpecLike & { containers: Container[]; initContainers?: Container[] } };

const WORKLOADS: Record<string, { longRunning: boolean; template: (spec: any) => PodTemplate }> = {
    "kubernetes:apps/v1:Deployment": { longRunning: true, template: (spec) => spec.template },
    "kubernetes:apps/v1:StatefulSet": { longRunning: true, template: (spec) => spec.template },
    "kubernetes:apps/v1:DaemonSet": { longRunning: true, template: (spec) => spec.template },
    "kubernetes:batch/v1:Job": { longRunning: false, template: (spec) => spec.template },
    "kubernetes:batch/v1:CronJob": { longRunning: false, template: (spec) => spec.jobTemplate.spec.template },
};

/** Requests (CPU and memory) and a memory limit: what the scheduler and the OOM killer need. */
function resourceProblems(where: string, resources: Container["resources"]): string[] {
    const problems: string[] = [];
    if (!resources?.requests?.cpu || !resources.requests.memory) problems.push(`${where}: no CPU and memory requests`);
    if (!resources?.limits?.memory) problems.push(`${where}: no memory limit`);
    return problems;
}

const exceptionOf = (namespace: string) => POD_SECURITY_EXCEPTIONS.find((exception) => exception.namespace === namespace);

/** The enforce level each namespace gets from the program: Namespaces it creates and NamespacePatches it applies. */
function enforcedLevels(render: Render): Map<string, string> {
    const levels = new Map<string, string>();
    for (const resource of render.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" || r.type === "kubernetes:core/v1:NamespacePatch")) {
        const metadata = resource.inputs.metadata as { name: string; labels?: Record<string, string> };
        const level = metadata.labels?.["pod-security.kubernetes.io/enforce"];
        if (level) levels.set(metadata.name, level);
    }
    return levels;
}

/** Problems of the pod templates the program writes itself (its workloads, the broker's definitions export). */
function workloadProblems(render: Render): string[] {
    const levels = enforcedLevels(render);
    const problems: string[] = [];
    for (const resource of render.resources.filter((r) => r.type in WORKLOADS)) {
        const kind = WORKLOADS[resource.type];
        const metadata = resource.inputs.metadata as { name: string; namespace: string };
        const where = `${resource.type.split(":").pop()} ${metadata.namespace}/${metadata.name}`;
        const template = kind.template(resource.inputs.spec);
        for (const container of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
            problems.push(...resourceProblems(`${where} ${container.name}`, container.resources));
        }
        if (kind.longRunning) {
            for (const container of template.spec.containers) {
                if (!container.readinessProbe || !container.livenessProbe) problems.push(`${where} ${container.name}: no readiness and liveness probes`);
            }
        }
        const exception = exceptionOf(metadata.namespace);
        if (!exception) {
            problems.push(...restrictedViolations(template.spec).map((violation) => `${where}: ${violation}`));
            if (levels.get(metadata.namespace) !== "restricted") problems.push(`${where}: namespace ${metadata.namespace} does not enforce restricted`);
        }
    }
    return problems;
}

/**
 * Each add-on the program installs: the values paths where it sets requests and limits, the namespace, and what is
 * taken from the chart or manifest (read at the pinned version). A release missing from this table fails the audit.
 */
const ADD_ONS: Record<string, { resources: string[]; probes?: string[]; namespace: string; fromChart: string }> = {
    "fsgs-prod-cert-manager": {
        resources: ["resources", "webhook.resources", "cainjector.resources", "startupapicheck.resources"],
        namespace: "cert-manager",
        fromChart: "securityContext (runAsNonRoot, RuntimeDefault seccomp) and containerSecurityContext (drop ALL, no escalation, read-only root), liveness/readiness probes: cert-manager chart v1.21.1 values.yaml",
    },
    "fsgs-prod-cinder-csi": {
        resources: ["csi.attacher.resources", "csi.provisioner.resources", "csi.snapshotter.resources", "csi.resizer.resources", "csi.livenessprobe.resources", "csi.nodeDriverRegistrar.resources", "csi.plugin.resources"],
        namespace: "kube-system",
        fromChart: "the plugin's liveness probe (templates/*plugin*.yaml, openstack-cinder-csi-2.36.0); the node plugin is privileged with hostPath: kube-system exception",
    },
    "fsgs-prod-openstack-ccm": {
        resources: ["resources"],
        // The chart's own are empty (values.yaml livenessProbe/readinessProbe {}).
        probes: ["livenessProbe", "readinessProbe"],
        namespace: "kube-system",
        fromChart: "hostNetwork (templates/daemonset.yaml, chart 2.36.0): kube-system exception; the probes are the program's values",
    },
    "fsgs-prod-cloudnative-pg": {
        resources: ["resources"],
        namespace: "cnpg-system",
        fromChart: "podSecurityContext/containerSecurityContext meeting restricted, liveness/readiness probes: cloudnative-pg chart 0.29.0 values.yaml",
    },
    "fsgs-prod-envoy-gateway": {
        resources: ["deployment.envoyGateway.resources"],
        namespace: "envoy-gateway-system",
        fromChart: "the controller's and the proxies' restricted security contexts (gateway-helm v1.9.0; internal/infrastructure/kubernetes/proxy testdata); the proxies' resources are the EnvoyProxy's (platform/envoy-gateway.ts)",
    },
    "fsgs-prod-envoy-gateway-crds": { resources: [], namespace: "envoy-gateway-system", fromChart: "CRDs only, no pod" },
    "fsgs-prod-metrics-server": {
        resources: ["resources"],
        namespace: "metrics-server",
        fromChart: "securityContext (non-root uid 1000, drop ALL, RuntimeDefault seccomp, read-only root) and probes: metrics-server chart 3.13.1 values.yaml",
    },
};

const at = (values: unknown, path: string): unknown => path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);

/** Problems of the add-ons' releases: unaudited, resources missing at a declared path, or a namespace below restricted outside the exceptions. */
function addOnProblems(render: Render): string[] {
    const levels = enforcedLevels(render);
    const problems: string[] = [];
    for (const release of render.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")) {
        const audit = ADD_ONS[release.name];
        if (!audit) {
            problems.push(`Helm release ${release.name}: not in the audit table`);
            continue;
        }
        if (release.inputs.namespace !== audit.namespace) problems.push(`Helm release ${release.name}: in ${String(release.inputs.namespace)}, audited for ${audit.namespace}`);
        for (const path of audit.probes ?? []) {
            if (at(release.inputs.values, path) === undefined) problems.push(`Helm release ${release.name} ${path}: no probe`);
        }
        for (const path of audit.resources) problems.push(...resourceProblems(`Helm release ${release.name} ${path}`, at(release.inputs.values, path) as Container["resources"]));
        if (!exceptionOf(audit.namespace) && levels.get(audit.namespace) !== "restricted") {
            problems.push(`Helm release ${release.name}: namespace ${audit.namespace} does not enforce restricted`);
        }
    }
    return problems;
}

/**
 * Pods an operator renders from a spec the program writes: the program sets their resources and keeps the
 * operator's own pod template (no override). The RabbitMQ operator's nodes run as uid 999, non-root, no escalation,
 * ALL dropped, RuntimeDefault seccomp, read-only root; a TCP readiness probe on amqp and a startup probe, and no
 * liveness probe by upstream design: a node busy recovering quorum queues must not be killed
 * (internal/resource/statefulset.go at v2.22.3; rabbitmq/cluster-operator#409). CloudNativePG's instances run
 * restricted with the instance manager's liveness, readiness and startup probes (docs "Security", v1.30).
 */
function operatorPodProblems(render: Render): string[] {
    const levels = enforcedLevels(render);
    const problems: string[] = [];
    const operated = render.resources.filter((r) => r.type === "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster" || r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster");
    for (const resource of operated) {
        const metadata = resource.inputs.metadata as { name: string; namespace: string };
        const spec = resource.inputs.spec as { resources?: Container["resources"]; override?: unknown };
        const where = `${resource.type.split(":").pop()} ${metadata.namespace}/${metadata.name}`;
        problems.push(...resourceProblems(where, spec.resources));
        if (spec.override !== undefined) problems.push(`${where}: overrides the operator's pod template; audit the override`);
        if (levels.get(metadata.namespace) !== "restricted") problems.push(`${where}: namespace ${metadata.namespace} does not enforce restricted`);
    }
    return problems;
}

/** The exception namespaces the program labels carry their level; no exception is declared without a reason. */
function exceptionProblems(render: Render): string[] {
    const levels = enforcedLevels(render);
    return POD_SECURITY_EXCEPTIONS.flatMap((exception) => [
        ...(exception.reason.length < 20 || exception.pods.length === 0 ? [`exception ${exception.namespace}: no reason or no pods named`] : []),
        ...(exception.labelledBy === "program" && levels.get(exception.namespace) !== exception.enforce ? [`exception ${exception.namespace}: not labelled enforce=${exception.enforce}`] : []),
    ]);
}

let prod: Render;
beforeAll(async () => {
    prod = await renderStack("prod");
}, 120_000);

const edited = (change: (resources: RenderedResource[]) => void): Render => {
    const copy = structuredClone(prod);
    change(copy.resources);
    return copy;
};
const named = (resources: RenderedResource[], type: string, name: string) => resources.find((r) => r.type === type && r.name === name)!;

describe("prod's Pod Security audit", () => {
    it("finds every workload and add-on pod with resources, probes and the restricted profile, or in a documented exception", () => {
        expect([...workloadProblems(prod), ...addOnProblems(prod), ...operatorPodProblems(prod), ...exceptionProblems(prod)]).toEqual([]);
        // The exceptions are node agents and the CNI, in their own namespaces; kube-system is labelled by the program.
        expect(POD_SECURITY_EXCEPTIONS.map((e) => [e.namespace, e.enforce])).toEqual([
            ["kube-system", "privileged"],
            ["calico-system", "privileged"],
            ["tigera-operator", "privileged"],
        ]);
    });

    it("audits every pod template kind the program renders, the broker's definitions export included", () => {
        const kinds = new Set(prod.resources.filter((r) => r.type in WORKLOADS).map((r) => r.type));
        expect([...kinds].sort()).toEqual(["kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:CronJob"]);
    });

    it("fails a workload without a memory limit or a liveness probe, and a privileged one outside the exceptions", () => {
        const broken = edited((resources) => {
            const archive = named(resources, "kubernetes:apps/v1:Deployment", "archive-api").inputs as any;
            delete archive.spec.template.spec.containers[0].resources.limits.memory;
            delete archive.spec.template.spec.containers[0].livenessProbe;
            const exporter = named(resources, "kubernetes:batch/v1:CronJob", "message-broker-definitions-backup").inputs as any;
            exporter.spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged = true;
        });
        expect(workloadProblems(broken)).toEqual([
            "Deployment fsgs-archive/archive-api archive-api: no memory limit",
            "Deployment fsgs-archive/archive-api archive-api: no readiness and liveness probes",
            "CronJob fsgs-messaging/message-broker-definitions-backup: export: privileged",
        ]);
    });

    it("fails an add-on without resources at an audited path, a new unaudited release, and an operator spec without resources", () => {
        const broken = edited((resources) => {
            const csi = named(resources, "kubernetes:helm.sh/v3:Release", "fsgs-prod-cinder-csi").inputs as any;
            delete csi.values.csi.provisioner;
            named(resources, "kubernetes:helm.sh/v3:Release", "fsgs-prod-metrics-server").name = "fsgs-prod-metrics";
            delete (named(resources, "kubernetes:helm.sh/v3:Release", "fsgs-prod-openstack-ccm").inputs as any).values.livenessProbe;
            delete (named(resources, "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", "message-broker-cluster").inputs as any).spec.resources;
        });
        expect([...addOnProblems(broken), ...operatorPodProblems(broken)]).toEqual([
            "Helm release fsgs-prod-cinder-csi csi.provisioner.resources: no CPU and memory requests",
            "Helm release fsgs-prod-cinder-csi csi.provisioner.resources: no memory limit",
            "Helm release fsgs-prod-metrics: not in the audit table",
            "Helm release fsgs-prod-openstack-ccm livenessProbe: no probe",
            "RabbitmqCluster fsgs-messaging/message-broker: no CPU and memory requests",
            "RabbitmqCluster fsgs-messaging/message-broker: no memory limit",
        ]);
    });

    it("fails a namespace that stops enforcing restricted, and an exception namespace left unlabelled", () => {
        const broken = edited((resources) => {
            const messaging = resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && (r.inputs.metadata as any).name === "fsgs-messaging")!;
            (messaging.inputs.metadata as any).labels["pod-security.kubernetes.io/enforce"] = "baseline";
            const kubeSystem = resources.findIndex((r) => r.type === "kubernetes:core/v1:NamespacePatch" && (r.inputs.metadata as any).name === "kube-system");
            resources.splice(kubeSystem, 1);
        });
        expect([...workloadProblems(broken), ...operatorPodProblems(broken), ...exceptionProblems(broken)]).toEqual([
            "CronJob fsgs-messaging/message-broker-definitions-backup: namespace fsgs-messaging does not enforce restricted",
            "RabbitmqCluster fsgs-messaging/message-broker: namespace fsgs-messaging does not enforce restricted",
            "exception kube-system: not labelled enforce=privileged",
        ]);
    });
});
