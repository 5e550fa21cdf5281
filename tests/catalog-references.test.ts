/**
 * The references between catalog entries (components/config/catalog-references.ts) on a small catalog built here:
 * who calls whom on which port, who is let in, and every broken reference reported with its file, its key and the
 * fix. tests/reachability.test.ts runs the same checks on the committed catalog.
 */
import {
    admits,
    calledPorts,
    callsTo,
    entryAdmits,
    parseCall,
    referenceProblems,
} from "../components/config/catalog-references";
import { type ServiceSpec, serviceSchema } from "../components/config/service-schema";

/** A catalog entry through the real schema (defaults applied). */
function service(domain: string, name: string, extra: Record<string, unknown> = {}): ServiceSpec {
    return serviceSchema.parse({ name, domain, image: { repository: `registry.example.org/fsgs/${name}`, tag: "1.0" }, ...extra });
}

/** The catalog of a small ground segment: a broker with a peers-only port, an archive, a web front and a listener. */
function catalog() {
    const broker = service("messaging", "broker", {
        ports: [
            { name: "amqp", port: 5672 },
            { name: "management", port: 15672 },
            { name: "dist", port: 25672, peersOnly: true },
        ],
        allowFrom: ["vhf", "archive/archive-api"],
    });
    const archive = service("archive", "archive-api", {
        ports: [{ name: "http", port: 8000 }],
        allowFrom: ["ingress", "web"],
        ingress: { host: "archive.svom.eu", port: "http" },
        connectsTo: ["messaging/broker:amqp"],
    });
    const web = service("web", "portal", { ports: [{ name: "http", port: 8080 }], connectsTo: ["archive/archive-api:http"] });
    const listener = service("vhf", "vhf-listener", { ports: [{ name: "packets", port: 5000, protocol: "UDP" }], connectsTo: ["messaging/broker"] });
    return { broker, archive, web, listener, all: [broker, archive, web, listener] };
}

const entries = (specs: ServiceSpec[]) => specs.map((spec) => ({ path: `services/${spec.name}.yaml`, spec }));

describe("parseCall", () => {
    it("splits domain/name:port, and leaves the port out when the call names none", () => {
        expect(parseCall("messaging/broker:amqp")).toEqual({ domain: "messaging", name: "broker", port: "amqp" });
        expect(parseCall("messaging/broker")).toEqual({ domain: "messaging", name: "broker", port: undefined });
    });
});

describe("who an allowFrom entry admits", () => {
    const caller = { domain: "archive", name: "archive-api" };

    it("a whole domain, or one service of it, never through `ingress`", () => {
        expect(entryAdmits("archive", caller)).toBe(true);
        expect(entryAdmits("archive/archive-api", caller)).toBe(true);
        expect(entryAdmits("archive/other", caller)).toBe(false);
        expect(entryAdmits("web", caller)).toBe(false);
        expect(entryAdmits("web/archive-api", caller)).toBe(false);
        expect(entryAdmits("ingress", { domain: "ingress", name: "x" })).toBe(false);
    });

    it("admits when any entry does", () => {
        expect(admits({ allowFrom: ["web", "archive"] }, caller)).toBe(true);
        expect(admits({ allowFrom: ["web"] }, caller)).toBe(false);
        expect(admits({ allowFrom: [] }, caller)).toBe(false);
    });
});

describe("the ports a call reaches", () => {
    it("is the port it names, or every port of the target but the peers-only ones", () => {
        const { broker } = catalog();
        expect(calledPorts({ domain: "messaging", name: "broker", port: "management" }, broker)).toEqual(["management"]);
        expect(calledPorts({ domain: "messaging", name: "broker" }, broker)).toEqual(["amqp", "management"]);
    });

    it("lists every admitted caller of a target with each port it calls, and no caller the target does not admit", () => {
        const { broker, archive, web, listener, all } = catalog();
        expect(callsTo(broker, all).map(({ caller, port }) => `${caller.name}:${port}`)).toEqual(["archive-api:amqp", "vhf-listener:amqp", "vhf-listener:management"]);
        expect(callsTo(archive, all).map(({ caller, port }) => `${caller.name}:${port}`)).toEqual(["portal:http"]);
        // The portal calls the archive, not the broker; the broker does not admit web.
        const intruder = service("web", "intruder", { connectsTo: ["messaging/broker:amqp"] });
        expect(callsTo(broker, [web, intruder, listener]).map(({ caller }) => caller.name)).toEqual(["vhf-listener", "vhf-listener"]);
    });
});

describe("referenceProblems", () => {
    it("finds nothing wrong in a consistent catalog", () => {
        expect(referenceProblems(entries(catalog().all))).toEqual([]);
    });

    it("names an exposed port the entry does not declare, with the ones it does", () => {
        const { all, listener } = catalog();
        const exposed = service("vhf", "vhf-listener", {
            ports: listener.ports,
            connectsTo: listener.connectsTo,
            expose: { ports: ["packets", "packet"], sourceRanges: ["192.0.2.0/24"] },
        });
        expect(referenceProblems(entries([...all.slice(0, 3), exposed]))).toEqual([
            'services/vhf-listener.yaml: expose.ports[1]: expected one of its ports (packets), got "packet"',
        ]);
    });

    it("names a call to a service or a port that does not exist, with the ports there are", () => {
        const { broker, archive, web } = catalog();
        const caller = service("vhf", "vhf-listener", { connectsTo: ["messaging/broker", "messaging/brocker:amqp", "messaging/broker:amqps"] });
        expect(referenceProblems(entries([broker, archive, web, caller]))).toEqual([
            'services/vhf-listener.yaml: connectsTo[1]: expected a service of the catalog (domain/name), got "messaging/brocker"',
            "services/vhf-listener.yaml: connectsTo[2]: expected one of broker's ports (amqp, management, dist), got \"amqps\"",
        ]);
    });

    it("refuses a call to a peers-only port, and a call the target does not admit, saying where to add it", () => {
        const { broker, archive } = catalog();
        const caller = service("vhf", "vhf-listener", { connectsTo: ["messaging/broker:dist"] });
        const stranger = service("web", "portal", { connectsTo: ["archive/archive-api:http", "messaging/broker:amqp"] });
        expect(referenceProblems(entries([broker, archive, stranger, caller]))).toEqual([
            "services/portal.yaml: connectsTo[1]: services/broker.yaml's allowFrom does not admit web/portal: add it there, or drop the call",
            "services/vhf-listener.yaml: connectsTo[0]: broker's port dist is for its own replicas only (peersOnly)",
        ]);
    });

    it("refuses `ingress` in allowFrom without an ingress host", () => {
        const { broker, archive, web, listener } = catalog();
        const noHost = service("archive", "archive-api", { ports: archive.ports, allowFrom: ["ingress", "web"], connectsTo: archive.connectsTo });
        expect(referenceProblems(entries([broker, noHost, web, listener]))).toEqual([
            "services/archive-api.yaml: allowFrom[0]: ingress admits the Gateway, but the entry has no ingress host",
        ]);
    });

    it("names an allowFrom domain or service that does not exist, with the domains there are", () => {
        const { broker, archive, web, listener } = catalog();
        const typo = service("messaging", "broker", { ports: broker.ports, allowFrom: ["vhf", "archive/archive", "archives"] });
        expect(referenceProblems(entries([typo, archive, web, listener]))).toEqual([
            'services/broker.yaml: allowFrom[1]: expected a service of domain archive, got "archive"',
            'services/broker.yaml: allowFrom[2]: expected a domain of the catalog (archive, messaging, vhf, web), got "archives"',
            // The archive's call is no longer admitted: the entry that let it in was the one with the typo.
            "services/archive-api.yaml: connectsTo[0]: services/broker.yaml's allowFrom does not admit archive/archive-api: add it there, or drop the call",
        ]);
    });

    it("refuses an allowFrom entry that admits nobody who calls, by domain or by name", () => {
        const { broker, archive, web, listener } = catalog();
        const wide = service("messaging", "broker", { ports: broker.ports, allowFrom: ["vhf", "archive/archive-api", "web", "vhf/vhf-listener"] });
        expect(referenceProblems(entries([wide, archive, web, listener]))).toEqual([
            'services/broker.yaml: allowFrom[2]: "web" admits nobody: no service there declares connectsTo messaging/broker:<port>',
        ]);
        // A service of the domain that calls someone else does not count as a caller.
        const quiet = service("vhf", "vhf-listener", { connectsTo: ["archive/archive-api:http"] });
        expect(referenceProblems(entries([broker, archive, web, quiet]))).toEqual([
            'services/broker.yaml: allowFrom[0]: "vhf" admits nobody: no service there declares connectsTo messaging/broker:<port>',
            "services/vhf-listener.yaml: connectsTo[0]: services/archive-api.yaml's allowFrom does not admit vhf/vhf-listener: add it there, or drop the call",
        ]);
    });
});
