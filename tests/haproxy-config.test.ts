/**
 * haproxy.cfg of `vip` mode: the whole file written out, checked by `haproxy -c`, and what it routes read back
 * from the file by a small parser of haproxy's section syntax: `haproxy -c` accepts a config that routes
 * nowhere (no servers, no default_backend, no health check), so parsing alone proves little.
 */
import { renderHaproxyConfig } from "../components/cluster/haproxy-config";
import { runTool, writeScratch } from "./support/real-tools";

const threeControlPlanes = {
    port: 8443,
    backends: [
        { name: "fsgs-prod-cp-1", address: "10.42.10.11" },
        { name: "fsgs-prod-cp-2", address: "10.42.10.12" },
        { name: "fsgs-prod-cp-3", address: "10.42.10.13" },
    ],
};

interface Section {
    kind: string;
    name: string;
    lines: string[];
}

/** haproxy's configuration manual (2.6), section 2: a keyword at the start of a line opens a section. */
function sections(config: string): Section[] {
    const result: Section[] = [];
    for (const raw of config.split("\n")) {
        const line = raw.replace(/#.*/, "").trim();
        if (line === "") continue;
        if (/^\S/.test(raw)) {
            const [kind, name = ""] = line.split(/\s+/);
            result.push({ kind, name, lines: [] });
        } else {
            result[result.length - 1].lines.push(line);
        }
    }
    return result;
}

/** Where a connection to the frontend goes: the port bound, the backend's servers and its health check. */
function routing(config: string) {
    const all = sections(config);
    const frontends = all.filter((s) => s.kind === "frontend");
    return frontends.map((frontend) => {
        const backendName = frontend.lines.find((l) => l.startsWith("default_backend "))?.split(/\s+/)[1];
        const backend = all.find((s) => s.kind === "backend" && s.name === backendName);
        return {
            binds: frontend.lines.filter((l) => l.startsWith("bind ")).map((l) => l.split(/\s+/)[1]),
            backend: backendName ?? null,
            servers: (backend?.lines ?? [])
                .filter((l) => l.startsWith("server "))
                .map((l) => {
                    const [, name, target, ...options] = l.split(/\s+/);
                    return { name, target, checked: options.includes("check"), tls: options.includes("check-ssl") };
                }),
            healthCheck: (backend?.lines ?? []).filter((l) => l.startsWith("option httpchk") || l.startsWith("http-check ")),
        };
    });
}

describe("renderHaproxyConfig", () => {
    it("renders, for three control planes, this file", () => {
        expect(renderHaproxyConfig(threeControlPlanes)).toBe(
            [
                "# Rendered by the svom-fsgs Pulumi program (components/cluster/haproxy-config.ts); do not edit.",
                "global",
                "    log /dev/log local0",
                "    daemon",
                "",
                "defaults",
                "    mode tcp",
                "    log global",
                "    option tcplog",
                "    option dontlognull",
                "    retries 1",
                "    timeout connect 5s",
                "    timeout client 1h",
                "    timeout server 1h",
                "",
                "frontend kube-apiserver",
                "    bind *:8443",
                "    default_backend kube-apiserver",
                "",
                "backend kube-apiserver",
                "    option httpchk",
                "    http-check send meth GET uri /readyz",
                "    http-check expect status 200",
                "    balance leastconn",
                "    default-server inter 5s downinter 5s rise 2 fall 2 slowstart 30s maxconn 250 maxqueue 256",
                "    server fsgs-prod-cp-1 10.42.10.11:6443 check check-ssl verify none",
                "    server fsgs-prod-cp-2 10.42.10.12:6443 check check-ssl verify none",
                "    server fsgs-prod-cp-3 10.42.10.13:6443 check check-ssl verify none",
                "",
            ].join("\n"),
        );
    });

    it("sends the VIP's port to every API server's 6443, health-checked on /readyz over TLS", () => {
        expect(routing(renderHaproxyConfig(threeControlPlanes))).toEqual([
            {
                binds: ["*:8443"],
                backend: "kube-apiserver",
                servers: [
                    { name: "fsgs-prod-cp-1", target: "10.42.10.11:6443", checked: true, tls: true },
                    { name: "fsgs-prod-cp-2", target: "10.42.10.12:6443", checked: true, tls: true },
                    { name: "fsgs-prod-cp-3", target: "10.42.10.13:6443", checked: true, tls: true },
                ],
                healthCheck: ["option httpchk", "http-check send meth GET uri /readyz", "http-check expect status 200"],
            },
        ]);
    });

    it("binds the port it is given and lists one control plane alone", () => {
        const config = renderHaproxyConfig({ port: 9443, backends: [{ name: "fsgs-integration-cp-1", address: "10.50.0.11" }] });
        expect(routing(config)).toEqual([
            expect.objectContaining({
                binds: ["*:9443"],
                servers: [{ name: "fsgs-integration-cp-1", target: "10.50.0.11:6443", checked: true, tls: true }],
            }),
        ]);
    });

    it("is accepted by haproxy -c", () => {
        const result = runTool("haproxy", ["-c", "-f", writeScratch("haproxy-three.cfg", renderHaproxyConfig(threeControlPlanes))]);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("Configuration file is valid")]);
    });

    it("has a routing check that fails a config haproxy -c accepts but that routes nowhere", () => {
        // No servers, no default_backend, no health check: valid to haproxy, useless to kubectl.
        const nowhere = renderHaproxyConfig({ port: 8443, backends: [] })
            .split("\n")
            .filter((line) => !/default_backend|http-check|httpchk/.test(line))
            .join("\n");
        expect(runTool("haproxy", ["-c", "-f", writeScratch("haproxy-nowhere.cfg", nowhere)]).status).toBe(0);
        expect(routing(nowhere)).toEqual([{ binds: ["*:8443"], backend: null, servers: [], healthCheck: [] }]);
    });
});
