import { PROTECTED_ENVIRONMENTS } from "./environment-rules";
import type { EnvironmentName } from "./schema";

/**
 * What an environment means for stored data, decided once. Components receive these numbers and flags and never
 * compare environment names themselves.
 */
export interface DataProtection {
    /** PostgreSQL instances per database: a primary and two standbys survive one node loss and keep a synchronous-capable pair. */
    databaseInstances: number;
    /**
     * RabbitMQ nodes per broker: quorum queues replicate to a majority, so three nodes keep every queue writable
     * through one node loss (rabbitmq.com "Quorum Queues: Fault Tolerance"); one elsewhere.
     */
    brokerNodes: number;
    /** Whether backups to object storage are required (a stack without them is refused). */
    backupsRequired: boolean;
    /** Replicas of the database operator: its admission webhook fails closed, so one pod down blocks every change. */
    operatorReplicas: number;
    /**
     * Whether stored data (Cinder data volumes, database clusters) is `protect`ed and kept on delete: prod only,
     * as the README's data-safety section promises; preprod and integration are rebuilt from scratch.
     */
    protectStoredData: boolean;
}

export function dataProtection(environment: EnvironmentName): DataProtection {
    const isProtected = PROTECTED_ENVIRONMENTS.includes(environment);
    return {
        databaseInstances: isProtected ? 3 : 1,
        brokerNodes: isProtected ? 3 : 1,
        backupsRequired: isProtected,
        operatorReplicas: isProtected ? 2 : 1,
        protectStoredData: environment === "prod",
    };
}
