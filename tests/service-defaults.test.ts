/**
 * A catalog entry resolved for a stack (components/kubernetes/service-defaults.ts): the override, the production
 * defaults and the environment's decisions applied, each expected value written out. The profile's three numbers
 * differ from each other so that a swapped decision shows.
 */
import { serviceSchema, type ServiceInput, type ServiceOverride } from "../components/config/service-schema";
import { DEFAULT_RESOURCES, DEFAULT_UID, domainNamespace, resolveService, routedHosts, type ServiceProfile } from "../components/kubernetes/service-defaults";

const PROFILE: ServiceProfile = { minimumServiceReplicas: 2, databaseInstances: 3, brokerNodes: 5 };
const IMAGE = { repository: "registry.example.org/svom/app", tag: "1.0.0" };
const entry = (fields: Partial<ServiceInput> = {}) => serviceSchema.parse({ name: "app", domain: "science", image: IMAGE, ...fields });
const resolve = (fields: Partial<ServiceInput> = {}, override?: ServiceOverride, profile = PROFILE) => resolveService(entry(fields), override, profile);

describe("resolveService: replicas", () => {
    it.each([
        ["none asked: the environment's minimum", {}, undefined, 2],
        ["the entry's count above the minimum", { replicas: 4 }, undefined, 4],
        ["the entry's count below the minimum: the minimum", { replicas: 1 }, undefined, 2],
        ["the stack's override over the entry's", { replicas: 4 }, { replicas: 6 }, 6],
        ["the stack's override below the minimum: the minimum", { replicas: 4 }, { replicas: 1 }, 2],
        ["a singleton: one, whatever the minimum", { singleton: { reason: "a single SQLite writer" } }, undefined, 1],
        ["a database: the environment's instances, not the entry's count", { replicas: 7, postgresql: { database: "app", owner: "app" } }, undefined, 3],
        ["a broker: the environment's nodes, not the entry's count", { replicas: 7, rabbitmq: {} }, undefined, 5],
    ] as const)("%s", (_, fields, override, replicas) => {
        expect(resolve(fields as Partial<ServiceInput>, override as ServiceOverride | undefined).replicas).toBe(replicas);
    });

    it("runs one replica of a service where the environment's minimum is one", () => {
        expect(resolve({}, undefined, { ...PROFILE, minimumServiceReplicas: 1 }).replicas).toBe(1);
    });
});

describe("resolveService: the other defaults", () => {
    it("puts the service in its domain's namespace and keeps the entry's other fields", () => {
        const service = resolve({ env: { LOG_LEVEL: "info" }, ports: [{ name: "http", port: 8080 }] });
        expect(service.namespace).toBe("fsgs-science");
        expect(domainNamespace("ground")).toBe("fsgs-ground");
        expect(service.env).toEqual({ LOG_LEVEL: "info" });
        expect(service.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
        expect(service.name).toBe("app");
    });

    it("takes the stack's image tag over the entry's, on the entry's repository", () => {
        expect(resolve().image).toEqual({ repository: "registry.example.org/svom/app", tag: "1.0.0" });
        expect(resolve({}, { tag: "1.1.0-rc.2" }).image).toEqual({ repository: "registry.example.org/svom/app", tag: "1.1.0-rc.2" });
    });

    it("takes resources from the stack, else the entry, else 100m/128Mi requested and 500m/256Mi at most", () => {
        const own = { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } };
        const stack = { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } };
        expect(resolve().resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
        expect(DEFAULT_RESOURCES).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
        expect(resolve({ resources: own }).resources).toEqual(own);
        expect(resolve({ resources: own }, { resources: stack }).resources).toEqual(stack);
    });

    it("runs as UID 10001 unless the entry names its own", () => {
        expect(resolve().runAsUser).toBe(10001);
        expect(DEFAULT_UID).toBe(10001);
        expect(resolve({ runAsUser: 2000 }).runAsUser).toBe(2000);
    });

    it("always lets the service write /tmp, once, before its own paths", () => {
        expect(resolve().writablePaths).toEqual(["/tmp"]);
        expect(resolve({ writablePaths: ["/var/cache/app", "/tmp", "/var/cache/app"] }).writablePaths).toEqual(["/tmp", "/var/cache/app"]);
    });

    it("makes a service with storage a StatefulSet, one without a Deployment", () => {
        expect(resolve().kind).toBe("Deployment");
        expect(resolve({ storage: { size: "10Gi", mountPath: "/data" } }).kind).toBe("StatefulSet");
    });
});

describe("resolveService: exposure", () => {
    const expose = { ports: ["vhf"], sourceRanges: ["198.51.100.0/24"] };
    const ports = [{ name: "vhf", port: 9000, protocol: "UDP" as const }];

    it("keeps the entry's networks when the stack says nothing", () => {
        expect(resolve({ ports, expose }).expose).toEqual({ ports: ["vhf"], sourceRanges: ["198.51.100.0/24"] });
    });

    it("takes the stack's networks over the entry's", () => {
        expect(resolve({ ports, expose }, { exposeSourceRanges: ["203.0.113.0/24", "192.0.2.0/28"] }).expose).toEqual({
            ports: ["vhf"],
            sourceRanges: ["203.0.113.0/24", "192.0.2.0/28"],
        });
    });

    it("exposes nothing where the stack admits no network, rather than an empty, open source list", () => {
        expect(resolve({ ports, expose }, { exposeSourceRanges: [] }).expose).toBeUndefined();
    });

    it("exposes nothing that the entry does not expose, whatever the stack's networks", () => {
        expect(resolve({ ports }).expose).toBeUndefined();
        expect(resolve({ ports }, { exposeSourceRanges: ["203.0.113.0/24"] }).expose).toBeUndefined();
    });
});

describe("routedHosts", () => {
    it("lists the host of each service with an ingress, with its namespace, and no other service", () => {
        const portal = resolve({ name: "portal", domain: "web", ports: [{ name: "http", port: 80 }], ingress: { host: "portal.example.org", port: "http" } });
        const worker = resolve({ name: "worker", domain: "batch" });
        const api = resolve({ name: "api", domain: "core", ports: [{ name: "http", port: 80 }], ingress: { host: "api.example.org", port: "http" } });
        expect(routedHosts([portal, worker, api])).toEqual([
            { service: "portal", namespace: "fsgs-web", host: "portal.example.org" },
            { service: "api", namespace: "fsgs-core", host: "api.example.org" },
        ]);
        expect(routedHosts([worker])).toEqual([]);
    });
});
