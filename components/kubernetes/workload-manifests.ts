import type * as k8s from "@pulumi/kubernetes";
import { httpRouteManifest } from "./gateway-manifests";
import { clusterGateway } from "./platform/envoy-gateway";
import { brokerCredentialEnv } from "./data/rabbitmq-users";
import { type PolicyContext, servicePolicySpec } from "./network-policy";
import { DEDICATED_TAINT, POOL_ROLE_LABEL } from "../config/pools";
import { EXPOSED_NODE_PORT } from "../config/traffic";
import type { ResolvedService } from "./service-defaults";


/** Names the cluster-wide pieces a workload refers to. */
export interface WorkloadContext extends PolicyContext {
    /** Whether the stack has a dedicated stateful pool: StatefulSets then run there, and only they do. */
    statefulPool: boolean;
    /** The dockerconfigjson Secret of the GitLab registry, present in every domain namespace. */
    imagePullSecret: string;
}

/**
 * A context for rendering entries outside a stack (a draft, a test): the cluster's Gateway, no stateful pool, an
 * Octavia site, illustrative cluster ranges. `catalog` is where callers and call targets are looked up.
 */
export function standaloneContext(catalog: readonly ResolvedService[] = []): WorkloadContext {
    return {
        imagePullSecret: "gitlab-registry",
        gateway: clusterGateway("fsgs", "gateway"),
        catalog,
        clusterCidrs: ["10.244.0.0/16", "10.96.0.0/12"],
        statefulPool: false,
        externalAccess: { loadBalancers: true, nodeCidr: "10.0.0.0/24" },
    };
}

/** One Kubernetes object as plain data: what the component registers and what the tests validate. */
export interface Manifest<Spec = unknown> {
    apiVersion: string;
    kind: string;
    metadata: k8s.types.input.meta.v1.ObjectMeta & { name: string; namespace: string };
    spec?: Spec;
}

/** An object that has a spec. */
export type WithSpec<Spec> = Manifest<Spec> & { spec: Spec };

export interface WorkloadManifests {
    serviceAccount: Manifest;
    workload: WithSpec<k8s.types.input.apps.v1.DeploymentSpec> | WithSpec<k8s.types.input.apps.v1.StatefulSetSpec>;
    service?: WithSpec<k8s.types.input.core.v1.ServiceSpec>;
    /** The Service outside clients reach, for an entry with `expose`. */
    externalService?: WithSpec<k8s.types.input.core.v1.ServiceSpec>;
    podDisruptionBudget?: WithSpec<k8s.types.input.policy.v1.PodDisruptionBudgetSpec>;
    horizontalPodAutoscaler?: WithSpec<k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec>;
    networkPolicy: WithSpec<k8s.types.input.networking.v1.NetworkPolicySpec>;
    /** The route from the cluster's Gateway, for a service with an `ingress` host. */
    httpRoute?: WithSpec<Record<string, unknown>>;
}

/** The label every object of a service carries, and the only one its selectors use (it never changes). */
export function selectorLabels(service: ResolvedService): Record<string, string> {
    return { "app.kubernetes.io/name": service.name };
}

function labels(service: ResolvedService): Record<string, string> {
    return {
        ...selectorLabels(service),
        "app.kubernetes.io/part-of": "svom-fsgs",
        "app.kubernetes.io/component": service.domain,
        "app.kubernetes.io/version": service.image.tag,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

const volumeName = (path: string) => `rw${path.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.replace(/-+$/, "");

function probe(service: ResolvedService, kind: "readiness" | "liveness"): k8s.types.input.core.v1.Probe {
    const declared = service.probes?.[kind];
    const firstPort = service.ports[0]?.name;
    const handler = declared ?? (firstPort ? { tcpSocket: { port: firstPort } } : undefined);
    if (!handler) {
        throw new Error(`${service.name}: declare probes.${kind} (an exec probe) or a port to probe`);
    }
    // Liveness is slower to judge than readiness: a busy pod leaves the Service before it is restarted.
    const timing =
        kind === "readiness"
            ? { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 }
            : { initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 };
    // The entry's own timings (a Swarm healthcheck's) win; start-up grace is liveness's alone.
    const { initialDelaySeconds, ...own } = service.probes?.timing ?? {};
    return { ...handler, ...timing, ...own, ...(kind === "liveness" && initialDelaySeconds !== undefined ? { initialDelaySeconds } : {}) };
}

/** nodeSelector and tolerations: the stateful pool for a StatefulSet where the stack has one, plus the entry's own selector. */
function placement(service: ResolvedService, context: WorkloadContext): Pick<k8s.types.input.core.v1.PodSpec, "nodeSelector" | "tolerations"> {
    const onStatefulPool = service.kind === "StatefulSet" && context.statefulPool;
    const nodeSelector = { ...(onStatefulPool ? { [POOL_ROLE_LABEL]: "stateful" } : {}), ...(service.nodeSelector ?? {}) };
    return {
        ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
        ...(onStatefulPool ? { tolerations: [{ ...DEDICATED_TAINT, operator: "Equal" }] } : {}),
    };
}

function podTemplate(service: ResolvedService, context: WorkloadContext): k8s.types.input.core.v1.PodTemplateSpec {
    const writable = service.writablePaths.map((path) => ({ name: volumeName(path), path }));
    const configs = (service.configFiles ?? []).map((file, index) => ({ name: `config-${index}`, ...file }));
    const secretFiles = (service.secretFiles ?? []).map((file, index) => ({ name: `secret-${index}`, ...file }));
    return {
        metadata: { labels: labels(service) },
        spec: {
            serviceAccountName: service.name,
            automountServiceAccountToken: false,
            imagePullSecrets: [{ name: context.imagePullSecret }],
            securityContext: {
                runAsNonRoot: true,
                runAsUser: service.runAsUser,
                runAsGroup: service.runAsUser,
                fsGroup: service.runAsUser,
                seccompProfile: { type: "RuntimeDefault" },
            },
            // On the stateful pool, whose taint keeps everything else off (components/config/pools.ts), and on the
            // nodes the entry names.
            ...placement(service, context),
            ...(service.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: service.terminationGracePeriodSeconds } : {}),
            topologySpreadConstraints: [
                {
                    maxSkew: 1,
                    topologyKey: "kubernetes.io/hostname",
                    // A drained node must not block a rollout: spread when possible, schedule anyway.
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: selectorLabels(service) },
                },
            ],
            containers: [
                {
                    name: service.name,
                    image: `${service.image.repository}:${service.image.tag}`,
                    imagePullPolicy: "IfNotPresent",
                    command: service.command,
                    args: service.args,
                    ports: service.ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: port.protocol })),
                    env: [
                        ...Object.entries(service.env ?? {}).map(([name, value]) => ({ name, value })),
                        ...Object.entries(service.secretEnv ?? {}).map(([name, ref]) => ({
                            name,
                            valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } },
                        })),
                        // The client's own broker user (data/rabbitmq-users.ts), derived from its connectsTo.
                        ...brokerCredentialEnv(service, context.catalog),
                    ],
                    resources: service.resources,
                    readinessProbe: probe(service, "readiness"),
                    livenessProbe: probe(service, "liveness"),
                    securityContext: {
                        runAsNonRoot: true,
                        allowPrivilegeEscalation: false,
                        readOnlyRootFilesystem: true,
                        capabilities: { drop: ["ALL"] },
                    },
                    volumeMounts: [
                        ...writable.map((volume) => ({ name: volume.name, mountPath: volume.path })),
                        // With a key, the mount is that one file (subPath), not a directory hiding the image's.
                        ...configs.map((config) => ({ name: config.name, mountPath: config.mountPath, readOnly: true, ...(config.key !== undefined ? { subPath: config.key } : {}) })),
                        ...secretFiles.map((file) => ({ name: file.name, mountPath: file.mountPath, readOnly: true, subPath: file.key })),
                        ...(service.storage ? [{ name: "data", mountPath: service.storage.mountPath }] : []),
                    ],
                },
            ],
            volumes: [
                ...writable.map((volume) => ({ name: volume.name, emptyDir: {} })),
                ...configs.map((config) => ({ name: config.name, configMap: { name: config.configMap } })),
                // Owned by root and group fsGroup, which is the service's own GID: 0440 lets the service read it and
                // nobody else (Swarm mounts secrets 0444).
                ...secretFiles.map((file) => ({ name: file.name, secret: { secretName: file.secret, defaultMode: 0o440 } })),
            ],
        },
    };
}

// The NodePort of an exposed service where there is no Octavia: config/traffic.ts holds it for both layers.
export { EXPOSED_NODE_PORT };

/** A LoadBalancer on Octavia limited to the declared networks, or fixed NodePorts that keep the client's address. */
function externalServiceSpec(service: ResolvedService, context: WorkloadContext): k8s.types.input.core.v1.ServiceSpec | undefined {
    if (!service.expose) {
        return undefined;
    }
    const ports = service.expose.ports.map((name) => {
        const port = service.ports.find((candidate) => candidate.name === name)!;
        return { name: port.name, port: port.port, targetPort: port.name, protocol: port.protocol, ...(context.externalAccess.loadBalancers ? {} : { nodePort: EXPOSED_NODE_PORT }) };
    });
    if (context.externalAccess.loadBalancers) {
        // The cloud-controller-manager turns loadBalancerSourceRanges into the listeners' allowed_cidrs (Octavia API
        // >= 2.12; cloud-provider-openstack docs, "expose applications using loadbalancer type service"); TCP and UDP
        // listeners on one load balancer (pkg/openstack/loadbalancer.go maps each port's protocol).
        return { type: "LoadBalancer", selector: selectorLabels(service), ports, loadBalancerSourceRanges: [...service.expose.sourceRanges], externalTrafficPolicy: "Cluster" };
    }
    // Local: no masquerade, so the NetworkPolicy sees, and admits, only the declared networks.
    return { type: "NodePort", selector: selectorLabels(service), ports, externalTrafficPolicy: "Local" };
}

/** The number of the named port a route sends to (an HTTPRoute backendRef takes a number). */
function routedPort(service: ResolvedService, name: string): number {
    const port = service.ports.find((candidate) => candidate.name === name);
    if (!port) {
        throw new Error(`${service.name}: ingress.port ${JSON.stringify(name)} is not one of its ports`);
    }
    return port.port;
}

/** Every object of one micro-service, with the production defaults of the platform. */
export function workloadManifests(service: ResolvedService, context: WorkloadContext): WorkloadManifests {
    const metadata = { name: service.name, namespace: service.namespace, labels: labels(service) };
    const selector = { matchLabels: selectorLabels(service) };
    const template = podTemplate(service, context);
    const headless = service.kind === "StatefulSet";

    const workload =
        service.kind === "StatefulSet"
            ? {
                  apiVersion: "apps/v1",
                  kind: "StatefulSet",
                  metadata,
                  spec: {
                      serviceName: service.name,
                      replicas: service.replicas,
                      selector,
                      podManagementPolicy: "Parallel",
                      updateStrategy: { type: "RollingUpdate" },
                      template,
                      volumeClaimTemplates: [
                          {
                              metadata: { name: "data", labels: selectorLabels(service) },
                              spec: {
                                  accessModes: ["ReadWriteOnce"],
                                  resources: { requests: { storage: service.storage?.size ?? "1Gi" } },
                              },
                          },
                      ],
                      // Volumes outlive the StatefulSet: deleting the workload never deletes the data.
                      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                  },
              }
            : {
                  apiVersion: "apps/v1",
                  kind: "Deployment",
                  metadata,
                  spec: {
                      replicas: service.autoscaling ? undefined : service.replicas,
                      selector,
                      // A singleton must never run twice, not even for the moment a rolling update overlaps.
                      strategy: service.singleton ? { type: "Recreate" } : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                      revisionHistoryLimit: 5,
                      template,
                  },
              };

    const ports = service.ports.map((port) => ({ name: port.name, port: port.port, targetPort: port.name, protocol: port.protocol }));
    return {
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata },
        workload,
        service:
            ports.length > 0
                ? {
                      apiVersion: "v1",
                      kind: "Service",
                      metadata,
                      spec: {
                          selector: selectorLabels(service),
                          ports,
                          ...(headless ? { clusterIP: "None", publishNotReadyAddresses: true } : { type: "ClusterIP" }),
                      },
                  }
                : undefined,
        externalService: service.expose
            ? { apiVersion: "v1", kind: "Service", metadata: { ...metadata, name: `${service.name}-external` }, spec: externalServiceSpec(service, context)! }
            : undefined,
        podDisruptionBudget:
            service.replicas >= 2
                ? { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata, spec: { maxUnavailable: 1, selector } }
                : undefined,
        horizontalPodAutoscaler: service.autoscaling
            ? {
                  apiVersion: "autoscaling/v2",
                  kind: "HorizontalPodAutoscaler",
                  metadata,
                  spec: {
                      scaleTargetRef: { apiVersion: "apps/v1", kind: workload.kind, name: service.name },
                      minReplicas: service.replicas,
                      maxReplicas: Math.max(service.autoscaling.maxReplicas, service.replicas),
                      metrics: [
                          {
                              type: "Resource",
                              resource: { name: "cpu", target: { type: "Utilization", averageUtilization: service.autoscaling.cpuUtilization } },
                          },
                      ],
                  },
              }
            : undefined,
        networkPolicy: {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata,
            spec: servicePolicySpec(service, context),
        },
        httpRoute: service.ingress
            ? httpRouteManifest(
                  {
                      service: service.name,
                      namespace: service.namespace,
                      host: service.ingress.host,
                      path: service.ingress.path,
                      port: routedPort(service, service.ingress.port),
                      labels: labels(service),
                  },
                  context.gateway,
              )
            : undefined,
    };
}
