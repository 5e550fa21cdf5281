/** Docker image references, and where they go in the catalog (a GitLab registry path and a pinned tag). */

export interface ImageReference {
    /** Registry host, with its port: `docker.io` when the reference names none. */
    host: string;
    /** Path in the registry, e.g. `library/rabbitmq`. */
    path: string;
    tag?: string;
    digest?: string;
}

/** Docker Hub's host when a reference names none, and its namespace for official images. */
const DOCKER_HUB = "docker.io";
const OFFICIAL_IMAGES = "library";

/** Parses `[host[:port]/]path[:tag][@digest]` as the Docker reference grammar does. */
export function parseImageReference(reference: string): ImageReference {
    const [nameAndTag, digest] = reference.split("@", 2);
    const lastSlash = nameAndTag.lastIndexOf("/");
    const tagColon = nameAndTag.indexOf(":", lastSlash + 1);
    const name = tagColon >= 0 ? nameAndTag.slice(0, tagColon) : nameAndTag;
    const tag = tagColon >= 0 ? nameAndTag.slice(tagColon + 1) : undefined;
    const [first, ...rest] = name.split("/");
    // The first component is a host only if it looks like one, as in the Docker reference grammar.
    const firstIsHost = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
    const host = firstIsHost ? first : DOCKER_HUB;
    const components = firstIsHost ? rest : [first, ...rest];
    const path = host === DOCKER_HUB && components.length === 1 ? `${OFFICIAL_IMAGES}/${components[0]}` : components.join("/");
    return { host, path, tag: tag || undefined, digest: digest || undefined };
}

/**
 * Where a mirror of the image goes in the GitLab registry: `<registry>/mirror/<name>`, the layout the catalog's
 * entries already use (services/message-broker.yaml: `.../fsgs/mirror/rabbitmq`).
 */
export function mirrorRepository(image: ImageReference, registry: string): string {
    return `${registry}/mirror/${image.path.slice(image.path.lastIndexOf("/") + 1)}`;
}

export function isInRegistry(image: ImageReference, registry: string): boolean {
    return `${image.host}/${image.path}`.startsWith(`${registry}/`);
}
