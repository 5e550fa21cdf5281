/**
 * The catalog entry's schema (components/config/service-schema.ts), fed small entries the way parseCatalog feeds
 * services/<name>.yaml: each bad value must come back as one line naming the file, the key and what is expected.
 * The syntaxes are Kubernetes' (kubernetes.io "Object Names and IDs" for DNS labels, "Labels and Selectors: Syntax and
 * character set", "Resource Management for Pods and Containers" for quantities), PostgreSQL's (docs "Identifiers and
 * Key Words", NAMEDATALEN 64) and the OCI distribution spec's for tags (`[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`).
 */
import { formatIssues } from "../components/config/errors";
import { LABEL_KEY, LABEL_VALUE, serviceOverrideSchema, serviceSchema } from "../components/config/service-schema";

const FILE = "services/probe.yaml";

/** A valid entry with `extra` on top. */
function entry(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { name: "probe", domain: "tests", image: { repository: "gitlab-registry.in2p3.fr/svom/fsgs/probe", tag: "1.0" }, ...extra };
}

/** What parseCatalog reports of the entry (the same call and formatting), [] when it is valid. */
function problems(extra: Record<string, unknown>): string[] {
    const result = serviceSchema.safeParse(entry(extra), { reportInput: true });
    return result.success ? [] : formatIssues(result.error.issues, `${FILE}: `);
}

/** The parsed entry (defaults applied); fails the test when it is refused. */
function parsed(extra: Record<string, unknown> = {}) {
    const result = serviceSchema.safeParse(entry(extra));
    if (!result.success) {
        throw new Error(formatIssues(result.error.issues, `${FILE}: `).join("\n"));
    }
    return result.data;
}

const letters = (count: number, letter = "a") => letter.repeat(count);

/** The value as a message shows it: JSON, cut after 57 characters with "..." (errors.ts keeps lines short). */
const shown = (value: string) => {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

describe("names and domains (DNS labels, 63 characters at most)", () => {
    it.each(["a", "ab", "a1", "a-1", `a${letters(61, "b")}c`, "x9-y"])("accepts %j", (name) => {
        expect(problems({ domain: name })).toEqual([]);
    });

    it.each(["1a", "-a", "a-", "A", "aB", "a_b", "a.b", "", `a${letters(62, "b")}c`])("refuses %j, naming the key", (name) => {
        expect(problems({ domain: name })).toEqual([`${FILE}: domain: expected a lowercase DNS label, got ${shown(name)}`]);
    });
});

describe("the image", () => {
    it.each(["gitlab-registry.in2p3.fr/svom/fsgs/probe", "localhost:5000/probe", "registry.example.org/group/image_x.y-z"])("accepts the repository %j", (repository) => {
        expect(problems({ image: { repository, tag: "1.0" } })).toEqual([]);
    });

    it.each(["registry.example.org", "Registry.example.org/group/image", "registry.example.org/Group/image", "registry:port/image", "registry:/image", "registry.example.org/", "/group/image", "registry.example.org//image", "registry.example.org/group/image:1.0"])(
        "refuses the repository %j with an example of a good one",
        (repository) => {
            expect(problems({ image: { repository, tag: "1.0" } })).toEqual([
                `${FILE}: image.repository: expected a registry path like registry.example.org/group/image, got ${JSON.stringify(repository)}`,
            ]);
        },
    );

    it.each(["1.0", "v1.2.3", "_build", "9", "1.0-rc_1", letters(128, "t"), "Latest", "latest-1"])("accepts the tag %j", (tag) => {
        expect(problems({ image: { repository: "registry.example.org/probe/x", tag } })).toEqual([]);
    });

    it.each([".1", "-1", "", "1 0", "1/0", "1:0", letters(129, "t")])("refuses the tag %j", (tag) => {
        expect(problems({ image: { repository: "registry.example.org/probe/x", tag } })).toEqual([
            `${FILE}: image.tag: expected an image tag, got ${shown(tag)}`,
        ]);
    });

    it("refuses latest, saying why", () => {
        expect(problems({ image: { repository: "registry.example.org/probe/x", tag: "latest" } })).toEqual([
            `${FILE}: image.tag: expected a pinned tag: \`latest\` changes under a running service, got "latest"`,
        ]);
    });
});

describe("resources", () => {
    const withResources = (cpu: string, memory: string) => ({ resources: { requests: { cpu, memory }, limits: { memory } } });

    it.each(["250m", "1", "12", "0.5", "1.25", "1000m"])("accepts the CPU quantity %j", (cpu) => {
        expect(problems(withResources(cpu, "512Mi"))).toEqual([]);
    });

    it.each(["m", "250M", "1.", ".5", "1.5m", "m1", "x1", "1x", "", "-1"])("refuses the CPU quantity %j", (cpu) => {
        expect(problems(withResources(cpu, "512Mi"))).toEqual([`${FILE}: resources.requests.cpu: expected a CPU quantity like 250m or 1, got ${JSON.stringify(cpu)}`]);
    });

    it.each(["512Ki", "512Mi", "2Gi", "1Ti", "10Mi"])("accepts the memory quantity %j", (memory) => {
        expect(problems({ resources: { requests: { cpu: "1", memory }, limits: { memory } } })).toEqual([]);
    });

    it.each(["512", "512M", "Mi", "x512Mi", "512Mix", "512Pi", "1.5Gi"])("refuses the memory quantity %j", (memory) => {
        expect(problems({ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory } } })).toEqual([
            `${FILE}: resources.limits.memory: expected a memory quantity like 512Mi or 2Gi, got ${JSON.stringify(memory)}`,
        ]);
    });

    it("accepts a CPU limit, refuses an unknown key", () => {
        expect(problems({ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "1Gi" } } })).toEqual([]);
        expect(problems({ resources: { requests: { cpu: "1", memory: "1Gi", gpu: "1" }, limits: { memory: "1Gi" } } })).toEqual([
            `${FILE}: resources.requests.gpu: unknown key (check its spelling against the config reference in README.md)`,
        ]);
    });
});

describe("storage", () => {
    it.each(["20Mi", "20Gi", "1Ti"])("accepts the size %j", (size) => {
        expect(problems({ storage: { size, mountPath: "/data" } })).toEqual([]);
    });

    it.each(["20", "20Ki", "20G", "Gi", "x20Gi", "20Gix"])("refuses the size %j", (size) => {
        expect(problems({ storage: { size, mountPath: "/data" } })).toEqual([`${FILE}: storage.size: expected a size like 20Gi, got ${JSON.stringify(size)}`]);
    });

    it("wants an absolute mount path", () => {
        expect(problems({ storage: { size: "1Gi", mountPath: "data/" } })).toEqual([expect.stringMatching(/^services\/probe\.yaml: storage\.mountPath: /)]);
    });
});

describe("labels and ConfigMap keys", () => {
    it.each(["disktype", "example.org/disktype", "a.b-c.d/x_y.z", "A", "a", "x1.y-2_Z", "fsgs.svom.eu/pool", `${letters(63, "k")}`, "k8s.io/" + letters(63, "n")])(
        "accepts the label key %j",
        (key) => {
            expect(LABEL_KEY.test(key)).toBe(true);
        },
    );

    it.each(["", "-x", "x-", "x_", ".x", "/x", "example.org/", "Example.org/x", "a..b/x", "-a.b/x", "a-.b/x", "a b", "a/b/c", letters(64, "k"), "k8s.io/" + letters(64, "n")])(
        "refuses the label key %j",
        (key) => {
            expect(LABEL_KEY.test(key)).toBe(false);
        },
    );

    it.each(["", "a", "A9", "a-b_c.d", letters(63, "v")])("accepts the label value %j", (value) => {
        expect(LABEL_VALUE.test(value)).toBe(true);
    });

    it.each(["-a", "a-", "_a", "a.", "a b", "a/b", letters(64, "v")])("refuses the label value %j", (value) => {
        expect(LABEL_VALUE.test(value)).toBe(false);
    });

    it("names the nodeSelector key or value at fault, and the expected form", () => {
        expect(problems({ nodeSelector: { disktype: "ssd" } })).toEqual([]);
        expect(problems({ nodeSelector: { "-disk": "ssd" } })).toEqual([
            `${FILE}: nodeSelector.-disk: Invalid key in record (expected a label key like disktype or example.org/disktype), got "-disk"`,
        ]);
        expect(problems({ nodeSelector: { disktype: "s sd" } })).toEqual([
            `${FILE}: nodeSelector.disktype: expected a label value (63 characters at most: letters, digits, - _ .), got "s sd"`,
        ]);
    });

    it("takes a ConfigMap or Secret key of letters, digits, - _ . only", () => {
        expect(problems({ configFiles: [{ configMap: "probe-config", mountPath: "/etc/probe/app.conf", key: "app-1_X.conf" }] })).toEqual([]);
        expect(problems({ secretFiles: [{ secret: "probe", key: "a/b", mountPath: "/run/secrets/x" }] })).toEqual([
            `${FILE}: secretFiles[0].key: expected a ConfigMap or Secret key, got "a/b"`,
        ]);
        expect(problems({ secretFiles: [{ secret: "probe", key: "", mountPath: "/run/secrets/x" }] })).toEqual([
            `${FILE}: secretFiles[0].key: expected a ConfigMap or Secret key, got ""`,
        ]);
        expect(problems({ configFiles: [{ configMap: "probe-config", mountPath: "etc/probe" }] })).toEqual([expect.stringMatching(/: configFiles\[0\]\.mountPath: /)]);
    });
});

describe("environment variables", () => {
    it("take names of letters, digits and _ that do not start with a digit", () => {
        expect(problems({ env: { A: "1", _x9: "2", Mixed_Case: "3" }, secretEnv: { TOKEN: { secret: "probe", key: "token" } } })).toEqual([]);
        for (const name of ["9A", "A-B", "", "A B"]) {
            expect(problems({ env: { [name]: "1" } })).toEqual([expect.stringMatching(new RegExp(`^services/probe\\.yaml: env\\.${name.replace(/[- ]/g, ".")}: `))]);
            expect(problems({ secretEnv: { [name]: { secret: "probe", key: "token" } } })).toHaveLength(1);
        }
    });
});

describe("ports and probes", () => {
    it("default to no port, TCP, and no caller or callee", () => {
        const service = parsed({ ports: [{ name: "http", port: 8080 }] });
        expect(service.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
        const bare = parsed();
        expect([bare.ports, bare.allowFrom, bare.connectsTo, bare.connectsToExternal]).toEqual([[], [], [], []]);
    });

    it("refuses a port name longer than 15 characters (Kubernetes' IANA_SVC_NAME)", () => {
        expect(problems({ ports: [{ name: letters(15, "p"), port: 1 }] })).toEqual([]);
        expect(problems({ ports: [{ name: letters(16, "p"), port: 1 }] })).toEqual([`${FILE}: ports[0].name: expected a length <= 15, got "${letters(16, "p")}"`]);
    });

    it("takes an HTTP probe on an absolute path and a named or numbered port", () => {
        const service = parsed({ probes: { readiness: { httpGet: { path: "/ready", port: "http" } }, liveness: { tcpSocket: { port: 8080 } } } });
        expect(service.probes).toEqual({ readiness: { httpGet: { path: "/ready", port: "http" } }, liveness: { tcpSocket: { port: 8080 } } });
        expect(problems({ probes: { readiness: { exec: { command: ["true"] } } } })).toEqual([]);
        expect(problems({ probes: { readiness: { httpGet: { path: "ready/", port: "http" } } } })).not.toEqual([]);
        expect(problems({ probes: { readiness: { exec: { command: [] } } } })).not.toEqual([]);
    });
});

describe("what a service calls and who may call it", () => {
    it.each(["ingress", "monitoring", "burst-advocate/tools-1"])("admits the allowFrom entry %j", (caller) => {
        expect(problems({ allowFrom: [caller] })).toEqual([]);
    });

    it.each(["Ingress", "a/b/c", "a/", "/b", "a b", "x:y"])("refuses the allowFrom entry %j with the forms it takes", (caller) => {
        expect(problems({ allowFrom: [caller] })).toEqual([`${FILE}: allowFrom[0]: expected ingress, a domain, or domain/name, got ${JSON.stringify(caller)}`]);
    });

    it.each(["messaging/message-broker", "messaging/message-broker:amqp", "a-1/b-2:c-3"])("takes the connectsTo entry %j", (target) => {
        expect(problems({ connectsTo: [target] })).toEqual([]);
    });

    it.each(["messaging", "messaging/broker:", "messaging/broker:amqp:x", "Messaging/broker", "x messaging/broker", "messaging/broker/x", "/broker"])(
        "refuses the connectsTo entry %j with the form it takes",
        (target) => {
            expect(problems({ connectsTo: [target] })).toEqual([`${FILE}: connectsTo[0]: expected domain/name:port-name, got ${JSON.stringify(target)}`]);
        },
    );

    it("takes outside addresses as IPv4 CIDRs with ports", () => {
        expect(problems({ connectsToExternal: [{ cidr: "0.0.0.0/0", ports: [443], description: "GCN" }] })).toEqual([]);
        for (const cidr of ["0.0.0.0", "/0", "2001:db8::/32", "x0.0.0.0/0", "0.0.0.0/0x", "0.0.0.0/"]) {
            expect(problems({ connectsToExternal: [{ cidr, ports: [443], description: "GCN" }] })).toEqual([
                `${FILE}: connectsToExternal[0].cidr: expected an IPv4 CIDR, got ${JSON.stringify(cidr)}`,
            ]);
        }
    });

    it("exposes named ports to IPv4 networks, at least one of each", () => {
        const expose = (sourceRanges: string[]) => ({ ports: [{ name: "packets", port: 5000, protocol: "UDP" }], expose: { ports: ["packets"], sourceRanges } });
        expect(problems(expose(["192.0.2.0/24"]))).toEqual([]);
        expect(problems(expose(["192.0.2.0"]))).toEqual([`${FILE}: expose.sourceRanges[0]: expected an IPv4 CIDR, got "192.0.2.0"`]);
        expect(problems(expose([]))).toEqual([`${FILE}: expose.sourceRanges: expected at least 1 entry, got []`]);
    });

    it("serves the ingress on / by default, on an absolute path", () => {
        expect(parsed({ ingress: { host: "probe.svom.eu", port: "http" } }).ingress).toEqual({ host: "probe.svom.eu", path: "/", port: "http" });
        expect(problems({ ingress: { host: "probe.svom.eu", port: "http", path: "api" } })).toEqual([expect.stringMatching(/: ingress\.path: /)]);
        expect(problems({ ingress: { host: "probe.svom.eu", port: "http", path: "/api" } })).toEqual([]);
    });
});

describe("databases and brokers", () => {
    it("default to no read-only Service and to a nightly definitions export", () => {
        expect(parsed({ postgresql: { database: "archive", owner: "archive" } }).postgresql).toEqual({ database: "archive", owner: "archive", readOnlyService: false });
        expect(parsed({ rabbitmq: {} }).rabbitmq).toEqual({ definitionsBackup: true });
    });

    it.each(["archive", "_app", "app_1", letters(63, "d")])("accept the PostgreSQL identifier %j", (name) => {
        expect(problems({ postgresql: { database: name, owner: name } })).toEqual([]);
    });

    it.each(["1app", "App", "app-x", "", letters(64, "d"), "app x"])("refuse the PostgreSQL identifier %j for the database and the owner", (name) => {
        expect(problems({ postgresql: { database: name, owner: name } })).toEqual([
            `${FILE}: postgresql.database: expected a PostgreSQL identifier (a-z, 0-9, _), got ${shown(name)}`,
            `${FILE}: postgresql.owner: expected a PostgreSQL identifier (a-z, 0-9, _), got ${shown(name)}`,
        ]);
    });
});

describe("a singleton", () => {
    const singleton = { reason: "one SQLite file, one writer" };

    it("runs one replica and is never scaled, the reason repeated in the message", () => {
        expect(problems({ singleton })).toEqual([]);
        expect(problems({ singleton, replicas: 1 })).toEqual([]);
        expect(problems({ singleton, replicas: 2 })).toEqual([`${FILE}: replicas: a singleton runs one replica (one SQLite file, one writer), got 2`]);
        expect(problems({ singleton, autoscaling: { maxReplicas: 3 } })).toEqual([
            `${FILE}: autoscaling: a singleton is never scaled (one SQLite file, one writer): remove autoscaling, got {"maxReplicas":3,"cpuUtilization":75}`,
        ]);
    });

    it("says why in at least 10 characters", () => {
        expect(problems({ singleton: { reason: "sqlite" } })).toEqual([`${FILE}: singleton.reason: expected a length >= 10 (say why the service must not be scaled), got "sqlite"`]);
    });

    it("leaves other services free to scale", () => {
        expect(problems({ replicas: 3, autoscaling: { maxReplicas: 6 } })).toEqual([]);
    });
});

describe("a stack's override of an entry", () => {
    it("takes a pinned tag and IPv4 source networks, and names what is wrong", () => {
        const override = (value: Record<string, unknown>) => {
            const result = serviceOverrideSchema.safeParse(value, { reportInput: true });
            return result.success ? [] : formatIssues(result.error.issues, "svom-fsgs:services.probe.");
        };
        expect(override({ tag: "1.2.3", exposeSourceRanges: ["145.238.0.0/24"], replicas: 2 })).toEqual([]);
        expect(override({ tag: "latest" })).toEqual(['svom-fsgs:services.probe.tag: expected a pinned tag: `latest` changes under a running service, got "latest"']);
        expect(override({ exposeSourceRanges: ["145.238.0.0"] })).toEqual(['svom-fsgs:services.probe.exposeSourceRanges[0]: expected an IPv4 CIDR, got "145.238.0.0"']);
    });
});
