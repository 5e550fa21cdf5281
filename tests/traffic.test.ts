/**
 * What reaches the cluster from outside, and who decides it (components/config/traffic.ts), on small configs and
 * catalog entries built here: the Gateway's and the exposed services' NodePorts, where certificates come from, and
 * the per-stack source networks' problems and warnings, each naming the key and the fix. tests/exposure.test.ts
 * runs the same rules on the committed stacks.
 */
import type { StackConfig } from "../components/config/schema";
import { type ServiceInput, type ServiceSpec, serviceSchema } from "../components/config/service-schema";
import {
    DOCUMENTATION_RANGES,
    EXPOSED_NODE_PORT,
    GATEWAY_NODE_PORTS,
    certificateSource,
    exposeSources,
    exposureProblems,
    exposureWarnings,
    outsideNodePorts,
} from "../components/config/traffic";

type Mode = "octavia" | "vip";
type Environment = StackConfig["environment"];

/** A catalog entry as services/<name>.yaml would declare it, through the real schema (defaults applied). */
function service(name: string, extra: Partial<ServiceInput> = {}): ServiceSpec {
    return serviceSchema.parse({ name, domain: "ground", image: { repository: "registry.example.org/fsgs/" + name, tag: "1.0.0" }, ...extra });
}

/** A listener exposed on the given ports, of the given protocols. */
function listener(name: string, ports: [string, "TCP" | "UDP" | undefined][], exposed: string[]): ServiceSpec {
    return service(name, {
        ports: ports.map(([portName, protocol], index) => ({ name: portName, port: 5000 + index, ...(protocol ? { protocol } : {}) })),
        expose: { ports: exposed, sourceRanges: ["192.0.2.0/24"] },
    });
}

/** The parts of a stack config traffic.ts reads. */
function stack(options: { mode?: Mode; environment?: Environment; adminCidrs?: string[]; ranges?: Record<string, string[] | undefined> }) {
    const services: Record<string, { exposeSourceRanges?: string[] }> = {};
    for (const [name, ranges] of Object.entries(options.ranges ?? {})) {
        services[name] = ranges === undefined ? {} : { exposeSourceRanges: ranges };
    }
    return {
        environment: options.environment ?? "prod",
        cluster: { apiEndpoint: { mode: options.mode ?? "vip" } },
        access: { adminCidrs: options.adminCidrs ?? ["145.238.10.0/24"] },
        services,
    } as unknown as Pick<StackConfig, "environment" | "cluster" | "access" | "services">;
}

const KEY = "svom-fsgs:services.vhf-listener.exposeSourceRanges";

describe("the fixed NodePorts", () => {
    it("are 30080 and 30443 for the Gateway and 30900 for an exposed service, inside kube-apiserver's 30000-32767", () => {
        expect(GATEWAY_NODE_PORTS).toEqual({ http: 30080, https: 30443 });
        expect(EXPOSED_NODE_PORT).toBe(30900);
        expect(DOCUMENTATION_RANGES).toEqual(["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"]);
    });
});

describe("certificateSource", () => {
    it("uses ACME HTTP-01 behind Octavia's floating IP and the stack's own CA in vip mode", () => {
        expect(certificateSource(stack({ mode: "octavia" }))).toBe("acme-http01");
        expect(certificateSource(stack({ mode: "vip" }))).toBe("internal-ca");
    });
});

describe("outsideNodePorts", () => {
    it("in vip mode opens the Gateway's two NodePorts to the admin networks, then each exposed service's to its own", () => {
        const catalog = [service("archive"), listener("vhf-listener", [["packets", "UDP"], ["control", undefined]], ["packets", "control"])];
        const config = stack({ mode: "vip", adminCidrs: ["145.238.10.0/24", "2001:660::/32"], ranges: { "vhf-listener": ["145.238.20.0/24"] } });
        expect(outsideNodePorts(config, catalog)).toEqual([
            { what: "Gateway HTTP", protocol: "tcp", port: 30080, sources: ["145.238.10.0/24", "2001:660::/32"] },
            { what: "Gateway HTTPS", protocol: "tcp", port: 30443, sources: ["145.238.10.0/24", "2001:660::/32"] },
            // One entry a protocol, sorted, on the one NodePort.
            { what: "vhf-listener", protocol: "tcp", port: 30900, sources: ["145.238.20.0/24"] },
            { what: "vhf-listener", protocol: "udp", port: 30900, sources: ["145.238.20.0/24"] },
        ]);
    });

    it("behind Octavia opens only the exposed services' NodePorts (the amphorae reach the rest from the node subnet)", () => {
        const catalog = [listener("vhf-listener", [["packets", "UDP"], ["more", "UDP"]], ["packets", "more"])];
        expect(outsideNodePorts(stack({ mode: "octavia", ranges: { "vhf-listener": ["145.238.20.0/24"] } }), catalog)).toEqual([
            { what: "vhf-listener", protocol: "udp", port: 30900, sources: ["145.238.20.0/24"] },
        ]);
    });

    it("opens nothing for an exposed service whose stack lists no network yet, or lists none at all", () => {
        const catalog = [listener("vhf-listener", [["packets", "UDP"]], ["packets"])];
        expect(outsideNodePorts(stack({ mode: "octavia", ranges: { "vhf-listener": [] } }), catalog)).toEqual([]);
        expect(outsideNodePorts(stack({ mode: "octavia" }), catalog)).toEqual([]);
        expect(exposeSources(stack({}), catalog[0])).toEqual([]);
        expect(exposeSources(stack({ ranges: { "vhf-listener": ["145.238.20.0/24"] } }), catalog[0])).toEqual(["145.238.20.0/24"]);
    });

    it("opens nothing for a service that is not exposed, even when its stack lists networks", () => {
        expect(outsideNodePorts(stack({ mode: "octavia", ranges: { archive: ["145.238.20.0/24"] } }), [service("archive")])).toEqual([]);
    });

    it("takes TCP for an exposed port the service does not declare (the reference check reports it)", () => {
        const catalog = [listener("vhf-listener", [["packets", "UDP"]], ["typo"])];
        expect(outsideNodePorts(stack({ mode: "octavia", ranges: { "vhf-listener": ["145.238.20.0/24"] } }), catalog)).toEqual([
            { what: "vhf-listener", protocol: "tcp", port: 30900, sources: ["145.238.20.0/24"] },
        ]);
    });
});

describe("exposureProblems", () => {
    const catalog = () => [service("archive"), listener("vhf-listener", [["packets", "UDP"]], ["packets"])];

    it("asks every stack for the networks of an exposed service, naming the key and the fix, and nothing of the others", () => {
        for (const environment of ["integration", "prod"] as const) {
            expect(exposureProblems(stack({ environment }), catalog())).toEqual([
                `${KEY}: required: vhf-listener is reached from outside the cluster (expose in services/vhf-listener.yaml); list the networks allowed to send to it in this stack (the ground stations' relays), or [] for nobody yet`,
            ]);
        }
        expect(exposureProblems(stack({ ranges: { "vhf-listener": [] } }), catalog())).toEqual([]);
    });

    it("refuses text that is no CIDR block in every environment, at its index", () => {
        expect(exposureProblems(stack({ environment: "integration", ranges: { "vhf-listener": ["145.238.20.0/24", "145.238.20.0"] } }), catalog())).toEqual([
            `${KEY}[1]: expected a CIDR block, got "145.238.20.0"`,
        ]);
    });

    it("refuses the whole Internet of either family in preprod and prod, and lets integration open it", () => {
        expect(exposureProblems(stack({ environment: "preprod", ranges: { "vhf-listener": ["145.238.20.0/24", "0.0.0.0/0", "::/0"] } }), catalog())).toEqual([
            `${KEY}[1]: preprod may not open vhf-listener to the whole Internet (0.0.0.0/0): list the ground stations' relay networks`,
            `${KEY}[2]: preprod may not open vhf-listener to the whole Internet (::/0): list the ground stations' relay networks`,
        ]);
        expect(exposureProblems(stack({ environment: "integration", ranges: { "vhf-listener": ["0.0.0.0/0"] } }), catalog())).toEqual([]);
    });

    it("refuses a network inside any documentation block in prod, naming the block and the fix", () => {
        const ranges = ["192.0.2.128/25", "203.0.113.0/24", "2001:db8:1::/48", "192.0.3.0/24", "198.51.101.0/24"];
        expect(exposureProblems(stack({ environment: "prod", ranges: { "vhf-listener": ranges } }), catalog())).toEqual(
            [
                ["0", "192.0.2.128/25", "192.0.2.0/24"],
                ["1", "203.0.113.0/24", "203.0.113.0/24"],
                ["2", "2001:db8:1::/48", "2001:db8::/32"],
            ].map(
                ([index, text, block]) =>
                    `${KEY}[${index}]: ${text} is in the documentation block ${block} (RFC 5737/3849), a placeholder no real sender uses: replace it with the networks the ground stations' relays send from, or [] to keep vhf-listener closed to the outside in prod`,
            ),
        );
    });
});

describe("exposureWarnings", () => {
    const catalog = () => [service("archive"), listener("vhf-listener", [["packets", "UDP"]], ["packets"])];

    it("says on every run that an exposed service with no network is closed, in which environment", () => {
        expect(exposureWarnings(stack({ environment: "preprod", ranges: { "vhf-listener": [] } }), catalog())).toEqual([
            `${KEY}: empty: nothing outside the cluster reaches vhf-listener in preprod until the ground stations' networks are listed here`,
        ]);
    });

    it("names every documentation block among the networks, and nothing else", () => {
        const ranges = ["145.238.20.0/24", "192.0.2.0/24", "not a block", "2001:db8::/48"];
        expect(exposureWarnings(stack({ environment: "integration", ranges: { "vhf-listener": ranges } }), catalog())).toEqual([
            `${KEY}: 192.0.2.0/24, 2001:db8::/48 is a documentation block: no real sender reaches vhf-listener in integration`,
        ]);
        expect(exposureWarnings(stack({ ranges: { "vhf-listener": ["145.238.20.0/24"] } }), catalog())).toEqual([]);
    });

    it("says nothing of a service that is not exposed, or whose networks the required-check reports", () => {
        expect(exposureWarnings(stack({ ranges: { archive: [], "vhf-listener": undefined } }), catalog())).toEqual([]);
    });
});
