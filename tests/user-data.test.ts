/**
 * The cloud-config every server boots with, written out whole: what makes a server reachable (the keys, its
 * host key) and safe to reach (no passwords, no root), and what it leaves to Ansible (no upgrade at boot).
 * tests/rendered-configs.test.ts feeds the same documents to `cloud-init schema`.
 */
import { parse } from "yaml";
import { renderUserData } from "../components/openstack/user-data";

const keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGdUOEGvECRPyrb+VRHf+SaMhKxzebiLex3Fn/Y8KniV ops@fsgs"];
const node = () => renderUserData({ hostname: "fsgs-prod-cp-1", sshUser: "ubuntu", sshPublicKeys: keys });

describe("renderUserData", () => {
    it("starts with the header cloud-init requires to read it as cloud-config", () => {
        expect(node().split("\n")[0]).toBe("#cloud-config");
    });

    it("renders, for a node, this document: its name, the operators' keys, no password or root login, no package run", () => {
        expect(parse(node())).toEqual({
            hostname: "fsgs-prod-cp-1",
            manage_etc_hosts: true,
            ssh_pwauth: false,
            disable_root: true,
            users: ["default"],
            ssh_authorized_keys: keys,
            package_update: false,
            package_upgrade: false,
        });
    });

    it("installs the bastion's packages at first boot, after refreshing the package lists, and still upgrades nothing", () => {
        const document = parse(renderUserData({ hostname: "fsgs-prod-bastion", sshUser: "ubuntu", sshPublicKeys: keys, packages: ["ansible", "python3-yaml"] }));
        expect(document).toMatchObject({ package_update: true, package_upgrade: false, packages: ["ansible", "python3-yaml"] });
    });

    it("treats an empty package list as none", () => {
        const document = parse(renderUserData({ hostname: "fsgs-prod-bastion", sshUser: "ubuntu", sshPublicKeys: keys, packages: [] }));
        expect(document.package_update).toBe(false);
        expect(document).not.toHaveProperty("packages");
    });

    it("installs the host key the program generated, the public half without its trailing newline", () => {
        const hostKey = {
            privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
            publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheNode fsgs-prod-cp-1\n",
        };
        const document = parse(renderUserData({ hostname: "fsgs-prod-cp-1", sshUser: "ubuntu", sshPublicKeys: keys, hostKey }));
        expect(document.ssh_keys).toEqual({ ed25519_private: hostKey.privateKey, ed25519_public: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheNode fsgs-prod-cp-1" });
        expect(parse(node())).not.toHaveProperty("ssh_keys");
    });
});
