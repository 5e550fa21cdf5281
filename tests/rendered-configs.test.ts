/**
 * The configs the program renders, checked by the programs that will read them: haproxy, keepalived and
 * cloud-init from Debian's packages (.ci/run installs them). A missing binary fails the test.
 */
import { renderHaproxyConfig } from "../components/cluster/haproxy-config";
import { keepalivedPriority, renderKeepalivedConfig } from "../components/cluster/keepalived-config";
import { renderUserData } from "../components/openstack/user-data";
import { defaultInterface, runTool as run, writeScratch as write } from "./support/real-tools";

describe("haproxy -c", () => {
    it("accepts the haproxy.cfg of three control planes", () => {
        const config = renderHaproxyConfig({
            port: 8443,
            backends: [1, 2, 3].map((n) => ({ name: `fsgs-prod-cp-${n}`, address: `10.42.10.${10 + n}` })),
        });
        const result = run("haproxy", ["-c", "-f", write("haproxy.cfg", config)]);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("Configuration file is valid")]);
    });

    it("rejects a broken one, so the check can fail", () => {
        const result = run("haproxy", ["-c", "-f", write("broken.cfg", "frontend x\n    bind *:notaport\n")]);
        expect(result.status).not.toBe(0);
    });
});

describe("keepalived --config-test", () => {
    // Written when a test runs, not when the file loads (a run filtered to other tests pays nothing).
    const checkScript = (): string => write("check_apiserver.sh", "#!/bin/sh\nexit 0\n", 0o755);
    const peers = ["10.42.10.11", "10.42.10.12", "10.42.10.13"];

    // One control plane (integration), two (a replacement under way) and three (preprod, prod): the first once
    // rendered unicast_src_ip with an empty unicast_peer {}, which keepalived 2.2.7 refuses ("A unicast keyword
    // has been specified without any unicast peers"), so the api_vip role's validate failed before kubeadm init.
    const cases = [1, 2, 3].flatMap((count) => Array.from({ length: count }, (_, index) => [count, index] as const));
    it.each(cases)("accepts the keepalived.conf of each of %i control plane(s): control plane %i", (count, index) => {
        const addresses = peers.slice(0, count);
        const config = renderKeepalivedConfig({
            hostName: `fsgs-prod-cp-${index + 1}`,
            // On a node, Ansible fills in the node's interface; here, this machine's.
            interfaceName: defaultInterface(),
            address: addresses[index],
            peers: addresses.filter((_, i) => i !== index),
            priority: keepalivedPriority(index),
            vip: "10.42.10.5",
            prefixLength: 24,
            // The api_vip role installs the real script; this machine has none.
            checkScript: checkScript(),
        });
        const result = run("keepalived", ["--config-test", "-f", write(`keepalived-${count}-${index}.conf`, config)]);
        expect([result.status, result.output]).toEqual([0, ""]);
    });

    it("rejects a config naming an interface the host does not have", () => {
        const config = renderKeepalivedConfig({
            hostName: "cp",
            interfaceName: "no-such-if0",
            address: peers[0],
            peers: peers.slice(1),
            priority: 150,
            vip: "10.42.10.5",
            prefixLength: 24,
            checkScript: checkScript(),
        });
        expect(run("keepalived", ["--config-test", "-f", write("wrong-interface.conf", config)]).status).not.toBe(0);
    });
});

describe("cloud-init schema", () => {
    const keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGdUOEGvECRPyrb+VRHf+SaMhKxzebiLex3Fn/Y8KniV ops@fsgs"];

    it.each([
        ["a node", renderUserData({ hostname: "fsgs-prod-cp-1", sshUser: "ubuntu", sshPublicKeys: keys })],
        ["the bastion", renderUserData({ hostname: "fsgs-prod-bastion", sshUser: "ubuntu", sshPublicKeys: keys, packages: ["ansible"] })],
    ])("accepts the user data of %s", (name, userData) => {
        const result = run("cloud-init", ["schema", "--config-file", write(`${name.replace(/\W/g, "-")}.yaml`, userData)]);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("Valid cloud-config")]);
        expect(result.output).not.toContain("DEPRECATED");
    });

    it("rejects user data of the wrong shape, so the check can fail", () => {
        const result = run("cloud-init", ["schema", "--config-file", write("broken.yaml", "#cloud-config\npackages: 5\n")]);
        expect(result.status).not.toBe(0);
    });
});
