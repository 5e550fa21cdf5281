/**
 * The known_hosts file Ansible verifies the nodes with (components/ansible/known-hosts.ts): written out, and read
 * back by OpenSSH's own `ssh-keygen -F`, which looks a host up the way ssh does. A line it cannot use would leave
 * a node unreachable under StrictHostKeyChecking=yes; a line for the wrong name would let that name present any key.
 */
import { renderKnownHosts } from "../components/ansible/known-hosts";
import { runTool, writeScratch } from "./support/real-tools";

const CP1 = { names: ["fsgs-prod-cp-1", "10.42.10.11"], publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOfControlPlaneOne root@fsgs-prod-cp-1\n" };
const CP2 = { names: ["10.42.10.12"], publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOfControlPlaneTwo" };

describe("renderKnownHosts", () => {
    it("writes one line per host: its names comma-separated, the key type and the key, without the comment", () => {
        expect(renderKnownHosts([CP1, CP2])).toBe(
            "fsgs-prod-cp-1,10.42.10.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOfControlPlaneOne\n" +
                "10.42.10.12 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOfControlPlaneTwo\n",
        );
        expect(renderKnownHosts([])).toBe("");
    });

    it("is read by ssh-keygen -F: each name and address finds its own host's key, an unlisted one finds nothing", () => {
        const file = writeScratch("known_hosts-unit", renderKnownHosts([CP1, CP2]));
        const lookup = (name: string) => {
            const result = runTool("ssh-keygen", ["-F", name, "-f", file]);
            return [result.status, result.output.split("\n").filter((line) => line !== "" && !line.startsWith("#"))];
        };
        expect(lookup("fsgs-prod-cp-1")).toEqual([0, ["fsgs-prod-cp-1,10.42.10.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOfControlPlaneOne"]]);
        expect(lookup("10.42.10.11")).toEqual([0, ["fsgs-prod-cp-1,10.42.10.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOfControlPlaneOne"]]);
        expect(lookup("10.42.10.12")).toEqual([0, ["10.42.10.12 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOfControlPlaneTwo"]]);
        expect(lookup("10.42.10.13")).toEqual([1, []]);
    });

    it.each([
        ["no name", { names: [], publicKey: CP2.publicKey }],
        ["an empty name", { names: ["fsgs-prod-cp-2", ""], publicKey: CP2.publicKey }],
        ["a name with a comma, which would list two hosts", { names: ["a,b"], publicKey: CP2.publicKey }],
        ["a name with a space, which would shift the key type", { names: ["fsgs prod"], publicKey: CP2.publicKey }],
        ["a key without its base64 part", { names: ["10.42.10.12"], publicKey: "ssh-ed25519" }],
        ["an empty key", { names: ["10.42.10.12"], publicKey: "  " }],
    ])("refuses %s, naming the host", (_what, host) => {
        expect(() => renderKnownHosts([CP1, host])).toThrow(`known_hosts: cannot list ${host.names.join(",")} with key "${host.publicKey}"`);
    });
});
