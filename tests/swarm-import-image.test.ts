/**
 * Image references as Docker reads them (the distribution/reference grammar and its normalisation: a first
 * component is a registry host only when it holds a `.` or a `:` or is `localhost`; Docker Hub's official images
 * live under `library/`), and where the importer mirrors them. Expected values are written out.
 */
import { isInRegistry, mirrorRepository, parseImageReference } from "../scripts/swarm-import/image";

describe("parseImageReference", () => {
    it.each([
        ["rabbitmq", { host: "docker.io", path: "library/rabbitmq", tag: undefined, digest: undefined }],
        ["rabbitmq:3.13-management", { host: "docker.io", path: "library/rabbitmq", tag: "3.13-management", digest: undefined }],
        ["bitnami/redis:7", { host: "docker.io", path: "bitnami/redis", tag: "7", digest: undefined }],
        ["my_org/team/app", { host: "docker.io", path: "my_org/team/app", tag: undefined, digest: undefined }],
        ["docker.io/nginx", { host: "docker.io", path: "library/nginx", tag: undefined, digest: undefined }],
        ["docker.io/bitnami/nginx:1", { host: "docker.io", path: "bitnami/nginx", tag: "1", digest: undefined }],
        ["registry.example.org:5000/fsgs/app:1.2", { host: "registry.example.org:5000", path: "fsgs/app", tag: "1.2", digest: undefined }],
        ["registry.example.org/app", { host: "registry.example.org", path: "app", tag: undefined, digest: undefined }],
        ["host:5000/app", { host: "host:5000", path: "app", tag: undefined, digest: undefined }],
        ["localhost/app", { host: "localhost", path: "app", tag: undefined, digest: undefined }],
        ["localhost:5000/a/b/c@sha256:abc", { host: "localhost:5000", path: "a/b/c", tag: undefined, digest: "sha256:abc" }],
        ["app@sha256:abc", { host: "docker.io", path: "library/app", tag: undefined, digest: "sha256:abc" }],
        ["app:1@sha256:abc", { host: "docker.io", path: "library/app", tag: "1", digest: "sha256:abc" }],
        ["app:", { host: "docker.io", path: "library/app", tag: undefined, digest: undefined }],
        ["app@", { host: "docker.io", path: "library/app", tag: undefined, digest: undefined }],
    ])("%p -> %p", (reference, expected) => {
        expect(parseImageReference(reference)).toEqual(expected);
    });
});

describe("mirrorRepository", () => {
    it("puts a mirror under <registry>/mirror/, named by the image's last path component", () => {
        const registry = "registry.gitlab.example.org/fsgs";
        expect(mirrorRepository(parseImageReference("rabbitmq:3"), registry)).toBe("registry.gitlab.example.org/fsgs/mirror/rabbitmq");
        expect(mirrorRepository(parseImageReference("quay.io/prometheus/node-exporter"), registry)).toBe("registry.gitlab.example.org/fsgs/mirror/node-exporter");
        expect(mirrorRepository({ host: "localhost", path: "app" }, registry)).toBe("registry.gitlab.example.org/fsgs/mirror/app");
    });
});

describe("isInRegistry", () => {
    it.each([
        ["registry.example.org/fsgs/app:1", "registry.example.org/fsgs", true],
        ["registry.example.org/fsgs/team/app", "registry.example.org/fsgs", true],
        ["registry.example.org/fsgs-other/app", "registry.example.org/fsgs", false],
        ["registry.example.org/fsgs", "registry.example.org/fsgs", false],
        ["other.example.org/fsgs/app", "registry.example.org/fsgs", false],
        ["rabbitmq", "docker.io/library", true],
        ["rabbitmq", "registry.example.org/fsgs", false],
    ])("%p in %p: %p", (reference, registry, expected) => {
        expect(isInRegistry(parseImageReference(reference), registry)).toBe(expected);
    });
});
