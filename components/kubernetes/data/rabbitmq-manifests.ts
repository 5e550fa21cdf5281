import type * as k8s from "@pulumi/kubernetes";
import { callsTo } from "../../config/catalog-references";
import type { BackupConfig } from "../../config/data-schema";
import { DEDICATED_TAINT, POOL_ROLE_LABEL } from "../../config/pools";
import { PORTS } from "../../config/ports";
import { CLUSTER_DNS } from "../network-policy";
import type { ResolvedService } from "../service-defaults";
import { podSelectorLabels } from "./cnpg";
import { BACKUP_SECRET_KEYS, type Manifest, type StatefulServiceInput } from "./postgres-manifests";
import { defaultUserSecretName, RABBITMQ_API_VERSION, RABBITMQ_OPERATOR_NAMESPACE, RABBITMQ_OPERATOR_POD_LABELS, RABBITMQ_PORTS } from "./rabbitmq";

const HTTPS_PORT = 443;

/**
 * Prometheus' pods, which scrape 15692: kube-prometheus-stack's Prometheus in `monitoring`, labelled by the
 * prometheus-operator (pkg/prometheus/statefulset.go). The observability add-on (platform/kube-prometheus-stack.ts)
 * owns those names; this copy must follow it.
 */
export const PROMETHEUS_SCRAPER = { namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" } } as const;

/** What the stack decides for one broker. */
export interface BrokerInput extends StatefulServiceInput {
    /** RabbitMQ nodes (config/profile.ts brokerNodes). */
    nodes: number;
    /** The image of the definitions export (curl 7.75 or later, for --aws-sigv4, and a POSIX shell). */
    backupImage: string;
}

/** The Secret the object store key pair is written to, in the broker's namespace. */
export function brokerBackupSecretName(service: Pick<ResolvedService, "name">): string {
    return `${service.name}-backup-s3`;
}

/** The definitions export: its CronJob and its pods' label. */
export function definitionsBackupName(service: Pick<ResolvedService, "name">): string {
    return `${service.name}-definitions-backup`;
}

/** The client Service the operator makes, named after the cluster: clients keep `amqp://<name>.<namespace>.svc:5672`. */
export function brokerHost(service: Pick<ResolvedService, "name" | "namespace">): string {
    return `${service.name}.${service.namespace}.svc`;
}

/** Where the definitions go: one object per day of the month, so the store holds a rolling month of them. */
export function definitionsObjectPrefix(input: Pick<BrokerInput, "stackName" | "service">): string {
    return `${input.stackName}/${input.service.name}-definitions`;
}

/** Daily at 02:30 UTC, after the database's base backup starts (02:00): the two never compete for the uplink at once. */
export const DEFINITIONS_BACKUP_SCHEDULE = "30 2 * * *";

// The rabbitmq.conf additions. default_queue_type (rabbit.schema, rabbitmq-server PR #11164, RabbitMQ 3.13.3 and
// 4.x): a queue declared without x-queue-type becomes a quorum queue, replicated over the nodes by Raft, instead of a
// classic queue that lives on one node only. Clients keep declaring queues as they do.
const QUEUE_CONFIG = "default_queue_type = quorum\n";

function affinity(input: BrokerInput): Record<string, unknown> {
    const term = { labelSelector: { matchLabels: { "app.kubernetes.io/name": input.service.name } }, topologyKey: "kubernetes.io/hostname" };
    // Required anti-affinity with fewer nodes than brokers would leave a node pending forever, and a quorum of the
    // cluster formed on fewer machines than it has members: required only where each node can have its own.
    const podAntiAffinity = input.placementNodes >= input.nodes
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
    return {
        podAntiAffinity,
        ...(input.statefulPool
            ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_ROLE_LABEL, operator: "In", values: ["stateful"] }] }] } } }
            : {}),
    };
}

/** The `RabbitmqCluster` of a catalog broker: nodes, image, placement, storage, resources and quorum queues by default. */
export function rabbitmqClusterManifest(input: BrokerInput): Manifest {
    const { service } = input;
    if (!service.rabbitmq) {
        throw new Error(`${service.name} is not a rabbitmq entry`);
    }
    return {
        apiVersion: RABBITMQ_API_VERSION,
        kind: "RabbitmqCluster",
        metadata: { name: service.name, namespace: service.namespace, labels: { "app.kubernetes.io/part-of": "svom-fsgs", "app.kubernetes.io/component": service.domain } },
        spec: {
            replicas: input.nodes,
            image: `${service.image.repository}:${service.image.tag}`,
            imagePullSecrets: [{ name: input.imagePullSecret }],
            // ClusterIP: clients are in the cluster; nothing outside reaches the broker.
            service: { type: "ClusterIP" },
            persistence: { storageClassName: input.storageClass, storage: service.storage?.size },
            // Requests equal to limits for memory: RabbitMQ sizes its memory alarm from the limit, and a node the
            // kubelet could evict under pressure would take a third of each quorum with it.
            resources: service.resources,
            affinity: affinity(input),
            ...(input.statefulPool ? { tolerations: [{ ...DEDICATED_TAINT, operator: "Equal" }] } : {}),
            rabbitmq: { additionalConfig: QUEUE_CONFIG },
        },
    };
}

/**
 * The NetworkPolicy of a broker's pods (the operator's StatefulSet `<name>-server`): the catalog's callers on the
 * ports they name; the inter-node ports from the other nodes only; the management API from the two operators (the
 * Cluster Operator reads the cluster's state there; the Topology Operator creates the clients' users) and from the
 * definitions export; 15692 from Prometheus. Out:
 * DNS, the other nodes, the API servers (the k8s peer discovery backend the operator configures, configmap.go).
 */
export function rabbitmqPolicyManifest(input: BrokerInput): Manifest<k8s.types.input.networking.v1.NetworkPolicySpec> {
    const { service } = input;
    const own = { podSelector: { matchLabels: { "app.kubernetes.io/name": service.name } } };
    const byCaller = new Map<string, { caller: ResolvedService; ports: Set<number> }>();
    for (const { caller, port } of callsTo(service, input.catalog)) {
        const number = service.ports.find((candidate) => candidate.name === port)?.port;
        if (number === undefined) {
            throw new Error(`${service.name} has no port ${port}`);
        }
        const entry = byCaller.get(`${caller.namespace}/${caller.name}`) ?? { caller, ports: new Set<number>() };
        entry.ports.add(number);
        byCaller.set(`${caller.namespace}/${caller.name}`, entry);
    }
    const tcp = (port: number) => ({ protocol: "TCP", port }) as const;
    const interNode = [tcp(RABBITMQ_PORTS.epmd), tcp(RABBITMQ_PORTS.distribution), { protocol: "TCP", port: RABBITMQ_PORTS.cliFirst, endPort: RABBITMQ_PORTS.cliLast } as const];
    const ingress = [
        ...[...byCaller.values()]
            .sort((a, b) => a.caller.name.localeCompare(b.caller.name))
            .map(({ caller, ports }) => ({
                from: [{ namespaceSelector: namespaceOf(caller.namespace), podSelector: { matchLabels: podSelectorLabels(caller) } }],
                ports: [...ports].sort((a, b) => a - b).map(tcp),
            })),
        { from: [own], ports: interNode },
        // The two operators' pods, not their whole namespace: nothing else there needs the administrator's API.
        {
            from: RABBITMQ_OPERATOR_POD_LABELS.map((labels) => ({ namespaceSelector: namespaceOf(RABBITMQ_OPERATOR_NAMESPACE), podSelector: { matchLabels: { ...labels } } })),
            ports: [tcp(RABBITMQ_PORTS.management)],
        },
        ...(input.backup && service.rabbitmq?.definitionsBackup
            ? [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": definitionsBackupName(service) } } }], ports: [tcp(RABBITMQ_PORTS.management)] }]
            : []),
        { from: [{ namespaceSelector: namespaceOf(PROMETHEUS_SCRAPER.namespace), podSelector: { matchLabels: { ...PROMETHEUS_SCRAPER.labels } } }], ports: [tcp(RABBITMQ_PORTS.prometheus)] },
    ];
    const egress = [
        dnsEgress(),
        { to: [own], ports: interNode },
        // The `kubernetes` Service is DNATed to the API servers' node addresses before the policy is evaluated.
        { to: [{ ipBlock: { cidr: input.nodeCidr } }], ports: [tcp(PORTS.kubeApi)] },
    ];
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: service.name, namespace: service.namespace },
        spec: { podSelector: own.podSelector, policyTypes: ["Ingress", "Egress"], ingress, egress },
    };
}

const namespaceOf = (namespace: string) => ({ matchLabels: { "kubernetes.io/metadata.name": namespace } });
const dnsEgress = () => ({
    to: [{ namespaceSelector: namespaceOf(CLUSTER_DNS.namespace), podSelector: { matchLabels: { ...CLUSTER_DNS.labels } } }],
    ports: [
        { protocol: "UDP", port: CLUSTER_DNS.port },
        { protocol: "TCP", port: CLUSTER_DNS.port },
    ],
});

/**
 * The export script: GET /api/definitions from the management API as the operator's default user (every user,
 * vhost, permission, policy, queue, exchange and binding, with password hashes, not passwords), check it is JSON with
 * the keys a later import needs, then PUT it to the object store signed by curl (--aws-sigv4), with the body's
 * sha256 the store verifies. The keys are read from files through a curl config, never on a command line.
 */
export function definitionsBackupScript(input: BrokerInput, backup: BackupConfig): string {
    const url = `http://${brokerHost(input.service)}:${RABBITMQ_PORTS.management}/api/definitions`;
    const target = `${backup.endpoint.replace(/\/$/, "")}/${backup.bucket}/${definitionsObjectPrefix(input)}`;
    return [
        "set -eu",
        "umask 077",
        // The day of the month names the object: a rolling month of copies, each replaced a month later.
        'day="$(date -u +%d)"',
        `printf 'user = "%s:%s"\\n' "$(cat /credentials/broker/username)" "$(cat /credentials/broker/password)" > /tmp/broker.curlrc`,
        `printf 'user = "%s:%s"\\n' "$(cat /credentials/s3/${BACKUP_SECRET_KEYS.accessKeyId})" "$(cat /credentials/s3/${BACKUP_SECRET_KEYS.secretAccessKey})" > /tmp/s3.curlrc`,
        `curl --fail --silent --show-error --config /tmp/broker.curlrc --output /tmp/definitions.json ${url}`,
        // An empty or truncated answer must fail the Job (and its alert), not overwrite a good copy.
        // One command a line: under `set -e` a failure inside an && list does not stop the script.
        ...["rabbit_version", "users", "vhosts", "permissions", "queues"].map((key) => `grep -q '"${key}"' /tmp/definitions.json`),
        'sha256="$(sha256sum /tmp/definitions.json | cut -d" " -f1)"',
        // The region barman-cloud's boto3 signs with when none is set, which the database archive on the same store relies on.
        `curl --fail --silent --show-error --config /tmp/s3.curlrc --aws-sigv4 aws:amz:us-east-1:s3 --header "x-amz-content-sha256: $sha256" --upload-file /tmp/definitions.json "${target}/definitions-$day.json"`,
        `echo "uploaded ${definitionsObjectPrefix(input)}/definitions-$day.json (sha256 $sha256)"`,
    ].join("\n");
}

/** The nightly export of the broker's definitions to the object store; undefined without backups or when the entry opts out. */
export function definitionsBackupCronJob(input: BrokerInput): Manifest<k8s.types.input.batch.v1.CronJobSpec> | undefined {
    const { service, backup } = input;
    if (!backup || !service.rabbitmq?.definitionsBackup) {
        return undefined;
    }
    const name = definitionsBackupName(service);
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "svom-fsgs", "app.kubernetes.io/component": service.domain };
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name, namespace: service.namespace, labels },
        spec: {
            schedule: DEFINITIONS_BACKUP_SCHEDULE,
            timeZone: "Etc/UTC",
            // A run still going the next night is stuck: start afresh rather than pile up.
            concurrencyPolicy: "Replace",
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                spec: {
                    backoffLimit: 3,
                    activeDeadlineSeconds: 600,
                    ttlSecondsAfterFinished: 7 * 24 * 3600,
                    template: {
                        metadata: { labels },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            imagePullSecrets: [{ name: input.imagePullSecret }],
                            securityContext: { runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name: "export",
                                    image: input.backupImage,
                                    command: ["/bin/sh", "-c", definitionsBackupScript(input, backup)],
                                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                    volumeMounts: [
                                        { name: "tmp", mountPath: "/tmp" },
                                        { name: "broker", mountPath: "/credentials/broker", readOnly: true },
                                        { name: "s3", mountPath: "/credentials/s3", readOnly: true },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                { name: "broker", secret: { secretName: defaultUserSecretName(service.name), items: [{ key: "username", path: "username" }, { key: "password", path: "password" }] } },
                                { name: "s3", secret: { secretName: brokerBackupSecretName(service) } },
                            ],
                        },
                    },
                },
            },
        },
    };
}

/** The export's own policy: out to DNS, the broker's management API and the object store; nothing in. */
export function definitionsBackupPolicyManifest(input: BrokerInput): Manifest<k8s.types.input.networking.v1.NetworkPolicySpec> | undefined {
    const { service, backup } = input;
    if (!backup || !service.rabbitmq?.definitionsBackup) {
        return undefined;
    }
    const name = definitionsBackupName(service);
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace: service.namespace },
        spec: {
            podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
            policyTypes: ["Ingress", "Egress"],
            ingress: [],
            egress: [
                dnsEgress(),
                { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": service.name } } }], ports: [{ protocol: "TCP", port: RABBITMQ_PORTS.management }] },
                { to: backup.endpointCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: HTTPS_PORT }] },
            ],
        },
    };
}

/** Every object of one broker, in the order they can be applied (the object store Secret aside: it carries secrets). */
export function rabbitmqManifests(input: BrokerInput): Manifest<unknown>[] {
    const all: (Manifest<unknown> | undefined)[] = [rabbitmqPolicyManifest(input), rabbitmqClusterManifest(input), definitionsBackupPolicyManifest(input), definitionsBackupCronJob(input)];
    return all.filter((manifest): manifest is Manifest<unknown> => manifest !== undefined);
}
