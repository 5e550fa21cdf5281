import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { BackupConfig } from "../../config/data-schema";
import type { ResolvedService } from "../service-defaults";
import { BACKUP_SECRET_KEYS } from "./postgres-manifests";
import {
    brokerBackupSecretName,
    type BrokerInput,
    definitionsBackupCronJob,
    definitionsBackupPolicyManifest,
    rabbitmqClusterManifest,
    rabbitmqPolicyManifest,
} from "./rabbitmq-manifests";
import { type BrokerUser, brokerPermissionManifest, brokerUserManifest, brokerUsers, CREDENTIAL_KEYS } from "./rabbitmq-users";

/** What the stack decides for all its brokers; FsgsServices turns it into one BrokerInput per entry. */
export interface BrokerContext {
    /** Nodes per broker and whether the clusters are protected from deletion (config/data-protection.ts). */
    nodes: number;
    protect: boolean;
    placementNodes: number;
    storageClass: string;
    backup?: BackupConfig;
    backupCredentials?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
    stackName: string;
    nodeCidr: string;
    /** The image of the definitions export (a mirror of curlimages/curl). */
    backupImage: string;
    /** The operator (its CRD and webhook) every RabbitmqCluster needs first. */
    operator: pulumi.Resource;
    /** The Messaging Topology Operator (its CRDs and webhook) the clients' User and Permission objects need first. */
    topologyOperator: pulumi.Resource;
}

/** The manifests' input for one entry of the catalog. */
export function brokerInput(
    service: ResolvedService,
    brokers: BrokerContext,
    workloads: { statefulPool: boolean; imagePullSecret: string; catalog: readonly ResolvedService[] },
): BrokerInput {
    return {
        service,
        nodes: brokers.nodes,
        placementNodes: brokers.placementNodes,
        statefulPool: workloads.statefulPool,
        storageClass: brokers.storageClass,
        imagePullSecret: workloads.imagePullSecret,
        backup: brokers.backup,
        stackName: brokers.stackName,
        nodeCidr: brokers.nodeCidr,
        catalog: workloads.catalog,
        backupImage: brokers.backupImage,
    };
}

export interface RabbitmqBrokerArgs {
    input: BrokerInput;
    /** The object store key pair, Pulumi secrets; required when the definitions are backed up. */
    backupCredentials?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
    /** Refuse a delete of the RabbitmqCluster (its claims, owned by it, hold the queues). */
    protect: boolean;
    /** The domain namespace and the operator the objects need first. */
    dependsOn: pulumi.Resource[];
    /** The Messaging Topology Operator, which turns the clients' User and Permission objects into broker users. */
    topologyOperator: pulumi.Resource;
    /** Each domain namespace by name: a client's credentials Secret goes in its own. */
    namespaces: ReadonlyMap<string, pulumi.Resource>;
}

/** One catalog broker as a RabbitmqCluster, with its policy and the nightly export of its definitions. */
export class RabbitmqBroker extends pulumi.ComponentResource {
    constructor(name: string, args: RabbitmqBrokerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:kubernetes:RabbitmqBroker", name, {}, opts);
        const options = { parent: this, dependsOn: args.dependsOn };
        const { input } = args;
        const policy = rabbitmqPolicyManifest(input);
        new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, { metadata: policy.metadata, spec: policy.spec }, options);
        const cluster = rabbitmqClusterManifest(input);
        const clusterResource = new k8s.apiextensions.CustomResource(
            `${name}-cluster`,
            { apiVersion: cluster.apiVersion, kind: cluster.kind, metadata: cluster.metadata, spec: cluster.spec },
            // The operator's claims belong to the RabbitmqCluster (v2.22.3 sets it as their controller): deleting it
            // deletes the queues' data.
            { ...options, protect: args.protect },
        );
        for (const user of brokerUsers(input.service, input.catalog)) {
            this.clientUser(name, user, { ...args, cluster: clusterResource });
        }
        const cronJob = definitionsBackupCronJob(input);
        const backupPolicy = definitionsBackupPolicyManifest(input);
        if (cronJob && backupPolicy) {
            if (!args.backupCredentials) {
                throw new Error(`${name}: data.backup is set but the object store key pair is missing`);
            }
            const secret = new k8s.core.v1.Secret(
                `${name}-backup-s3`,
                {
                    metadata: { name: brokerBackupSecretName(input.service), namespace: input.service.namespace },
                    // stringData from secret outputs: the provider keeps the whole Secret a secret in the state.
                    stringData: {
                        [BACKUP_SECRET_KEYS.accessKeyId]: args.backupCredentials.accessKeyId,
                        [BACKUP_SECRET_KEYS.secretAccessKey]: args.backupCredentials.secretAccessKey,
                    },
                },
                options,
            );
            new k8s.networking.v1.NetworkPolicy(`${name}-definitions-backup-netpol`, { metadata: backupPolicy.metadata, spec: backupPolicy.spec }, options);
            new k8s.batch.v1.CronJob(
                `${name}-definitions-backup`,
                { metadata: cronJob.metadata, spec: cronJob.spec },
                // The default user's Secret exists once the operator has reconciled the cluster.
                { ...options, dependsOn: [...args.dependsOn, clusterResource, secret] },
            );
        }
        this.registerOutputs({});
    }

    /**
     * One client's user. Its password is a RandomPassword, a Pulumi secret in the state (the provider marks `result`
     * secret, and it is wrapped again here), written into two Secrets whose whole content the provider then keeps
     * secret: the one the User imports in the broker's namespace, and the client's copy in its own namespace (a pod
     * cannot read a Secret of another namespace). Kept in the state, the password is the same at every `up`.
     */
    private clientUser(name: string, user: BrokerUser, args: RabbitmqBrokerArgs & { cluster: pulumi.Resource }): void {
        const { service } = args.input;
        const prefix = `${name}-${user.client.name}`;
        const clientNamespace = args.namespaces.get(user.client.namespace);
        if (!clientNamespace) {
            throw new Error(`${prefix}: no namespace ${user.client.namespace} for the client's credentials`);
        }
        // Letters and digits only: a client may put it in an amqp:// URI, where : @ / and % would need escaping.
        const password = new random.RandomPassword(`${prefix}-password`, { length: 32, special: false }, { parent: this });
        const stringData = { [CREDENTIAL_KEYS.username]: pulumi.output(user.username), [CREDENTIAL_KEYS.password]: pulumi.secret(password.result) };
        const imported = new k8s.core.v1.Secret(
            `${prefix}-credentials`,
            { metadata: { name: user.importSecret, namespace: service.namespace }, stringData },
            { parent: this, dependsOn: args.dependsOn },
        );
        new k8s.core.v1.Secret(
            `${prefix}-client-credentials`,
            { metadata: { name: user.clientSecret, namespace: user.client.namespace }, stringData },
            { parent: this, dependsOn: [clientNamespace] },
        );
        // After the cluster and the topology operator, and deleted before either: the operator's finalizer deletes the
        // user from the running broker.
        const after = [...args.dependsOn, args.cluster, args.topologyOperator];
        const userManifest = brokerUserManifest(service, user);
        const userResource = new k8s.apiextensions.CustomResource(
            `${prefix}-user`,
            { apiVersion: userManifest.apiVersion, kind: userManifest.kind, metadata: userManifest.metadata, spec: userManifest.spec },
            { parent: this, dependsOn: [...after, imported] },
        );
        const permission = brokerPermissionManifest(service, user);
        new k8s.apiextensions.CustomResource(
            `${prefix}-permission`,
            { apiVersion: permission.apiVersion, kind: permission.kind, metadata: permission.metadata, spec: permission.spec },
            { parent: this, dependsOn: [...after, userResource] },
        );
    }
}
