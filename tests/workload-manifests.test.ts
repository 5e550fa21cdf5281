/**
 * The objects of one micro-service, for catalog entries written here: every field a user relies on written out
 * (selectors that select only the service's pods, probes, env and secret references, volumes, replicas, the
 * autoscaler's range, the data volume's size), not compared with the objects they were built from.
 */
import { environmentProfile } from "../components/config/profile";
import { serviceSchema, type ServiceInput } from "../components/config/service-schema";
import { type ResolvedService, resolveService } from "../components/kubernetes/service-defaults";
import { EXPOSED_NODE_PORT, standaloneContext, workloadManifests, type WorkloadContext } from "../components/kubernetes/workload-manifests";

const resolve = (entry: ServiceInput, environment: "integration" | "preprod" | "prod" = "prod"): ResolvedService =>
    resolveService(serviceSchema.parse(entry), undefined, environmentProfile(environment));

const portal: ServiceInput = {
    name: "portal",
    domain: "web",
    image: { repository: "gitlab-registry.in2p3.fr/svom/fsgs/portal", tag: "1.4.2" },
    command: ["gunicorn"],
    args: ["app:wsgi"],
    env: { LOG_LEVEL: "info" },
    secretEnv: { DB_PASSWORD: { secret: "portal-db", key: "password" } },
    configFiles: [
        { configMap: "portal-settings", mountPath: "/etc/portal" },
        { configMap: "portal-settings", mountPath: "/etc/portal.ini", key: "portal.ini" },
    ],
    secretFiles: [{ secret: "portal-tls", key: "tls.key", mountPath: "/run/secrets/tls.key" }],
    ports: [{ name: "http", port: 8000 }],
    writablePaths: ["/var/Cache/portal/"],
    runAsUser: 10010,
    ingress: { host: "portal.fsgs.example.org", port: "http" },
    autoscaling: { maxReplicas: 6 },
};

const broker: ServiceInput = {
    name: "broker",
    domain: "messaging",
    image: { repository: "gitlab-registry.in2p3.fr/svom/fsgs/broker", tag: "3.13" },
    ports: [
        { name: "amqp", port: 5672 },
        { name: "dist", port: 25672, peersOnly: true },
    ],
    probes: {
        readiness: { exec: { command: ["rabbitmq-diagnostics", "check_running"] } },
        liveness: { exec: { command: ["rabbitmq-diagnostics", "ping"] } },
        timing: { initialDelaySeconds: 60, periodSeconds: 20 },
    },
    storage: { size: "200Gi", mountPath: "/var/lib/rabbitmq" },
    nodeSelector: { disktype: "ssd" },
    terminationGracePeriodSeconds: 120,
    expose: { ports: ["amqp"], sourceRanges: ["192.0.2.0/24"] },
};

const PORTAL_LABELS = {
    "app.kubernetes.io/name": "portal",
    "app.kubernetes.io/part-of": "svom-fsgs",
    "app.kubernetes.io/component": "web",
    "app.kubernetes.io/version": "1.4.2",
    "app.kubernetes.io/managed-by": "pulumi",
};
const PORTAL_METADATA = { name: "portal", namespace: "fsgs-web", labels: PORTAL_LABELS };
const ONLY_PORTAL = { matchLabels: { "app.kubernetes.io/name": "portal" } };
const ONLY_BROKER = { matchLabels: { "app.kubernetes.io/name": "broker" } };

const RESTRICTED_CONTAINER = { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

describe("workloadManifests of a web service (Deployment, autoscaled, routed)", () => {
    const manifests = () => workloadManifests(resolve(portal), standaloneContext());

    it("renders this Deployment", () => {
        expect(manifests().workload).toEqual({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: PORTAL_METADATA,
            spec: {
                // The autoscaler owns the count.
                replicas: undefined,
                selector: ONLY_PORTAL,
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                revisionHistoryLimit: 5,
                template: {
                    metadata: { labels: PORTAL_LABELS },
                    spec: {
                        serviceAccountName: "portal",
                        automountServiceAccountToken: false,
                        imagePullSecrets: [{ name: "gitlab-registry" }],
                        securityContext: { runAsNonRoot: true, runAsUser: 10010, runAsGroup: 10010, fsGroup: 10010, seccompProfile: { type: "RuntimeDefault" } },
                        topologySpreadConstraints: [
                            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: ONLY_PORTAL },
                        ],
                        containers: [
                            {
                                name: "portal",
                                image: "gitlab-registry.in2p3.fr/svom/fsgs/portal:1.4.2",
                                imagePullPolicy: "IfNotPresent",
                                command: ["gunicorn"],
                                args: ["app:wsgi"],
                                ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }],
                                env: [
                                    { name: "LOG_LEVEL", value: "info" },
                                    { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "portal-db", key: "password" } } },
                                ],
                                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                                readinessProbe: { tcpSocket: { port: "http" }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
                                livenessProbe: { tcpSocket: { port: "http" }, initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                                securityContext: RESTRICTED_CONTAINER,
                                volumeMounts: [
                                    { name: "rw-tmp", mountPath: "/tmp" },
                                    { name: "rw-var-cache-portal", mountPath: "/var/Cache/portal/" },
                                    { name: "config-0", mountPath: "/etc/portal", readOnly: true },
                                    { name: "config-1", mountPath: "/etc/portal.ini", readOnly: true, subPath: "portal.ini" },
                                    { name: "secret-0", mountPath: "/run/secrets/tls.key", readOnly: true, subPath: "tls.key" },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "rw-tmp", emptyDir: {} },
                            { name: "rw-var-cache-portal", emptyDir: {} },
                            { name: "config-0", configMap: { name: "portal-settings" } },
                            { name: "config-1", configMap: { name: "portal-settings" } },
                            // 0440: the service's group (fsGroup) reads it, nobody else.
                            { name: "secret-0", secret: { secretName: "portal-tls", defaultMode: 0o440 } },
                        ],
                    },
                },
            },
        });
        // No placement for a Deployment on a stack without a stateful pool: the keys are absent, not empty.
        const pod = (manifests().workload.spec as Record<string, any>).template.spec;
        expect(Object.keys(pod)).not.toEqual(expect.arrayContaining(["nodeSelector"]));
        expect(Object.keys(pod)).not.toEqual(expect.arrayContaining(["tolerations"]));
    });

    it("renders a ServiceAccount, a ClusterIP Service, a PodDisruptionBudget and an HPA that select only its pods", () => {
        const all = manifests();
        expect(all.serviceAccount).toEqual({ apiVersion: "v1", kind: "ServiceAccount", metadata: PORTAL_METADATA });
        expect(all.service).toEqual({
            apiVersion: "v1",
            kind: "Service",
            metadata: PORTAL_METADATA,
            spec: { selector: ONLY_PORTAL.matchLabels, ports: [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }], type: "ClusterIP" },
        });
        expect(all.podDisruptionBudget).toEqual({
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: PORTAL_METADATA,
            spec: { maxUnavailable: 1, selector: ONLY_PORTAL },
        });
        expect(all.horizontalPodAutoscaler).toEqual({
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: PORTAL_METADATA,
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "portal" },
                minReplicas: 2,
                maxReplicas: 6,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 75 } } }],
            },
        });
        expect(all.externalService).toBeUndefined();
    });

    it("renders a NetworkPolicy on its own pods only, and the route from the cluster's Gateway to its port", () => {
        const all = manifests();
        expect(all.networkPolicy).toMatchObject({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: PORTAL_METADATA });
        expect(all.networkPolicy.spec.podSelector).toEqual(ONLY_PORTAL);
        expect(all.httpRoute).toMatchObject({
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "portal", namespace: "fsgs-web", labels: PORTAL_LABELS },
            spec: {
                parentRefs: [expect.objectContaining({ kind: "Gateway", name: "fsgs", namespace: "gateway" })],
                hostnames: ["portal.fsgs.example.org"],
                rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ group: "", kind: "Service", name: "portal", port: 8000 }] }],
            },
        });
    });

    it("never lets the autoscaler's maximum fall below the replicas the stack asks for", () => {
        const hpa = workloadManifests({ ...resolve(portal), replicas: 8 }, standaloneContext()).horizontalPodAutoscaler;
        expect([hpa?.spec.minReplicas, hpa?.spec.maxReplicas]).toEqual([8, 8]);
    });

    it("routes to the port its ingress names, not to its first one", () => {
        const twoPorts = resolve({ ...portal, ports: [{ name: "http", port: 8000 }, { name: "admin", port: 8081 }], ingress: { host: "portal.fsgs.example.org", port: "admin" } });
        expect(workloadManifests(twoPorts, standaloneContext()).httpRoute?.spec.rules).toEqual([
            { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ group: "", kind: "Service", name: "portal", port: 8081 }] },
        ]);
    });

    it("refuses a route to a port the service does not have", () => {
        expect(() => workloadManifests(resolve({ ...portal, ingress: { host: "portal.fsgs.example.org", port: "https" } }), standaloneContext())).toThrow(
            // The NetworkPolicy's ingress rule meets the missing port first.
            /portal.*https/,
        );
    });
});

describe("workloadManifests of a stateful service (StatefulSet, exposed, on the stateful pool)", () => {
    // Made in each test, so that mutation testing's per-test coverage applies (tests/mutation/).
    const onStatefulPool = (): WorkloadContext => ({ ...standaloneContext(), statefulPool: true });

    it("renders a StatefulSet whose volumes outlive it, on the stateful pool and the nodes it names", () => {
        const { workload } = workloadManifests(resolve(broker), onStatefulPool());
        const spec = workload.spec as Record<string, any>;
        expect([workload.apiVersion, workload.kind]).toEqual(["apps/v1", "StatefulSet"]);
        expect({ ...spec, template: undefined }).toEqual({
            serviceName: "broker",
            replicas: 2,
            selector: ONLY_BROKER,
            podManagementPolicy: "Parallel",
            updateStrategy: { type: "RollingUpdate" },
            template: undefined,
            volumeClaimTemplates: [
                {
                    metadata: { name: "data", labels: ONLY_BROKER.matchLabels },
                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "200Gi" } } },
                },
            ],
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        });
        const pod = spec.template.spec;
        expect(pod.nodeSelector).toEqual({ "fsgs.svom.eu/pool-role": "stateful", disktype: "ssd" });
        expect(pod.tolerations).toEqual([{ key: "fsgs.svom.eu/dedicated", value: "stateful", effect: "NoSchedule", operator: "Equal" }]);
        expect(pod.terminationGracePeriodSeconds).toBe(120);
        expect(pod.containers[0].volumeMounts).toEqual([
            { name: "rw-tmp", mountPath: "/tmp" },
            { name: "data", mountPath: "/var/lib/rabbitmq" },
        ]);
    });

    it("keeps its own probe timings, the start-up delay for liveness alone", () => {
        const container = (workloadManifests(resolve(broker), onStatefulPool()).workload.spec as Record<string, any>).template.spec.containers[0];
        expect(container.readinessProbe).toEqual({
            exec: { command: ["rabbitmq-diagnostics", "check_running"] },
            periodSeconds: 20,
            timeoutSeconds: 3,
            failureThreshold: 3,
        });
        expect(container.livenessProbe).toEqual({
            exec: { command: ["rabbitmq-diagnostics", "ping"] },
            initialDelaySeconds: 60,
            periodSeconds: 20,
            timeoutSeconds: 5,
            failureThreshold: 6,
        });
    });

    it("has a headless Service that lists pods before they are ready (peers find each other)", () => {
        expect(workloadManifests(resolve(broker), onStatefulPool()).service?.spec).toEqual({
            selector: ONLY_BROKER.matchLabels,
            ports: [
                { name: "amqp", port: 5672, targetPort: "amqp", protocol: "TCP" },
                { name: "dist", port: 25672, targetPort: "dist", protocol: "TCP" },
            ],
            clusterIP: "None",
            publishNotReadyAddresses: true,
        });
    });

    it("is exposed by an Octavia load balancer limited to the declared networks", () => {
        expect(workloadManifests(resolve(broker), onStatefulPool()).externalService).toEqual({
            apiVersion: "v1",
            kind: "Service",
            metadata: expect.objectContaining({ name: "broker-external", namespace: "fsgs-messaging" }),
            spec: {
                type: "LoadBalancer",
                selector: ONLY_BROKER.matchLabels,
                ports: [{ name: "amqp", port: 5672, targetPort: "amqp", protocol: "TCP" }],
                loadBalancerSourceRanges: ["192.0.2.0/24"],
                externalTrafficPolicy: "Cluster",
            },
        });
    });

    it("exposes the ports its entry names, not its first one", () => {
        const threePorts = resolve({ ...broker, ports: [...broker.ports!, { name: "amqps", port: 5671 }], expose: { ports: ["amqps"], sourceRanges: ["192.0.2.0/24"] } });
        expect(workloadManifests(threePorts, onStatefulPool()).externalService?.spec.ports).toEqual([{ name: "amqps", port: 5671, targetPort: "amqps", protocol: "TCP" }]);
    });

    it("is exposed on NodePort 30900 keeping the client's address where there is no Octavia", () => {
        const noOctavia: WorkloadContext = { ...onStatefulPool(), externalAccess: { loadBalancers: false, nodeCidr: "10.0.0.0/24" } };
        expect(EXPOSED_NODE_PORT).toBe(30900);
        expect(workloadManifests(resolve(broker), noOctavia).externalService?.spec).toEqual({
            type: "NodePort",
            selector: ONLY_BROKER.matchLabels,
            ports: [{ name: "amqp", port: 5672, targetPort: "amqp", protocol: "TCP", nodePort: 30900 }],
            externalTrafficPolicy: "Local",
        });
    });

    it("stays off the stateful pool where the stack has none, and asks for 1Gi when the entry names no size", () => {
        const resolved: ResolvedService = { ...resolve(broker), storage: undefined, nodeSelector: undefined };
        const { workload } = workloadManifests(resolved, standaloneContext());
        const spec = workload.spec as Record<string, any>;
        expect(Object.keys(spec.template.spec)).not.toEqual(expect.arrayContaining(["nodeSelector"]));
        expect(Object.keys(spec.template.spec)).not.toEqual(expect.arrayContaining(["tolerations"]));
        expect(spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("1Gi");
    });

    it("puts a Deployment on the nodes its entry names, but never on the stateful pool", () => {
        const { workload } = workloadManifests(resolve({ ...portal, nodeSelector: { disktype: "ssd" } }), onStatefulPool());
        const pod = (workload.spec as Record<string, any>).template.spec;
        expect([pod.nodeSelector, pod.tolerations]).toEqual([{ disktype: "ssd" }, undefined]);
    });
});

describe("workloadManifests of a singleton without ports", () => {
    const scheduler: ServiceInput = {
        name: "scheduler",
        domain: "pipeline",
        image: { repository: "gitlab-registry.in2p3.fr/svom/fsgs/scheduler", tag: "2.0.0" },
        singleton: { reason: "two schedulers would run every job twice" },
        probes: { readiness: { exec: { command: ["test", "-f", "/tmp/ready"] } }, liveness: { exec: { command: ["test", "-f", "/tmp/alive"] } } },
    };

    it("runs one replica, replaced by stopping the old pod first, with no Service and no disruption budget", () => {
        const all = workloadManifests(resolve(scheduler), standaloneContext());
        expect(all.workload.spec).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
        expect([all.service, all.podDisruptionBudget, all.horizontalPodAutoscaler, all.externalService, all.httpRoute]).toEqual([
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
        ]);
    });

    it("refuses an entry with neither a probe nor a port to probe", () => {
        expect(() => workloadManifests(resolve({ ...scheduler, probes: undefined }), standaloneContext())).toThrow(
            "scheduler: declare probes.readiness (an exec probe) or a port to probe",
        );
        expect(() =>
            workloadManifests(resolve({ ...scheduler, probes: { readiness: { exec: { command: ["true"] } } } }), standaloneContext()),
        ).toThrow("scheduler: declare probes.liveness (an exec probe) or a port to probe");
    });
});

describe("standaloneContext", () => {
    it("is an Octavia site with the cluster's Gateway, no stateful pool and the GitLab pull secret", () => {
        const catalog = [resolve(portal)];
        expect(standaloneContext(catalog)).toEqual({
            imagePullSecret: "gitlab-registry",
            gateway: expect.objectContaining({ name: "fsgs", namespace: "gateway" }),
            catalog,
            clusterCidrs: ["10.244.0.0/16", "10.96.0.0/12"],
            statefulPool: false,
            externalAccess: { loadBalancers: true, nodeCidr: "10.0.0.0/24" },
        });
        expect(standaloneContext().catalog).toEqual([]);
    });
});
