/**
 * Facts about the RabbitMQ Cluster Operator the manifests rely on, each from the pinned release's source
 * (github.com/rabbitmq/cluster-operator at v2.22.3; its CRD is vendored under tests/fixtures/crds/).
 */

/** The API of `RabbitmqCluster` (api/v1beta1). */
export const RABBITMQ_API_VERSION = "rabbitmq.com/v1beta1";

/** The operator's namespace in its release manifest (config/namespace/base/namespace.yaml). */
export const RABBITMQ_OPERATOR_NAMESPACE = "rabbitmq-system";

/**
 * The pods of the two operators in that namespace, as their Deployments label them: the Cluster Operator
 * (config/manager/manager.yaml at v2.22.3) and the Messaging Topology Operator (config/manager/manager.yaml at
 * v1.20.1). Both call a cluster's management API: the first reads its state, the second creates users and permissions
 * (rabbitmqclient/cluster_reference.go managementURI: the client Service's port named `management`).
 */
export const RABBITMQ_OPERATOR_POD_LABELS = [
    { "app.kubernetes.io/name": "rabbitmq-cluster-operator" },
    { "app.kubernetes.io/name": "messaging-topology-operator" },
] as const;

/**
 * Labels the operator puts on a cluster's pods (internal/metadata/label.go Label()): the name label is the cluster's
 * name, so the catalog's `app.kubernetes.io/name: <entry>` selects a broker's pods as it does a workload's.
 */
export function rabbitmqPodLabels(cluster: string): Record<string, string> {
    return { "app.kubernetes.io/name": cluster, "app.kubernetes.io/component": "rabbitmq", "app.kubernetes.io/part-of": "rabbitmq" };
}

/** The Secret of the operator-generated default user: keys username, password, host, port (internal/resource/default_user_secret.go). */
export function defaultUserSecretName(cluster: string): string {
    return `${cluster}-default-user`;
}

/** The claim of node n, from the StatefulSet `<cluster>-server` and its volume claim template `persistence` (internal/resource/statefulset.go). */
export function rabbitmqClaimName(cluster: string, node: number): string {
    return `persistence-${cluster}-server-${node}`;
}

/** The pod of node n (StatefulSet `<cluster>-server`). */
export function rabbitmqPodName(cluster: string, node: number): string {
    return `${cluster}-server-${node}`;
}

/**
 * The ports of a RabbitMQ node. Client ports: the operator's client Service `<cluster>` (internal/resource/service.go).
 * Inter-node: epmd, Erlang distribution (AMQP port + 20000) and the CLI tools' range (distribution + 10000 to
 * + 10010), rabbitmq.com "Networking and RabbitMQ: Port Access"; they are reached only between the nodes.
 * prometheus: the rabbitmq_prometheus plugin the operator enables (internal/resource/configmap.go).
 */
export const RABBITMQ_PORTS = {
    amqp: 5672,
    management: 15672,
    prometheus: 15692,
    epmd: 4369,
    distribution: 25672,
    cliFirst: 35672,
    cliLast: 35682,
} as const;

/**
 * The image of the definitions export: a mirror of docker.io/curlimages/curl (Alpine, a POSIX shell, sha256sum, curl
 * with --aws-sigv4, which needs 7.75 or later), running as its own non-root user curl_user, uid 100 and gid 101
 * (its Dockerfile). Mirrored like the catalog's images, so a pull never depends on Docker Hub's limits.
 */
export const DEFINITIONS_BACKUP_IMAGE = "gitlab-registry.in2p3.fr/svom/fsgs/mirror/curlimages/curl:8.11.1";
