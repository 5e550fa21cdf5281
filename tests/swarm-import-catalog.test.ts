import { CatalogError, parseCatalog, readCatalog } from "../components/config/catalog";
import { environmentProfile } from "../components/config/profile";
import { overrideProblems, parseStackConfig } from "../components/config/load";
import { resolveService } from "../components/kubernetes/service-defaults";
import { type WorkloadContext, standaloneContext, workloadManifests } from "../components/kubernetes/workload-manifests";
import { ROOT, rawConfig } from "./support/stack-config";

/**
 * The catalog fields the Swarm importer needs (configFiles.key, singleton, nodeSelector,
 * terminationGracePeriodSeconds, probes.timing): what each renders, the rules around them, and that the
 * catalog's own services, which set none of them, render as before.
 */

// Made in each test, so that mutation testing's per-test coverage applies (tests/mutation/).
const context = (): WorkloadContext => standaloneContext();

const BASE = `
name: probe
domain: test
image: { repository: registry.example.org/fsgs/probe, tag: "1.0.0" }
ports: [{ name: http, port: 8080 }]
`;

function spec(extra = "", name = "probe") {
    const [parsed] = parseCatalog([{ path: `services/${name}.yaml`, text: `${BASE}${extra}` }]);
    return parsed;
}

function render(extra: string, environment: "integration" | "preprod" | "prod" = "prod") {
    return workloadManifests(resolveService(spec(extra), undefined, environmentProfile(environment)), context());
}

// Manifests are deep Pulumi input types; the tests read them as plain JSON.
const plain = (value: unknown): any => JSON.parse(JSON.stringify(value));
const podOf = (manifests: { workload: { spec: unknown } }) => plain(manifests.workload.spec).template.spec;

describe("configFiles.key: a ConfigMap key mounted as a file", () => {
    it("mounts the key alone at the path with subPath, so the path is a file and its directory stays the image's", () => {
        const pod = podOf(render("configFiles: [{ configMap: caddy, mountPath: /etc/caddy/Caddyfile, key: Caddyfile }]"));
        expect(pod.containers[0].volumeMounts).toContainEqual({ name: "config-0", mountPath: "/etc/caddy/Caddyfile", readOnly: true, subPath: "Caddyfile" });
        expect(pod.volumes).toContainEqual({ name: "config-0", configMap: { name: "caddy" } });
    });

    it("without a key, still mounts the whole ConfigMap as a directory", () => {
        const pod = podOf(render("configFiles: [{ configMap: caddy, mountPath: /etc/caddy }]"));
        expect(pod.containers[0].volumeMounts).toContainEqual({ name: "config-0", mountPath: "/etc/caddy", readOnly: true });
    });

    it("refuses a key Kubernetes would not take", () => {
        expect(() => spec("configFiles: [{ configMap: caddy, mountPath: /etc/caddy/Caddyfile, key: 'a/b' }]")).toThrow("configFiles[0].key: expected a ConfigMap or Secret key");
    });
});

describe("secretFiles: a Secret key mounted as a file", () => {
    it("mounts the key alone at the path, readable by the service's group only", () => {
        const pod = podOf(render("secretFiles: [{ secret: db-password, key: password, mountPath: /run/secrets/db_password }]"));
        expect(pod.containers[0].volumeMounts).toContainEqual({ name: "secret-0", mountPath: "/run/secrets/db_password", readOnly: true, subPath: "password" });
        expect(pod.volumes).toContainEqual({ name: "secret-0", secret: { secretName: "db-password", defaultMode: 0o440 } });
        // The group is the one the service runs as (fsGroup), so it can read the file.
        expect(pod.securityContext.fsGroup).toBe(pod.securityContext.runAsGroup);
    });
});

describe("singleton: a service that must never run twice", () => {
    const singleton = "singleton: { reason: a SQLite file on its volume }\n";

    it.each(["integration", "preprod", "prod"] as const)("keeps one replica in %s, replaced by stopping the old pod first", (environment) => {
        const manifests = render(singleton, environment);
        expect(manifests.workload.spec.replicas).toBe(1);
        expect(plain(manifests.workload.spec).strategy).toEqual({ type: "Recreate" });
        expect(manifests.podDisruptionBudget).toBeUndefined();
    });

    it("leaves other services at the protected environments' minimum of two, rolling", () => {
        const manifests = render("");
        expect(manifests.workload.spec.replicas).toBe(2);
        expect(plain(manifests.workload.spec).strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    });

    it("refuses a singleton with more replicas or an autoscaler, and one without a reason", () => {
        expect(() => spec(`${singleton}replicas: 2\n`)).toThrow("a singleton runs one replica (a SQLite file on its volume), got 2");
        expect(() => spec(`${singleton}autoscaling: { maxReplicas: 4 }\n`)).toThrow("a singleton is never scaled");
        expect(() => spec("singleton: { reason: '' }\n")).toThrow("singleton.reason: expected a length >= 10");
        try {
            spec(`${singleton}replicas: 2\n`);
        } catch (error) {
            expect(error).toBeInstanceOf(CatalogError);
        }
    });

    it("is accepted by the stack's replica rule at one replica in prod, and refused at two", () => {
        const config = parseStackConfig({ ...rawConfig("prod"), services: { probe: { replicas: 1 } } });
        expect(overrideProblems(config, [spec(singleton)])).toEqual([]);
        expect(overrideProblems(config, [spec("")])).toEqual(["svom-fsgs:services.probe.replicas: prod needs >= 2 replicas (one node drain must not stop the service), got 1"]);
        const scaled = parseStackConfig({ ...rawConfig("prod"), services: { probe: { replicas: 3 } } });
        expect(overrideProblems(scaled, [spec(singleton)])).toEqual(["svom-fsgs:services.probe.replicas: probe is a singleton (a SQLite file on its volume): it runs 1 replica, got 3"]);
    });
});

describe("node selection, grace period and probe timings", () => {
    it("puts nodeSelector and terminationGracePeriodSeconds on the pod", () => {
        const pod = podOf(render("nodeSelector: { pcidss: 'yes' }\nterminationGracePeriodSeconds: 90\n"));
        expect(pod.nodeSelector).toEqual({ pcidss: "yes" });
        expect(pod.terminationGracePeriodSeconds).toBe(90);
    });

    it("refuses a node label Kubernetes would not take", () => {
        expect(() => spec("nodeSelector: { 'bad key!': x }\n")).toThrow("nodeSelector.bad key!: Invalid key in record");
        expect(() => spec("nodeSelector: { disk: 'not a value!' }\n")).toThrow("expected a label value");
    });

    it("uses the entry's probe timings, the start-up delay for liveness only", () => {
        const container = podOf(render("probes: { timing: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 4, initialDelaySeconds: 40 } }\n")).containers[0];
        expect(container.readinessProbe).toEqual({ tcpSocket: { port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 4 });
        expect(container.livenessProbe).toEqual({ tcpSocket: { port: "http" }, initialDelaySeconds: 40, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 4 });
    });
});

describe("the catalog's own services", () => {
    // They set none of the new fields: what they render must not change (the defaults below are the
    // Microservice's, written out).
    const catalog = parseCatalog(readCatalog(ROOT));

    it.each(catalog.map((service) => [service.name, service] as const))("%s renders no subPath, secret file, node selector, grace period, Recreate or probe timing of its own", (_, service) => {
        for (const environment of ["integration", "preprod", "prod"] as const) {
            const manifests = workloadManifests(resolveService(service, undefined, environmentProfile(environment)), context());
            const text = JSON.stringify(manifests);
            for (const key of ["subPath", "nodeSelector", "terminationGracePeriodSeconds", "Recreate"]) expect(text).not.toContain(key);
            expect(podOf(manifests).volumes.filter((volume: { secret?: unknown }) => volume.secret !== undefined)).toEqual([]);
            const container = podOf(manifests).containers[0];
            expect(container.readinessProbe).toMatchObject({ periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 });
            expect(container.readinessProbe.initialDelaySeconds).toBeUndefined();
            expect(container.livenessProbe).toMatchObject({ initialDelaySeconds: 15, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 });
        }
    });
});
