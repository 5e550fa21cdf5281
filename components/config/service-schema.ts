import { z } from "zod";

/**
 * One FSGS micro-service as the catalog declares it (`services/<name>.yaml`). Production defaults (probes,
 * security context, spread, disruption budget...) are the Microservice component's, not the catalog's: an
 * entry says only what is particular to the service.
 */

const dnsLabel = z.string().regex(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: "expected a lowercase DNS label" });

/** Kubernetes quantities, e.g. `250m` CPU, `512Mi` memory. */
const cpu = z.string().regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, { error: "expected a CPU quantity like 250m or 1" });
const memory = z.string().regex(/^[0-9]+(Ki|Mi|Gi|Ti)$/, { error: "expected a memory quantity like 512Mi or 2Gi" });
const storage = z.string().regex(/^[0-9]+(Mi|Gi|Ti)$/, { error: "expected a size like 20Gi" });

export const resourcesSchema = z.strictObject({
    requests: z.strictObject({ cpu, memory }),
    limits: z.strictObject({ cpu: cpu.optional(), memory }),
});

/** A tag that names one build: never `latest`, never empty. */
export const imageTag = z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: "expected an image tag" })
    .refine((tag) => tag !== "latest", { error: "expected a pinned tag: `latest` changes under a running service" });

const probeSchema = z.union([
    z.strictObject({ httpGet: z.strictObject({ path: z.string().startsWith("/"), port: dnsLabel.or(z.int().min(1).max(65535)) }) }),
    z.strictObject({ tcpSocket: z.strictObject({ port: dnsLabel.or(z.int().min(1).max(65535)) }) }),
    z.strictObject({ exec: z.strictObject({ command: z.array(z.string()).min(1) }) }),
]);

/**
 * A database: the entry is a PostgreSQL cluster run by CloudNativePG (components/kubernetes/data/), not a workload
 * of its own. `image` is the operand image (a mirror of ghcr.io/cloudnative-pg/postgresql), `storage.size` each
 * instance's volume, `resources` each instance's; the instance count, probes and security context are the operator's.
 */
export const postgresqlSchema = z.strictObject({
    /** The application database the cluster creates at bootstrap. */
    database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "expected a PostgreSQL identifier (a-z, 0-9, _)" }),
    /** Its owner, the application user; the operator writes its credentials to the Secret `<name>-app`. */
    owner: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "expected a PostgreSQL identifier (a-z, 0-9, _)" }),
    /** Also serve `<name>-ro` (the standbys only) for read-only clients such as reports. */
    readOnlyService: z.boolean().default(false),
});

/**
 * A message broker: the entry is a RabbitMQ cluster run by the RabbitMQ Cluster Operator (components/kubernetes/data/),
 * not a workload of its own. `image` is the server image (a mirror of docker.io/rabbitmq, a `-management` tag: the
 * operator enables the management plugin), `storage.size` each node's volume, `resources` each node's; the node
 * count, probes, security context and inter-node ports are the operator's.
 */
export const rabbitmqSchema = z.strictObject({
    /**
     * Whether the nightly export of the broker's definitions (users, vhosts, permissions, queues, exchanges, bindings,
     * policies) goes to the stack's object store. On by default; off only for a broker whose topology is rebuilt by
     * its clients at every start.
     */
    definitionsBackup: z.boolean().default(true),
});

/**
 * Probe timings where the service's own differ from the Microservice's defaults (an importer carries a Swarm
 * healthcheck's interval, timeout, retries and start period here). `initialDelaySeconds` applies to liveness only:
 * a readiness probe failing at start-up only keeps the pod out of its Service.
 */
const probeTimingSchema = z.strictObject({
    periodSeconds: z.int().min(1).max(3600).optional(),
    timeoutSeconds: z.int().min(1).max(3600).optional(),
    failureThreshold: z.int().min(1).max(100).optional(),
    initialDelaySeconds: z.int().min(0).max(3600).optional(),
});

/** A Kubernetes label key and value, see "Labels and Selectors: Syntax and character set" (kubernetes.io). */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const labelKey = z.string().regex(LABEL_KEY, { error: "expected a label key like disktype or example.org/disktype" });
const labelValue = z.string().regex(LABEL_VALUE, { error: "expected a label value (63 characters at most: letters, digits, - _ .)" });

/** A key of a ConfigMap or a Secret, see their `data` field in the Kubernetes API reference. */
const objectKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "expected a ConfigMap or Secret key" });

export const serviceSchema = z.strictObject({
    /** Names the workload, its Service and its objects. */
    name: dnsLabel,
    /** The domain, i.e. the namespace: `fsgs-<domain>`. */
    domain: dnsLabel,
    description: z.string().optional(),
    /** Deployment for stateless services; StatefulSet when `storage` is set. */
    image: z.strictObject({
        /** Path in the GitLab registry, without the tag. */
        repository: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/, { error: "expected a registry path like registry.example.org/group/image" }),
        tag: imageTag,
    }),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    /** Plain settings; secrets go in `secretEnv`. */
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    /** Environment variables read from existing Secrets: NAME -> secret/key. */
    secretEnv: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.strictObject({ secret: dnsLabel, key: z.string() })).optional(),
    /**
     * ConfigMaps mounted read-only: the whole ConfigMap as a directory at mountPath, or with `key` that one key as
     * the single file mountPath (a subPath mount: the rest of the image's directory stays visible).
     */
    configFiles: z
        .array(z.strictObject({ configMap: dnsLabel, mountPath: z.string().startsWith("/"), key: objectKey.optional() }))
        .optional(),
    /** Keys of existing Secrets mounted read-only, each as the single file mountPath (a subPath mount), as Swarm mounts its secrets. */
    secretFiles: z.array(z.strictObject({ secret: dnsLabel, key: objectKey, mountPath: z.string().startsWith("/") })).optional(),
    /** `peersOnly`: a port only the service's own replicas use (Erlang distribution, epmd...), never opened to callers. */
    ports: z
        .array(
            z.strictObject({
                name: dnsLabel.max(15),
                port: z.int().min(1).max(65535),
                protocol: z.enum(["TCP", "UDP"]).default("TCP"),
                peersOnly: z.boolean().optional(),
            }),
        )
        .default([]),
    /** Default: TCP on the first port for both. A service without ports must declare exec probes. */
    probes: z.strictObject({ readiness: probeSchema.optional(), liveness: probeSchema.optional(), timing: probeTimingSchema.optional() }).optional(),
    replicas: z.int().min(1).max(50).optional(),
    /**
     * Must never run twice (a SQLite file, a single-writer database, a scheduler): one replica in every
     * environment, replaced by stopping the old pod first. The reason is shown wherever the replica rule is waived.
     */
    singleton: z.strictObject({ reason: z.string().min(10, { error: "say why the service must not be scaled" }) }).optional(),
    /** Node labels the pods must run on (`kubectl label node <node> key=value`). */
    nodeSelector: z.record(labelKey, labelValue).optional(),
    /** Seconds between SIGTERM and SIGKILL when a pod stops; Kubernetes' default is 30. */
    terminationGracePeriodSeconds: z.int().min(0).max(3600).optional(),
    resources: resourcesSchema.optional(),
    /** Persistent storage: makes the workload a StatefulSet with one volume per replica. */
    storage: z.strictObject({ size: storage, mountPath: z.string().startsWith("/") }).optional(),
    /** Paths the container writes to (the root filesystem is read-only); `/tmp` always is. */
    writablePaths: z.array(z.string().startsWith("/")).optional(),
    /** UID the image runs as; it must not be 0. */
    runAsUser: z.int().min(1).optional(),
    /** Exposed over HTTPS through the cluster's Gateway, with a cert-manager certificate. */
    ingress: z.strictObject({ host: z.string(), path: z.string().startsWith("/").default("/"), port: dnsLabel }).optional(),
    /**
     * Reached from outside the cluster on these ports (TCP or UDP, not through the Gateway), from these networks
     * only: a LoadBalancer on Octavia, or fixed NodePorts where the site has none.
     */
    expose: z.strictObject({ ports: z.array(dnsLabel).min(1), sourceRanges: z.array(z.string().regex(/^[0-9.]+\/[0-9]+$/, { error: "expected an IPv4 CIDR" })).min(1) }).optional(),
    autoscaling: z.strictObject({ maxReplicas: z.int().min(2).max(100), cpuUtilization: z.int().min(10).max(100).default(75) }).optional(),
    /**
     * Who may connect: other services (`domain/name`), whole domains (`domain`), or `ingress` (the Gateway). A caller
     * gets through only on the ports it names in its own `connectsTo`.
     */
    allowFrom: z.array(z.string().regex(/^(ingress|[a-z0-9-]+(\/[a-z0-9-]+)?)$/, { error: "expected ingress, a domain, or domain/name" })).default([]),
    /**
     * What the service calls in the catalog, `domain/name:port-name`, or `domain/name` for every port the target
     * opens to callers: its only egress besides DNS and connectsToExternal.
     */
    connectsTo: z.array(z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+(:[a-z0-9-]+)?$/, { error: "expected domain/name:port-name" })).default([]),
    /** Whether it calls the Kubernetes API: egress to the API servers (6443 on the control planes, behind the `kubernetes` Service). */
    kubernetesApi: z.boolean().optional(),
    /** Addresses outside the cluster it calls (an object store, GCN): CIDR and ports. */
    connectsToExternal: z
        .array(z.strictObject({ cidr: z.string().regex(/^[0-9.]+\/[0-9]+$/, { error: "expected an IPv4 CIDR" }), ports: z.array(z.int().min(1).max(65535)).min(1), description: z.string() }))
        .default([]),
    /** Makes the entry a CloudNativePG database instead of a workload (postgresqlSchema). */
    postgresql: postgresqlSchema.optional(),
    /** Makes the entry a RabbitmqCluster instead of a workload (rabbitmqSchema). */
    rabbitmq: rabbitmqSchema.optional(),
}).superRefine((service, context) => {
    if (service.singleton === undefined) return;
    if (service.replicas !== undefined && service.replicas > 1) {
        context.addIssue({ code: "custom", path: ["replicas"], input: service.replicas, message: `a singleton runs one replica (${service.singleton.reason}), got ${service.replicas}` });
    }
    if (service.autoscaling !== undefined) {
        context.addIssue({ code: "custom", path: ["autoscaling"], input: service.autoscaling, message: `a singleton is never scaled (${service.singleton.reason}): remove autoscaling` });
    }
});

export type ServiceSpec = z.infer<typeof serviceSchema>;
export type ServiceInput = z.input<typeof serviceSchema>;

/** What a stack may change of a catalog entry, under `svom-fsgs:services.<name>`. */
export const serviceOverrideSchema = z.strictObject({
    tag: imageTag.optional(),
    /**
     * The networks allowed to reach an exposed service in this stack, required for each (components/config/traffic.ts,
     * exposureProblems); [] keeps it closed to the outside.
     */
    exposeSourceRanges: z.array(z.string().regex(/^[0-9.]+\/[0-9]+$/, { error: "expected an IPv4 CIDR" })).optional(),
    replicas: z.int().min(1).max(50).optional(),
    resources: resourcesSchema.optional(),
});
export type ServiceOverride = z.infer<typeof serviceOverrideSchema>;
