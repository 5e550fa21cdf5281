import { STRICT_ENVIRONMENTS, type ResourceRule } from "../subject";

const WORKLOADS = new Set(["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:CronJob"]);
// The broker's server image is the RabbitmqCluster's spec.image (the operator renders the StatefulSet).
const RABBITMQ_CLUSTER = "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster";
const RELEASE = "kubernetes:helm.sh/v3:Release";
// A SemVer version, with Helm's tolerated leading "v"; anything else (ranges, "x", empty) floats.
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Why an image reference floats, or undefined when it is pinned (a tag other than latest, or a digest). */
export function unpinnedImage(image: unknown): string | undefined {
    if (typeof image !== "string" || image === "") {
        return "has no image";
    }
    if (/@sha256:[0-9a-f]{64}$/.test(image)) {
        return undefined;
    }
    const lastPart = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastPart.lastIndexOf(":");
    if (colon < 0) {
        return "has no tag (means latest)";
    }
    return lastPart.slice(colon + 1) === "latest" ? "uses the tag latest" : undefined;
}

interface ContainerLike {
    name?: string;
    image?: unknown;
}

type PodTemplate = { template?: { spec?: { containers?: ContainerLike[]; initContainers?: ContainerLike[] } } };

function containersOf(props: Record<string, unknown>): ContainerLike[] {
    const workload = props.spec as (PodTemplate & { jobTemplate?: { spec?: PodTemplate } }) | undefined;
    const spec = (workload?.jobTemplate?.spec ?? workload)?.template?.spec;
    return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

/** A rollout must be reproducible: the same program deploys the same bits, in prod and when rolling back. */
export const pinnedImages: ResourceRule = {
    kind: "resource",
    name: "pinned-images",
    description: "Deployment, StatefulSet, CronJob and RabbitmqCluster images carry a tag other than latest or a digest; Helm releases pin an exact chart version.",
    appliesTo: STRICT_ENVIRONMENTS,
    types: [...WORKLOADS, RELEASE, RABBITMQ_CLUSTER],
    check(resource) {
        if (resource.type === RABBITMQ_CLUSTER) {
            const image = (resource.props.spec as { image?: unknown } | undefined)?.image;
            const why = unpinnedImage(image);
            return why ? [`RabbitmqCluster ${resource.name}: image ${String(image)} ${why}`] : [];
        }
        if (resource.type === RELEASE) {
            const version = resource.props.version;
            return typeof version === "string" && EXACT_VERSION.test(version)
                ? []
                : [`Helm release ${resource.name} has chart version ${JSON.stringify(version)}, expected an exact version`];
        }
        return containersOf(resource.props).flatMap((container) => {
            const why = unpinnedImage(container.image);
            return why ? [`${resource.type.split(":").pop()} ${resource.name}: container ${container.name} image ${String(container.image)} ${why}`] : [];
        });
    },
};
