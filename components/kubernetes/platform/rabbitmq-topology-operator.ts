import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { RABBITMQ_OPERATOR_NAMESPACE } from "../data/rabbitmq";
import type { PlatformResourceOptions } from "./release";
import { RABBITMQ_TOPOLOGY_OPERATOR } from "./versions";

/** An object of a Kubernetes manifest, as far as the filter needs to know it. */
export interface ManifestObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

let parsedManifest: readonly ManifestObject[] | undefined;

/**
 * The vendored release manifest of the Messaging Topology Operator (platform/manifests/SOURCE.md), as objects: a
 * fresh copy each call, so that no caller can change another's. The file is parsed once per process: parsing its
 * CRDs was a tenth of a stack's render, and the tests render stacks hundreds of times.
 */
export function topologyOperatorManifest(): ManifestObject[] {
    parsedManifest ??= parseAllDocuments(readFileSync(join(__dirname, "manifests", RABBITMQ_TOPOLOGY_OPERATOR.manifest), "utf8"))
        .map((document) => document.toJS() as ManifestObject | null)
        .filter((object): object is ManifestObject => object !== null);
    // A copy through JSON (the manifest is plain data), not structuredClone: under jest, whose tests run in a vm
    // context, structuredClone returns arrays of the outer realm, which Pulumi then takes for plain objects.
    return JSON.parse(JSON.stringify(parsedManifest)) as ManifestObject[];
}

/**
 * The objects the program applies: every object of the manifest but its `Namespace rabbitmq-system`, which the Cluster
 * Operator's manifest creates and owns. Two Pulumi resources for one namespace would not work: since
 * pulumi-kubernetes v4.29.0 a create of an object that exists fails with AlreadyExists (CHANGELOG, #2926), and
 * either one's delete would delete the namespace with both operators in it. Throws when the manifest's namespace is
 * another: its objects would then land where nothing labels the namespace for Pod Security.
 */
export function topologyOperatorObjects(manifest: readonly ManifestObject[]): ManifestObject[] {
    const namespaces = manifest.filter((object) => object.kind === "Namespace").map((object) => object.metadata.name);
    if (namespaces.join() !== RABBITMQ_OPERATOR_NAMESPACE) {
        throw new Error(`the Messaging Topology Operator's manifest should create the namespace ${RABBITMQ_OPERATOR_NAMESPACE} alone, got ${JSON.stringify(namespaces)}`);
    }
    const elsewhere = manifest.filter((object) => object.metadata.namespace !== undefined && object.metadata.namespace !== RABBITMQ_OPERATOR_NAMESPACE);
    if (elsewhere.length > 0) {
        throw new Error(`the Messaging Topology Operator's manifest puts objects outside ${RABBITMQ_OPERATOR_NAMESPACE}: ${elsewhere.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
    }
    return manifest.filter((object) => object.kind !== "Namespace");
}

/** The manifest's Deployments: their replicas and their containers' `resources`, for the capacity check to sum. */
export function manifestDeployments(objects: readonly ManifestObject[]): { what: string; replicas: number; containerResources: unknown[] }[] {
    interface DeploymentShape {
        spec: { replicas?: number; template: { spec: { containers: { resources?: unknown }[] } } };
    }
    return objects
        .filter((object) => object.kind === "Deployment")
        .map((object) => {
            const { spec } = object as unknown as DeploymentShape;
            return {
                what: object.metadata.name,
                // The API's default when the field is left out (apps/v1 DeploymentSpec).
                replicas: spec.replicas ?? 1,
                containerResources: spec.template.spec.containers.map((container) => container.resources ?? {}),
            };
        });
}

/**
 * The Messaging Topology Operator, in the Cluster Operator's namespace (its manifest's choice; the Pod Security labels
 * the Cluster Operator's NamespacePatch applies cover it). Its Deployment meets the restricted profile (config/manager/
 * manager.yaml at v1.20.1: runAsNonRoot, RuntimeDefault seccomp, no privilege escalation, ALL capabilities dropped,
 * read-only root filesystem, requests and limits, probes). It needs the Cluster Operator's namespace and labels first,
 * and cert-manager for its Issuer and Certificates (the webhook's and the metrics endpoint's).
 */
export function rabbitmqTopologyOperator(name: string, opts: PlatformResourceOptions & { dependsOn: pulumi.Input<pulumi.Resource>[] }): k8s.yaml.v2.ConfigGroup {
    const { parent, dependsOn } = opts;
    return new k8s.yaml.v2.ConfigGroup(name, { objs: topologyOperatorObjects(topologyOperatorManifest()) }, { parent, dependsOn });
}
