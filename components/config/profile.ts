import type { EnvironmentName } from "./schema";

/**
 * What an environment means, decided once. Everything else (the validation rules, the components, the policy
 * pack) receives these decisions and never compares an environment name: two places that each decide "is this
 * production?" will one day disagree.
 */
export interface EnvironmentProfile {
    /** The environment the decisions were made for; for names and messages only, never for a comparison. */
    environment: EnvironmentName;
    /**
     * A mistake here costs an outage or data: an odd control plane of at least 3, at least 3 workers, no admin
     * network open to the whole Internet, no Kubernetes past its end of life, the production policy pack.
     */
    strictRules: boolean;
    /** Fewest control-plane nodes (stacked etcd): 3 survive the loss of one; 1 is a cluster that can stop. */
    minimumControlPlanes: number;
    /** Fewest workers in all pools together: replicas spread over nodes survive one loss. */
    minimumWorkers: number;
    /** Fewest workers the capacity check must be able to lose at peak (`cluster.workerLossTolerance`): a drain or a failure. */
    minimumWorkerLossTolerance: number;
    /** Replicas of the platform's controllers (cert-manager, Envoy Gateway, metrics-server): one is an outage of that controller at every node drain. */
    highAvailabilityReplicas: number;
    /** Fewest replicas of an FSGS service that is not a singleton: one node drain must not stop it. */
    minimumServiceReplicas: number;
    /** A Kubernetes minor past its end of life is refused (true) or only warned about (false). */
    refuseEndOfLifeKubernetes: boolean;
    /**
     * Stored data (Cinder data volumes, database clusters, the API endpoint's address) is `protect`ed and kept on
     * delete: prod only, as the README's data-safety section promises; preprod and integration are rebuilt.
     */
    protectStoredData: boolean;
    /** Reclaim policy of the default StorageClass: a deleted claim leaves its Cinder volume where data is protected. */
    volumeReclaimPolicy: "Retain" | "Delete";
    /** PostgreSQL instances per database: a primary and two standbys survive one node loss. */
    databaseInstances: number;
    /**
     * RabbitMQ nodes per broker: quorum queues replicate to a majority, so three nodes keep every queue writable
     * through one node loss (rabbitmq.com "Quorum Queues: Fault Tolerance"); one elsewhere.
     */
    brokerNodes: number;
    /** Backups to object storage are required: a stack without them is refused. */
    backupsRequired: boolean;
    /** Replicas of the database operator: its admission webhook fails closed, so one pod down blocks every change. */
    databaseOperatorReplicas: number;
}

/** Environments where a mistake costs an outage or data. */
const STRICT: readonly EnvironmentName[] = ["preprod", "prod"];
/** Environments whose stored data outlives an `up` or a `destroy`. */
const KEEPS_DATA: readonly EnvironmentName[] = ["prod"];

/** The decisions for one environment; the only function that looks at an environment's name. */
export function environmentProfile(environment: EnvironmentName): EnvironmentProfile {
    const strictRules = STRICT.includes(environment);
    const protectStoredData = KEEPS_DATA.includes(environment);
    return {
        environment,
        strictRules,
        minimumControlPlanes: strictRules ? 3 : 1,
        minimumWorkers: strictRules ? 3 : 0,
        minimumWorkerLossTolerance: strictRules ? 1 : 0,
        highAvailabilityReplicas: strictRules ? 2 : 1,
        minimumServiceReplicas: strictRules ? 2 : 1,
        refuseEndOfLifeKubernetes: strictRules,
        protectStoredData,
        volumeReclaimPolicy: protectStoredData ? "Retain" : "Delete",
        databaseInstances: strictRules ? 3 : 1,
        brokerNodes: strictRules ? 3 : 1,
        backupsRequired: strictRules,
        databaseOperatorReplicas: strictRules ? 2 : 1,
    };
}
