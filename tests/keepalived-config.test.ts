/**
 * keepalived.conf of `vip` mode: whole files written out, `keepalived --config-test` on them, and what they
 * make keepalived do read back from the file: who it advertises to, which health script lowers its priority
 * and by how much, which address it holds.
 */
import { KEEPALIVED_CHECK_SCRIPT, keepalivedPriority, renderKeepalivedConfig } from "../components/cluster/keepalived-config";
import { defaultInterface, runTool, writeScratch } from "./support/real-tools";

const firstOfThree = {
    hostName: "fsgs-prod-cp-1",
    interfaceName: "ens3",
    address: "10.42.10.11",
    peers: ["10.42.10.12", "10.42.10.13"],
    priority: 150,
    vip: "10.42.10.5",
    prefixLength: 24,
};

/** keepalived.conf(5): `keyword value` lines and `name {` blocks; returns each block's lines, by path. */
function blocks(config: string): Map<string, string[]> {
    const result = new Map<string, string[]>();
    const path: string[] = [];
    for (const raw of config.split("\n")) {
        const line = raw.replace(/#.*/, "").trim();
        if (line === "") continue;
        if (line.endsWith("{")) {
            path.push(line.slice(0, -1).trim());
            result.set(path.join(" > "), []);
        } else if (line === "}") {
            path.pop();
        } else {
            result.get(path.join(" > "))?.push(line);
        }
    }
    return result;
}

function value(lines: string[] | undefined, keyword: string): string | undefined {
    return lines?.find((line) => line.split(/\s+/)[0] === keyword)?.slice(keyword.length).trim();
}

describe("renderKeepalivedConfig", () => {
    it("renders, for the first of three control planes, this file", () => {
        expect(renderKeepalivedConfig(firstOfThree)).toBe(
            [
                "# Rendered by the svom-fsgs Pulumi program (components/cluster/keepalived-config.ts); do not edit.",
                "global_defs {",
                "    router_id fsgs-prod-cp-1",
                "    enable_script_security",
                "    script_user root",
                "}",
                "",
                "vrrp_script check_apiserver {",
                '    script "/etc/keepalived/check_apiserver.sh"',
                "    interval 3",
                "    timeout 5",
                "    fall 3",
                "    rise 2",
                "    weight -50",
                "}",
                "",
                "vrrp_instance kube_apiserver {",
                "    state BACKUP",
                "    interface ens3",
                "    virtual_router_id 51",
                "    priority 150",
                "    advert_int 1",
                "    unicast_src_ip 10.42.10.11",
                "    unicast_peer {",
                "        10.42.10.12",
                "        10.42.10.13",
                "    }",
                "    virtual_ipaddress {",
                "        10.42.10.5/24",
                "    }",
                "    track_script {",
                "        check_apiserver",
                "    }",
                "}",
                "",
            ].join("\n"),
        );
    });

    it("advertises from its own address to the other control planes only, tracking the API server's health", () => {
        const config = blocks(renderKeepalivedConfig({ ...firstOfThree, hostName: "fsgs-prod-cp-2", address: "10.42.10.12", peers: ["10.42.10.11", "10.42.10.13"], priority: 149 }));
        const instance = config.get("vrrp_instance kube_apiserver");
        expect(value(instance, "unicast_src_ip")).toBe("10.42.10.12");
        expect(config.get("vrrp_instance kube_apiserver > unicast_peer")).toEqual(["10.42.10.11", "10.42.10.13"]);
        expect(value(instance, "priority")).toBe("149");
        expect(config.get("vrrp_instance kube_apiserver > virtual_ipaddress")).toEqual(["10.42.10.5/24"]);
        // The tracked script exists, and its penalty exceeds the priority spread of seven control planes.
        expect(config.get("vrrp_instance kube_apiserver > track_script")).toEqual(["check_apiserver"]);
        const script = config.get("vrrp_script check_apiserver");
        expect(value(script, "script")).toBe(`"${KEEPALIVED_CHECK_SCRIPT}"`);
        expect(-Number(value(script, "weight"))).toBeGreaterThan(keepalivedPriority(0) - keepalivedPriority(6));
    });

    it("has no unicast keyword for a lone control plane (keepalived 2.2.7 refuses them without peers)", () => {
        const config = renderKeepalivedConfig({ ...firstOfThree, peers: [] });
        expect(config).not.toMatch(/unicast/);
        expect(blocks(config).get("vrrp_instance kube_apiserver > virtual_ipaddress")).toEqual(["10.42.10.5/24"]);
    });

    it("uses the health script it is given", () => {
        const config = blocks(renderKeepalivedConfig({ ...firstOfThree, checkScript: "/opt/check.sh" }));
        expect(value(config.get("vrrp_script check_apiserver"), "script")).toBe('"/opt/check.sh"');
    });

    it("is accepted by keepalived --config-test, and a config tracking a script it does not define is not", () => {
        const checkScript = writeScratch("check_apiserver-unit.sh", "#!/bin/sh\nexit 0\n", 0o755);
        const config = renderKeepalivedConfig({ ...firstOfThree, interfaceName: defaultInterface(), checkScript });
        const good = runTool("keepalived", ["--config-test", "-f", writeScratch("keepalived-unit.conf", config)]);
        expect([good.status, good.output]).toEqual([0, ""]);
        const untracked = config.replace("        check_apiserver\n", "        no_such_script\n");
        expect(runTool("keepalived", ["--config-test", "-f", writeScratch("keepalived-untracked.conf", untracked)]).status).not.toBe(0);
    });
});

describe("keepalivedPriority", () => {
    it("gives 150 to the first control plane and one less to each next one", () => {
        expect([0, 1, 2, 6].map(keepalivedPriority)).toEqual([150, 149, 148, 144]);
    });
});
