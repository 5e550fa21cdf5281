import type * as k8s from "@pulumi/kubernetes";
import { callsTo } from "../../config/catalog-references";
import type { BackupConfig, RestoreConfig } from "../../config/data-schema";
import { DEDICATED_TAINT, POOL_ROLE_LABEL } from "../../config/pools";
import { PORTS } from "../../config/ports";
import { POSTGRESQL_PORT } from "../../config/postgresql-entry";
import { CLUSTER_DNS } from "../network-policy";
import { metricsTarget, prometheusIngressRule } from "../metrics-targets";
import { CNPG_API_VERSION, CNPG_CLUSTER_LABEL, CNPG_NAMESPACE, podSelectorLabels } from "./cnpg";
import type { ResolvedService } from "../service-defaults";

// The instance manager's HTTP status port, which the operator polls (pkg/management/url/url.go, StatusPort = 8000, v1.30.0).
const STATUS_PORT = 8000;
const HTTPS_PORT = 443;

/** What the stack decides for one stateful service (a database, a broker), beyond its catalog entry. */
export interface StatefulServiceInput {
    /** The catalog entry (with `postgresql` or `rabbitmq`), resolved for the stack. */
    service: ResolvedService;
    /** Nodes the pods may go to: anti-affinity is required only where there are enough of them. */
    placementNodes: number;
    /** Whether a dedicated stateful pool exists: the pods then run there, tolerating its taint. */
    statefulPool: boolean;
    /** The Cinder StorageClass. */
    storageClass: string;
    imagePullSecret: string;
    /** The object store (and retention) backups go to; absent in a stack without backups (integration). */
    backup?: BackupConfig;
    /** Folder of this stack in the bucket, so stacks sharing a bucket never mix their archives. */
    stackName: string;
    /** Node subnet (the API servers listen there) and the whole resolved catalog (the callers). */
    nodeCidr: string;
    catalog: readonly ResolvedService[];
}

/** What the stack decides for one database. */
export interface PostgresInput extends StatefulServiceInput {
    /** Instances of the cluster (config/profile.ts). */
    instances: number;
}

export interface Manifest<Spec = Record<string, unknown>> {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels?: Record<string, string> };
    spec: Spec;
}

/** The Secret the object store key pair is written to, in the database's namespace. */
export function backupSecretName(service: ResolvedService): string {
    return `${service.name}-backup-s3`;
}

/** Keys of that Secret, as barmanObjectStore.s3Credentials names them. */
export const BACKUP_SECRET_KEYS = { accessKeyId: "ACCESS_KEY_ID", secretAccessKey: "ACCESS_SECRET_KEY" } as const;

/** The read-write Service of a database, which clients use: always the current primary (docs "Service management"). */
export function readWriteHost(service: Pick<ResolvedService, "name" | "namespace">): string {
    return `${service.name}-rw.${service.namespace}.svc`;
}

/** The read-only Service: the standbys only. */
export function readOnlyHost(service: Pick<ResolvedService, "name" | "namespace">): string {
    return `${service.name}-ro.${service.namespace}.svc`;
}

/** The barman object store of a cluster: WAL and base backups under s3://bucket/<stack>/<serverName>/. */
function objectStore(input: PostgresInput, backup: BackupConfig): Record<string, unknown> {
    const secret = backupSecretName(input.service);
    return {
        destinationPath: `s3://${backup.bucket}/${input.stackName}`,
        endpointURL: backup.endpoint,
        s3Credentials: {
            accessKeyId: { name: secret, key: BACKUP_SECRET_KEYS.accessKeyId },
            secretAccessKey: { name: secret, key: BACKUP_SECRET_KEYS.secretAccessKey },
        },
        // Compressed WAL: the archive grows with write traffic, not with the database size.
        wal: { compression: "gzip", maxParallel: 4 },
        data: { compression: "gzip" },
    };
}

function placement(input: PostgresInput): Record<string, unknown> {
    // Required anti-affinity with fewer nodes than instances would leave an instance pending forever: it is
    // required only where every instance can get a node of its own.
    const spread = input.placementNodes >= input.instances ? "required" : "preferred";
    return {
        enablePodAntiAffinity: true,
        topologyKey: "kubernetes.io/hostname",
        podAntiAffinityType: spread,
        ...(input.statefulPool
            ? { nodeSelector: { [POOL_ROLE_LABEL]: "stateful" }, tolerations: [{ ...DEDICATED_TAINT, operator: "Equal" }] }
            : {}),
    };
}

/** The spec shared by the cluster and a restore of it: image, size, placement, storage, archive. */
function commonSpec(input: PostgresInput): Record<string, unknown> {
    const { service } = input;
    return {
        instances: input.instances,
        imageName: `${service.image.repository}:${service.image.tag}`,
        imagePullSecrets: [{ name: input.imagePullSecret }],
        // Switchover and upgrades of the primary without an operator at the keyboard; clients follow the -rw Service.
        primaryUpdateStrategy: "unsupervised",
        resources: service.resources,
        affinity: placement(input),
        storage: { size: service.storage?.size, storageClass: input.storageClass },
        // A readable label on the objects the operator makes, besides its own cnpg.io/cluster.
        inheritedMetadata: { labels: { "app.kubernetes.io/part-of": "svom-fsgs", "app.kubernetes.io/component": service.domain } },
        enableSuperuserAccess: false,
    };
}

/** The backup section: continuous WAL archiving to the object store, and what is kept there. */
function backupSection(input: PostgresInput): Record<string, unknown> {
    if (!input.backup) {
        return {};
    }
    return { backup: { barmanObjectStore: objectStore(input, input.backup), retentionPolicy: `${input.backup.retentionDays}d` } };
}

/** The `Cluster` of a catalog database: instances, placement, storage, WAL archive, and the application database. */
export function clusterManifest(input: PostgresInput): Manifest {
    const { service } = input;
    if (!service.postgresql) {
        throw new Error(`${service.name} is not a postgresql entry`);
    }
    return {
        apiVersion: CNPG_API_VERSION,
        kind: "Cluster",
        metadata: { name: service.name, namespace: service.namespace },
        spec: {
            ...commonSpec(input),
            // The operator creates the owner with a random password and writes it to the basic-auth Secret <name>-app
            // (docs "Bootstrap", initdb): the password never passes through the Pulumi state.
            bootstrap: { initdb: { database: service.postgresql.database, owner: service.postgresql.owner } },
            ...backupSection(input),
            // -rw and -r always exist; -ro only where an entry asks for it (docs "Service management").
            managed: { services: { disabledDefaultServices: service.postgresql.readOnlyService ? [] : ["ro"] } },
        },
    };
}

/** The daily (or as configured) base backup; with WAL archiving it makes every second of the window restorable. */
export function scheduledBackupManifest(input: PostgresInput): Manifest | undefined {
    if (!input.backup) {
        return undefined;
    }
    return {
        apiVersion: CNPG_API_VERSION,
        kind: "ScheduledBackup",
        metadata: { name: `${input.service.name}-base`, namespace: input.service.namespace },
        spec: {
            schedule: input.backup.baseBackupSchedule,
            cluster: { name: input.service.name },
            method: "barmanObjectStore",
            // A first base backup right after creation: without it, the archive cannot be restored until the first schedule.
            immediate: true,
            // The Backup objects belong to the ScheduledBackup; the retention policy removes the object-store data.
            backupOwnerReference: "self",
        },
    };
}

/** The name of the cluster a restore creates beside the running one. */
export function restoredClusterName(service: Pick<ResolvedService, "name">): string {
    return `${service.name}-restore`;
}

/**
 * A new cluster recovered from the object store to `targetTime` (docs "Recovery", bootstrap.recovery with
 * recoveryTarget.targetTime): base backup before that instant, then WAL replayed up to it. It archives to its
 * own folder (its own serverName), so the original archive is only read.
 */
export function restoreManifest(input: PostgresInput, restore: RestoreConfig): Manifest {
    const { service } = input;
    if (!input.backup) {
        throw new Error(`${service.name}: a restore needs data.backup, where the archive is`);
    }
    const source = `${service.name}-archive`;
    return {
        apiVersion: CNPG_API_VERSION,
        kind: "Cluster",
        metadata: { name: restoredClusterName(service), namespace: service.namespace },
        spec: {
            ...commonSpec(input),
            bootstrap: { recovery: { source, recoveryTarget: { targetTime: restore.targetTime } } },
            externalClusters: [{ name: source, barmanObjectStore: { ...objectStore(input, input.backup), serverName: service.name } }],
            ...backupSection(input),
        },
    };
}

const namespaceOf = (namespace: string) => ({ matchLabels: { "kubernetes.io/metadata.name": namespace } });

/**
 * The NetworkPolicy of a database's pods (instances and the operator's bootstrap jobs, all labelled cnpg.io/cluster):
 * the catalog's callers on 5432, the other instances (replication, pg_basebackup of a joining standby) and the
 * operator on the status port; out to DNS, the other instances, the API servers and the object store.
 */
export function postgresPolicyManifest(input: PostgresInput): Manifest<k8s.types.input.networking.v1.NetworkPolicySpec> {
    const { service } = input;
    const own = { podSelector: { matchLabels: { [CNPG_CLUSTER_LABEL]: service.name } } };
    const callers = [...new Map(callsTo(service, input.catalog).map(({ caller }) => [`${caller.namespace}/${caller.name}`, caller])).values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((caller) => ({ namespaceSelector: namespaceOf(caller.namespace), podSelector: { matchLabels: podSelectorLabels(caller) } }));
    const postgres = { protocol: "TCP", port: POSTGRESQL_PORT } as const;
    const status = { protocol: "TCP", port: STATUS_PORT } as const;
    const ingress = [
        ...(callers.length > 0 ? [{ from: callers, ports: [postgres] }] : []),
        { from: [own], ports: [postgres, status] },
        { from: [{ namespaceSelector: namespaceOf(CNPG_NAMESPACE) }], ports: [status] },
        // Prometheus scrapes the instances' exporter (metrics-targets.ts).
        prometheusIngressRule(metricsTarget(service)!),
    ];
    const egress = [
        {
            to: [{ namespaceSelector: namespaceOf(CLUSTER_DNS.namespace), podSelector: { matchLabels: { ...CLUSTER_DNS.labels } } }],
            ports: [
                { protocol: "UDP", port: CLUSTER_DNS.port },
                { protocol: "TCP", port: CLUSTER_DNS.port },
            ],
        },
        { to: [own], ports: [postgres, status] },
        // The `kubernetes` Service is DNATed to the API servers' node addresses before the policy is evaluated.
        { to: [{ ipBlock: { cidr: input.nodeCidr } }], ports: [{ protocol: "TCP", port: PORTS.kubeApi } as const] },
        ...(input.backup ? [{ to: input.backup.endpointCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: HTTPS_PORT } as const] }] : []),
    ];
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: service.name, namespace: service.namespace },
        spec: { podSelector: own.podSelector, policyTypes: ["Ingress", "Egress"], ingress, egress },
    };
}

/** Every object of one database, in the order they can be applied. */
export function postgresManifests(input: PostgresInput, restore?: RestoreConfig): Manifest<unknown>[] {
    const scheduled = scheduledBackupManifest(input);
    return [
        postgresPolicyManifest(input),
        clusterManifest(input),
        ...(scheduled ? [scheduled] : []),
        ...(restore && restore.database === input.service.name ? [restoreManifest(input, restore)] : []),
    ];
}
