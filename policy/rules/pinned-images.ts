import { STRICT_ENVIRONMENTS, type ResourceRule } from "../subject";

const WORKLOADS = new Set(["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"]);
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

function containersOf(props: Record<string, unknown>): ContainerLike[] {
    const spec = (props.spec as { template?: { spec?: { containers?: ContainerLike[]; initContainers?: ContainerLike[] } } } | undefined)
        ?.template?.spec;
    return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

/** A rollout must be reproducible: the same program deploys the same bits, in prod and when rolling back. */
export const pinnedImages: ResourceRule = {
    kind: "resource",
    name: "pinned-images",
    description: "Deployment and StatefulSet images carry a tag other than latest or a digest; Helm releases pin an exact chart version.",
    appliesTo: STRICT_ENVIRONMENTS,
    types: [...WORKLOADS, RELEASE],
    check(resource) {
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
