import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { RABBITMQ_OPERATOR_NAMESPACE } from "../data/rabbitmq";
import { namespaceMetadata } from "./namespace";
import type { PlatformResourceOptions } from "./release";
import { RABBITMQ_CLUSTER_OPERATOR } from "./versions";

/** The operator, installed from its release manifest, and its namespace's Pod Security labels. */
export interface RabbitmqOperator {
    /** The manifest's objects: the CRD, the operator Deployment and its webhook; RabbitmqClusters need them first. */
    install: k8s.yaml.v2.ConfigFile;
    namespaceLabels: k8s.core.v1.NamespacePatch;
}

/**
 * The RabbitMQ Cluster Operator. Its release manifest creates the `rabbitmq-system` namespace itself, so the Pod
 * Security labels are applied to it afterwards (server-side apply of the labels alone). The operator's Deployment
 * already meets the restricted profile (config/manager/manager.yaml at v2.22.3: runAsNonRoot, RuntimeDefault
 * seccomp, no privilege escalation, ALL capabilities dropped, requests and limits, liveness and readiness probes).
 */
export function rabbitmqOperator(name: string, opts: PlatformResourceOptions & { dependsOn: pulumi.Input<pulumi.Resource>[] }): RabbitmqOperator {
    const { parent, dependsOn } = opts;
    const install = new k8s.yaml.v2.ConfigFile(name, { file: RABBITMQ_CLUSTER_OPERATOR.manifest }, { parent, dependsOn });
    const namespaceLabels = new k8s.core.v1.NamespacePatch(
        `${name}-ns-labels`,
        { metadata: namespaceMetadata(RABBITMQ_OPERATOR_NAMESPACE, "restricted") },
        { parent, dependsOn: [install] },
    );
    return { install, namespaceLabels };
}
