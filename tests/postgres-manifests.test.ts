/**
 * The CloudNativePG objects of one catalog database (components/kubernetes/data/postgres-manifests.ts), called
 * directly, every field a user relies on written out: instances, volume size, placement, WAL archive, backup
 * schedule and retention, the restore, and the NetworkPolicy. Field names and meanings are CloudNativePG 1.30's
 * (cloudnative-pg.io/documentation/1.30: "API reference" Cluster/ScheduledBackup, "Backup on object stores",
 * "Recovery", "Service management", "Scheduling"); the objects are checked against the vendored CRDs by
 * tests/cloudnative-pg.test.ts on whole stacks.
 */
import type { BackupConfig } from "../components/config/data-schema";
import { environmentProfile } from "../components/config/profile";
import { serviceSchema, type ServiceInput } from "../components/config/service-schema";
import { CNPG_API_VERSION, CNPG_CLUSTER_LABEL, CNPG_NAMESPACE, podSelectorLabels } from "../components/kubernetes/data/cnpg";
import {
    BACKUP_SECRET_KEYS,
    backupSecretName,
    clusterManifest,
    type PostgresInput,
    postgresManifests,
    postgresPolicyManifest,
    readOnlyHost,
    readWriteHost,
    restoredClusterName,
    restoreManifest,
    scheduledBackupManifest,
} from "../components/kubernetes/data/postgres-manifests";
import { type ResolvedService, resolveService } from "../components/kubernetes/service-defaults";

const resolve = (entry: Omit<ServiceInput, "image"> & { image?: ServiceInput["image"] }): ResolvedService =>
    resolveService(serviceSchema.parse({ image: { repository: "registry.example.org/svom/postgresql", tag: "17.5-1" }, ...entry }), undefined, environmentProfile("prod"));

const database = (postgresql: { readOnlyService?: boolean } = {}) =>
    resolve({
        name: "catalog-db",
        domain: "archive",
        ports: [{ name: "postgresql", port: 5432 }],
        storage: { size: "200Gi", mountPath: "/var/lib/postgresql/data" },
        resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        postgresql: { database: "catalog", owner: "archivist", ...postgresql },
        allowFrom: ["archive", "web/portal"],
    });

const BACKUP: BackupConfig = {
    endpoint: "https://s3.example.org",
    endpointCidrs: ["198.51.100.10/32", "198.51.100.11/32"],
    bucket: "fsgs-backups",
    retentionDays: 30,
    baseBackupSchedule: "0 30 3 * * *",
};

function input(overrides: Partial<PostgresInput> = {}): PostgresInput {
    const service = overrides.service ?? database();
    return {
        service,
        instances: 3,
        placementNodes: 5,
        statefulPool: true,
        storageClass: "cinder-ssd",
        imagePullSecret: "gitlab-registry",
        backup: BACKUP,
        stackName: "fsgs-prod",
        nodeCidr: "192.168.10.0/24",
        catalog: [service],
        ...overrides,
    };
}

const OBJECT_STORE = {
    destinationPath: "s3://fsgs-backups/fsgs-prod",
    endpointURL: "https://s3.example.org",
    s3Credentials: {
        accessKeyId: { name: "catalog-db-backup-s3", key: "ACCESS_KEY_ID" },
        secretAccessKey: { name: "catalog-db-backup-s3", key: "ACCESS_SECRET_KEY" },
    },
    wal: { compression: "gzip", maxParallel: 4 },
    data: { compression: "gzip" },
};

const COMMON_SPEC = {
    instances: 3,
    imageName: "registry.example.org/svom/postgresql:17.5-1",
    imagePullSecrets: [{ name: "gitlab-registry" }],
    primaryUpdateStrategy: "unsupervised",
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
    affinity: {
        enablePodAntiAffinity: true,
        topologyKey: "kubernetes.io/hostname",
        podAntiAffinityType: "required",
        nodeSelector: { "fsgs.svom.eu/pool-role": "stateful" },
        tolerations: [{ key: "fsgs.svom.eu/dedicated", value: "stateful", effect: "NoSchedule", operator: "Equal" }],
    },
    storage: { size: "200Gi", storageClass: "cinder-ssd" },
    inheritedMetadata: { labels: { "app.kubernetes.io/part-of": "svom-fsgs", "app.kubernetes.io/component": "archive" } },
    enableSuperuserAccess: false,
};

describe("the Cluster of a database", () => {
    it("runs the environment's instances of the entry's image on 200Gi volumes, archiving WAL to the stack's folder of the bucket", () => {
        expect(clusterManifest(input())).toEqual({
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Cluster",
            metadata: { name: "catalog-db", namespace: "fsgs-archive" },
            spec: {
                ...COMMON_SPEC,
                bootstrap: { initdb: { database: "catalog", owner: "archivist" } },
                backup: { barmanObjectStore: OBJECT_STORE, retentionPolicy: "30d" },
                managed: { services: { disabledDefaultServices: ["ro"] } },
            },
        });
    });

    it("requires one node an instance only where there are enough nodes, and prefers it otherwise", () => {
        const type = (placementNodes: number, instances: number) => (clusterManifest(input({ placementNodes, instances })).spec.affinity as { podAntiAffinityType: string }).podAntiAffinityType;
        expect(type(3, 3)).toBe("required");
        expect(type(4, 3)).toBe("required");
        expect(type(2, 3)).toBe("preferred");
        expect(type(1, 1)).toBe("required");
    });

    it("stays off any dedicated pool where the stack has none", () => {
        expect(clusterManifest(input({ statefulPool: false })).spec.affinity).toEqual({
            enablePodAntiAffinity: true,
            topologyKey: "kubernetes.io/hostname",
            podAntiAffinityType: "required",
        });
    });

    it("has no backup section where the stack has no object store", () => {
        const spec = clusterManifest(input({ backup: undefined })).spec;
        expect(Object.keys(spec).sort()).toEqual([...Object.keys(COMMON_SPEC), "bootstrap", "managed"].sort());
    });

    it("serves the read-only Service only where the entry asks for it", () => {
        expect(clusterManifest(input({ service: database({ readOnlyService: true }) })).spec.managed).toEqual({ services: { disabledDefaultServices: [] } });
        expect(clusterManifest(input({ service: database({ readOnlyService: false }) })).spec.managed).toEqual({ services: { disabledDefaultServices: ["ro"] } });
    });

    it("refuses an entry that is not a database", () => {
        const web = resolve({ name: "portal", domain: "web", ports: [{ name: "http", port: 80 }] });
        expect(() => clusterManifest(input({ service: web }))).toThrow("portal is not a postgresql entry");
    });
});

describe("the base backups", () => {
    it("run on the stack's schedule, once right after creation, owned by the ScheduledBackup", () => {
        expect(scheduledBackupManifest(input())).toEqual({
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "ScheduledBackup",
            metadata: { name: "catalog-db-base", namespace: "fsgs-archive" },
            spec: { schedule: "0 30 3 * * *", cluster: { name: "catalog-db" }, method: "barmanObjectStore", immediate: true, backupOwnerReference: "self" },
        });
    });

    it("do not exist without an object store", () => {
        expect(scheduledBackupManifest(input({ backup: undefined }))).toBeUndefined();
    });

    it("read their key pair from <name>-backup-s3, under the keys the Secret is written with", () => {
        expect(backupSecretName(database())).toBe("catalog-db-backup-s3");
        expect(BACKUP_SECRET_KEYS).toEqual({ accessKeyId: "ACCESS_KEY_ID", secretAccessKey: "ACCESS_SECRET_KEY" });
    });
});

describe("a point-in-time restore", () => {
    const RESTORE = { database: "catalog-db", targetTime: "2026-12-02T21:15:00Z" };

    it("is a new cluster beside the running one, recovered from the original archive to the instant asked", () => {
        expect(restoredClusterName(database())).toBe("catalog-db-restore");
        expect(restoreManifest(input(), RESTORE)).toEqual({
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Cluster",
            metadata: { name: "catalog-db-restore", namespace: "fsgs-archive" },
            spec: {
                ...COMMON_SPEC,
                bootstrap: { recovery: { source: "catalog-db-archive", recoveryTarget: { targetTime: "2026-12-02T21:15:00Z" } } },
                externalClusters: [{ name: "catalog-db-archive", barmanObjectStore: { ...OBJECT_STORE, serverName: "catalog-db" } }],
                backup: { barmanObjectStore: OBJECT_STORE, retentionPolicy: "30d" },
            },
        });
    });

    it("needs the object store the archive is in", () => {
        expect(() => restoreManifest(input({ backup: undefined }), RESTORE)).toThrow("catalog-db: a restore needs data.backup, where the archive is");
    });

    it("is rendered with the database's other objects only when it names this database", () => {
        expect(postgresManifests(input(), RESTORE).map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
            "NetworkPolicy/catalog-db",
            "Cluster/catalog-db",
            "ScheduledBackup/catalog-db-base",
            "Cluster/catalog-db-restore",
        ]);
        expect(postgresManifests(input(), { ...RESTORE, database: "other-db" }).map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
            "NetworkPolicy/catalog-db",
            "Cluster/catalog-db",
            "ScheduledBackup/catalog-db-base",
        ]);
        expect(postgresManifests(input({ backup: undefined })).map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(["NetworkPolicy/catalog-db", "Cluster/catalog-db"]);
    });
});

describe("the clients' host names", () => {
    it("are the operator's -rw (the primary) and -ro (the standbys) Services in the database's namespace", () => {
        expect(readWriteHost(database())).toBe("catalog-db-rw.fsgs-archive.svc");
        expect(readOnlyHost(database())).toBe("catalog-db-ro.fsgs-archive.svc");
    });
});

describe("the NetworkPolicy of a database", () => {
    const namespace = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });
    const OWN = { podSelector: { matchLabels: { "cnpg.io/cluster": "catalog-db" } } };
    const POSTGRES = { protocol: "TCP", port: 5432 };
    const STATUS = { protocol: "TCP", port: 8000 };
    const DNS = {
        to: [{ namespaceSelector: namespace("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    };
    const PROMETHEUS = {
        from: [{ namespaceSelector: namespace("monitoring"), podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "kps-prometheus" } } }],
        ports: [{ protocol: "TCP", port: 9187 }],
    };

    it("admits each admitted caller once on 5432, the instances and the operator on the status port, and Prometheus on 9187", () => {
        const service = database();
        const portal = resolve({ name: "portal", domain: "web", connectsTo: ["archive/catalog-db:postgresql"] });
        const indexer = resolve({ name: "indexer", domain: "archive", connectsTo: ["archive/catalog-db:postgresql", "archive/catalog-db"] });
        const stranger = resolve({ name: "stranger", domain: "web", connectsTo: ["archive/catalog-db:postgresql"] });
        const policy = postgresPolicyManifest(input({ service, catalog: [portal, stranger, service, indexer] }));
        expect(policy.apiVersion).toBe("networking.k8s.io/v1");
        expect(policy.kind).toBe("NetworkPolicy");
        expect(policy.metadata).toEqual({ name: "catalog-db", namespace: "fsgs-archive" });
        expect(policy.spec.podSelector).toEqual({ matchLabels: { "cnpg.io/cluster": "catalog-db" } });
        expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
        expect(policy.spec.ingress).toEqual([
            {
                from: [
                    { namespaceSelector: namespace("fsgs-archive"), podSelector: { matchLabels: { "app.kubernetes.io/name": "indexer" } } },
                    { namespaceSelector: namespace("fsgs-web"), podSelector: { matchLabels: { "app.kubernetes.io/name": "portal" } } },
                ],
                ports: [POSTGRES],
            },
            { from: [OWN], ports: [POSTGRES, STATUS] },
            { from: [{ namespaceSelector: namespace("cnpg-system") }], ports: [STATUS] },
            PROMETHEUS,
        ]);
    });

    it("has no caller rule, rather than an every-source one, where nobody calls", () => {
        expect(postgresPolicyManifest(input()).spec.ingress).toEqual([
            { from: [OWN], ports: [POSTGRES, STATUS] },
            { from: [{ namespaceSelector: namespace("cnpg-system") }], ports: [STATUS] },
            PROMETHEUS,
        ]);
    });

    it("lets the pods out to DNS, each other, the API servers and the object store's addresses on 443", () => {
        expect(postgresPolicyManifest(input()).spec.egress).toEqual([
            DNS,
            { to: [OWN], ports: [POSTGRES, STATUS] },
            { to: [{ ipBlock: { cidr: "192.168.10.0/24" } }], ports: [{ protocol: "TCP", port: 6443 }] },
            { to: [{ ipBlock: { cidr: "198.51.100.10/32" } }, { ipBlock: { cidr: "198.51.100.11/32" } }], ports: [{ protocol: "TCP", port: 443 }] },
        ]);
        expect(postgresPolicyManifest(input({ backup: undefined })).spec.egress).toEqual([
            DNS,
            { to: [OWN], ports: [POSTGRES, STATUS] },
            { to: [{ ipBlock: { cidr: "192.168.10.0/24" } }], ports: [{ protocol: "TCP", port: 6443 }] },
        ]);
    });
});

describe("the CloudNativePG names", () => {
    it("are the operator's API group, namespace and cluster label (v1.30.0), and select a database by that label", () => {
        expect(CNPG_API_VERSION).toBe("postgresql.cnpg.io/v1");
        expect(CNPG_NAMESPACE).toBe("cnpg-system");
        expect(CNPG_CLUSTER_LABEL).toBe("cnpg.io/cluster");
        expect(podSelectorLabels({ name: "catalog-db", postgresql: { database: "catalog", owner: "archivist", readOnlyService: false } })).toEqual({ "cnpg.io/cluster": "catalog-db" });
        expect(podSelectorLabels({ name: "portal", postgresql: undefined })).toEqual({ "app.kubernetes.io/name": "portal" });
    });
});
