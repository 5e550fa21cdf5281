import type * as k8s from "@pulumi/kubernetes";
import { calledPorts, parseCall } from "../../config/catalog-references";
import { BROKER_CREDENTIAL_ENV, brokersCalled } from "../../config/rabbitmq-entry";
import type { ResolvedService } from "../service-defaults";
import type { Manifest } from "./postgres-manifests";
import { RABBITMQ_API_VERSION } from "./rabbitmq";

/**
 * Per-client users of a broker, through the RabbitMQ Messaging Topology Operator (v1.20.1, api/v1beta1/user_types.go
 * and permission_types.go): a `User` and a `Permission` in the broker's namespace, and the user's credentials in a
 * Secret there (which the User imports) and in one in the client's namespace (which its pods read).
 */

/** The keys of both credential Secrets: `username` and `password` are what `spec.importCredentialsSecret` reads. */
export const CREDENTIAL_KEYS = { username: "username", password: "password" } as const;

/** The one vhost the brokers serve: RabbitMQ's default, which the Cluster Operator's default user also uses. */
export const BROKER_VHOST = "/";

/**
 * What a client may do in the vhost (RabbitMQ "Access Control": configure, write and read regexes over queue and
 * exchange names). Every name: the catalog does not say which queues and exchanges a lab declares, and a narrower
 * pattern guessed here would break a client at its first declare. What a client's user cannot do is everything
 * outside the vhost: manage users, vhosts, policies or other users' connections, which the shared administrator
 * allowed before.
 */
export const CLIENT_PERMISSIONS = { configure: ".*", write: ".*", read: ".*" } as const;

/**
 * The management tag of a client that calls the management API (its connectsTo names the broker's management port):
 * `monitoring`, read-only access to the API's overview of every node, connection and queue (RabbitMQ "Management
 * Plugin: Permissions"). A client that does not call it gets no tag, and the API refuses it.
 */
export const MANAGEMENT_TAG = "monitoring";

/** One client's user on one broker. */
export interface BrokerUser {
    client: Pick<ResolvedService, "name" | "namespace">;
    /** The RabbitMQ user name: the client's catalog name (unique in the catalog). */
    username: string;
    /** The `User` and `Permission` objects, in the broker's namespace. */
    objectName: string;
    /** The Secret the User imports, in the broker's namespace. */
    importSecret: string;
    /** The Secret the client's pods read, in the client's namespace. */
    clientSecret: string;
    tags: string[];
}

/** The Secret of a client's broker credentials in the client's namespace. */
export function clientCredentialsSecretName(client: Pick<ResolvedService, "name">, broker: Pick<ResolvedService, "name">): string {
    return `${client.name}-${broker.name}-user`;
}

/** Every catalog entry that calls the broker gets one user, in name order; the broker itself and non-callers none. */
export function brokerUsers(broker: ResolvedService, catalog: readonly ResolvedService[]): BrokerUser[] {
    if (!broker.rabbitmq) {
        throw new Error(`${broker.name} is not a rabbitmq entry`);
    }
    return catalog
        .filter((client) => client.name !== broker.name && brokersCalled(client, catalog).some((called) => called.name === broker.name))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((client) => {
            const ports = client.connectsTo
                .map(parseCall)
                .filter((call) => call.domain === broker.domain && call.name === broker.name)
                .flatMap((call) => calledPorts(call, broker));
            return {
                client: { name: client.name, namespace: client.namespace },
                username: client.name,
                objectName: `${broker.name}-${client.name}`,
                importSecret: `${broker.name}-${client.name}-credentials`,
                clientSecret: clientCredentialsSecretName(client, broker),
                tags: ports.includes("management") ? [MANAGEMENT_TAG] : [],
            };
        });
}

/** A Topology Operator object of one client's user, in the broker's namespace, named after the broker and the client. */
function clientObject(kind: "User" | "Permission", broker: ResolvedService, user: BrokerUser, spec: Record<string, unknown>): Manifest {
    const labels = { "app.kubernetes.io/part-of": "svom-fsgs", "app.kubernetes.io/component": broker.domain, "svom.eu/broker-client": user.client.name };
    return { apiVersion: RABBITMQ_API_VERSION, kind, metadata: { name: user.objectName, namespace: broker.namespace, labels }, spec };
}

/** The `User`: its credentials imported from the Secret the program writes, so its password is the client's copy. */
export function brokerUserManifest(broker: ResolvedService, user: BrokerUser): Manifest {
    return clientObject("User", broker, user, {
        rabbitmqClusterReference: { name: broker.name },
        importCredentialsSecret: { name: user.importSecret },
        ...(user.tags.length > 0 ? { tags: user.tags } : {}),
    });
}

/** The `Permission` of the user on the vhost; userReference waits for the User and is deleted with it. */
export function brokerPermissionManifest(broker: ResolvedService, user: BrokerUser): Manifest {
    return clientObject("Permission", broker, user, {
        vhost: BROKER_VHOST,
        userReference: { name: user.objectName },
        permissions: { ...CLIENT_PERMISSIONS },
        rabbitmqClusterReference: { name: broker.name },
    });
}

/** The client's credential variables, from its Secret; none for an entry that calls no broker. */
export function brokerCredentialEnv(client: ResolvedService, catalog: readonly ResolvedService[]): k8s.types.input.core.v1.EnvVar[] {
    return brokersCalled(client, catalog).flatMap((broker) => {
        const secret = clientCredentialsSecretName(client, broker);
        return [
            { name: BROKER_CREDENTIAL_ENV.username, valueFrom: { secretKeyRef: { name: secret, key: CREDENTIAL_KEYS.username } } },
            { name: BROKER_CREDENTIAL_ENV.password, valueFrom: { secretKeyRef: { name: secret, key: CREDENTIAL_KEYS.password } } },
        ];
    });
}
