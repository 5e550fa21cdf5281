import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupConfig, RestoreConfig } from "../../config/data-schema";
import type { ResolvedService } from "../service-defaults";
import { BACKUP_SECRET_KEYS, backupSecretName, clusterManifest, type PostgresInput, postgresPolicyManifest, restoreManifest, scheduledBackupManifest } from "./postgres-manifests";

/** What the stack decides for all its databases; FsgsServices turns it into one PostgresInput per entry. */
export interface DatabaseContext {
    /** Instances per database and whether the clusters are protected from deletion (config/profile.ts). */
    instances: number;
    protect: boolean;
    /** Nodes the instances may go to (the stateful pool, or all workers without one). */
    placementNodes: number;
    storageClass: string;
    backup?: BackupConfig;
    backupCredentials?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
    restore?: RestoreConfig;
    stackName: string;
    nodeCidr: string;
    /** The operator release: its CRDs and webhook come first. */
    operator: pulumi.Resource;
}

/** The manifests' input for one entry of the catalog. */
export function postgresInput(
    service: ResolvedService,
    databases: DatabaseContext,
    workloads: { statefulPool: boolean; imagePullSecret: string; catalog: readonly ResolvedService[] },
): PostgresInput {
    return {
        service,
        instances: databases.instances,
        placementNodes: databases.placementNodes,
        statefulPool: workloads.statefulPool,
        storageClass: databases.storageClass,
        imagePullSecret: workloads.imagePullSecret,
        backup: databases.backup,
        stackName: databases.stackName,
        nodeCidr: databases.nodeCidr,
        catalog: workloads.catalog,
    };
}

export interface PostgresClusterArgs {
    /** Everything the manifests need (postgres-manifests.ts). */
    input: PostgresInput;
    /** The object store key pair, Pulumi secrets; required when `input.backup` is set. */
    backupCredentials?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
    /** A point-in-time restore to create beside the cluster (README "Restore a database"). */
    restore?: RestoreConfig;
    /** Refuse a delete of the Cluster (its volumes are the database). */
    protect: boolean;
    /** The domain namespace and the operator (its CRDs and webhook) the objects need first. */
    dependsOn: pulumi.Resource[];
}

/** One catalog database as a CloudNativePG cluster, with its archive credentials, base backups and policy. */
export class PostgresCluster extends pulumi.ComponentResource {
    constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:kubernetes:PostgresCluster", name, {}, opts);
        const options = { parent: this, dependsOn: args.dependsOn };
        const { input } = args;
        const policy = postgresPolicyManifest(input);
        new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, { metadata: policy.metadata, spec: policy.spec }, options);
        const afterSecret: pulumi.Resource[] = [...args.dependsOn];
        if (input.backup) {
            if (!args.backupCredentials) {
                throw new Error(`${name}: data.backup is set but the object store key pair is missing`);
            }
            const secret = new k8s.core.v1.Secret(
                `${name}-backup-s3`,
                {
                    metadata: { name: backupSecretName(input.service), namespace: input.service.namespace },
                    // stringData from secret outputs: the provider keeps the whole Secret a secret in the state.
                    stringData: {
                        [BACKUP_SECRET_KEYS.accessKeyId]: args.backupCredentials.accessKeyId,
                        [BACKUP_SECRET_KEYS.secretAccessKey]: args.backupCredentials.secretAccessKey,
                    },
                },
                options,
            );
            afterSecret.push(secret);
        }
        const cluster = clusterManifest(input);
        const clusterResource = new k8s.apiextensions.CustomResource(
            `${name}-cluster`,
            { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: cluster.metadata, spec: cluster.spec },
            // The volumes hold the database: an accidental delete in a plan must stop the update.
            { ...options, dependsOn: afterSecret, protect: args.protect },
        );
        const scheduled = scheduledBackupManifest(input);
        if (scheduled) {
            new k8s.apiextensions.CustomResource(
                `${name}-scheduled-backup`,
                { apiVersion: scheduled.apiVersion, kind: scheduled.kind, metadata: scheduled.metadata, spec: scheduled.spec },
                { ...options, dependsOn: [clusterResource] },
            );
        }
        if (args.restore && args.restore.database === input.service.name) {
            const restored = restoreManifest(input, args.restore);
            new k8s.apiextensions.CustomResource(
                `${name}-restore`,
                { apiVersion: restored.apiVersion, kind: restored.kind, metadata: restored.metadata, spec: restored.spec },
                { ...options, dependsOn: afterSecret },
            );
        }
        this.registerOutputs({});
    }
}
