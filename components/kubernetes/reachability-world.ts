import { RABBITMQ_API_VERSION, RABBITMQ_PORTS, rabbitmqPodLabels, rabbitmqPodName } from "./data/rabbitmq";
import type { Pod, Policy, Protocol, Service, World } from "./reachability";

/** A rendered object as the reachability model reads it: kind, metadata and spec, nothing typed beyond that. */
export interface RenderedObject {
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec?: unknown;
}

interface Template {
    metadata?: { labels?: Record<string, string> };
    spec: { containers: { ports?: { name?: string; containerPort: number; protocol?: Protocol }[] }[] };
}

/** The pods a Deployment or StatefulSet would run: `replicas` of them (2 when an autoscaler owns the count), named after the workload. */
function podsOf(workload: RenderedObject): Pod[] {
    const spec = workload.spec as { replicas?: number; template: Template };
    const count = spec.replicas ?? 2;
    const ports = spec.template.spec.containers.flatMap((container) => container.ports ?? []);
    return Array.from({ length: count }, (_, index) => ({
        name: `${workload.metadata.name}-${index}`,
        namespace: workload.metadata.namespace ?? "default",
        labels: spec.template.metadata?.labels ?? {},
        ports,
    }));
}

/**
 * The instance pods CloudNativePG runs for a `Cluster` (pkg/specs/pods.go, v1.30.0): `<cluster>-<n>` from 1, labelled
 * cnpg.io/cluster plus the spec's inheritedMetadata labels, one container with ports postgresql 5432, metrics 9187
 * and status 8000.
 */
function cnpgInstancePods(cluster: RenderedObject): Pod[] {
    const spec = cluster.spec as { instances: number; inheritedMetadata?: { labels?: Record<string, string> } };
    return Array.from({ length: spec.instances }, (_, index) => ({
        name: `${cluster.metadata.name}-${index + 1}`,
        namespace: cluster.metadata.namespace ?? "default",
        labels: { ...(spec.inheritedMetadata?.labels ?? {}), "cnpg.io/cluster": cluster.metadata.name },
        ports: [
            { name: "postgresql", containerPort: 5432, protocol: "TCP" as const },
            { name: "metrics", containerPort: 9187, protocol: "TCP" as const },
            { name: "status", containerPort: 8000, protocol: "TCP" as const },
        ],
    }));
}

/**
 * The nodes the RabbitMQ Cluster Operator runs for a `RabbitmqCluster` (internal/resource/statefulset.go, v2.22.3):
 * pods `<cluster>-server-<n>` from 0, labelled as metadata.Label() does, with the container ports the operator
 * declares (epmd, amqp, management, prometheus) and the ports a node listens on without declaring them: Erlang
 * distribution 25672 and the first and last of the CLI tools' range 35672-35682 (rabbitmq.com "Networking").
 */
function rabbitmqNodePods(cluster: RenderedObject): Pod[] {
    const spec = cluster.spec as { replicas?: number };
    // The CRD's default is 1 replica (api/v1beta1 +kubebuilder:default:=1).
    return Array.from({ length: spec.replicas ?? 1 }, (_, index) => ({
        name: rabbitmqPodName(cluster.metadata.name, index),
        namespace: cluster.metadata.namespace ?? "default",
        labels: rabbitmqPodLabels(cluster.metadata.name),
        ports: [
            { name: "epmd", containerPort: RABBITMQ_PORTS.epmd, protocol: "TCP" as const },
            { name: "amqp", containerPort: RABBITMQ_PORTS.amqp, protocol: "TCP" as const },
            { name: "management", containerPort: RABBITMQ_PORTS.management, protocol: "TCP" as const },
            { name: "prometheus", containerPort: RABBITMQ_PORTS.prometheus, protocol: "TCP" as const },
            { name: "distribution", containerPort: RABBITMQ_PORTS.distribution, protocol: "TCP" as const },
            { name: "cli-first", containerPort: RABBITMQ_PORTS.cliFirst, protocol: "TCP" as const },
            { name: "cli-last", containerPort: RABBITMQ_PORTS.cliLast, protocol: "TCP" as const },
        ],
    }));
}

/** The operator's client Service `<cluster>`, selecting the nodes by name (internal/resource/service.go). */
function rabbitmqClientService(cluster: RenderedObject): Service {
    return {
        name: cluster.metadata.name,
        namespace: cluster.metadata.namespace ?? "default",
        selector: { "app.kubernetes.io/name": cluster.metadata.name },
        ports: [
            { port: RABBITMQ_PORTS.amqp, targetPort: RABBITMQ_PORTS.amqp, protocol: "TCP" },
            { port: RABBITMQ_PORTS.management, targetPort: RABBITMQ_PORTS.management, protocol: "TCP" },
            { port: RABBITMQ_PORTS.prometheus, targetPort: RABBITMQ_PORTS.prometheus, protocol: "TCP" },
        ],
    };
}

/** The pod a CronJob's run makes, one at a time (concurrencyPolicy Forbid or Replace): labelled as its job template says. */
function cronJobPods(cronJob: RenderedObject): Pod[] {
    const spec = cronJob.spec as { jobTemplate: { spec: Template & { template: Template } } };
    const template = spec.jobTemplate.spec.template;
    return [
        {
            name: `${cronJob.metadata.name}-0`,
            namespace: cronJob.metadata.namespace ?? "default",
            labels: template.metadata?.labels ?? {},
            ports: template.spec.containers.flatMap((container) => container.ports ?? []),
        },
    ];
}

const isRabbitmqCluster = (object: RenderedObject) => object.kind === "RabbitmqCluster" && (object as { apiVersion?: string }).apiVersion === RABBITMQ_API_VERSION;

/** The namespaces, pods, Services and NetworkPolicies of a set of rendered objects, plus pods the platform runs. */
export function worldOf(objects: readonly RenderedObject[], platformPods: readonly Pod[] = []): { world: World; pods: Pod[]; services: Service[] } {
    const namespaces = new Map<string, Record<string, string>>();
    for (const object of objects) {
        if (object.kind === "Namespace") {
            namespaces.set(object.metadata.name, object.metadata.labels ?? {});
        }
    }
    for (const pod of platformPods) {
        if (!namespaces.has(pod.namespace)) {
            namespaces.set(pod.namespace, {});
        }
    }
    const pods = [
        ...objects.filter((object) => object.kind === "Deployment" || object.kind === "StatefulSet").flatMap(podsOf),
        ...objects.filter((object) => object.kind === "Cluster" && (object as { apiVersion?: string }).apiVersion === "postgresql.cnpg.io/v1").flatMap(cnpgInstancePods),
        ...objects.filter(isRabbitmqCluster).flatMap(rabbitmqNodePods),
        ...objects.filter((object) => object.kind === "CronJob").flatMap(cronJobPods),
        ...platformPods,
    ];
    const services = objects
        .filter((object) => object.kind === "Service")
        .map((object) => {
            const spec = object.spec as { selector: Record<string, string>; ports: Service["ports"] };
            return { name: object.metadata.name, namespace: object.metadata.namespace ?? "default", selector: spec.selector, ports: spec.ports };
        })
        .concat(objects.filter(isRabbitmqCluster).map(rabbitmqClientService));
    const policies = objects.filter((object) => object.kind === "NetworkPolicy") as unknown as Policy[];
    return { world: { namespaces, policies }, pods, services };
}
