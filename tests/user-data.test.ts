import { parse } from "yaml";
import { renderUserData } from "../components/openstack/user-data";

const keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGdUOEGvECRPyrb+VRHf+SaMhKxzebiLex3Fn/Y8KniV ops@fsgs"];

describe("renderUserData", () => {
    const text = renderUserData({ hostname: "fsgs-prod-cp-1", sshUser: "ubuntu", sshPublicKeys: keys });
    const document = parse(text) as Record<string, unknown>;

    it("starts with the header cloud-init requires to read it as cloud-config", () => {
        expect(text.split("\n")[0]).toBe("#cloud-config");
    });

    it("names the host and installs the operators' keys for the default user", () => {
        expect(document).toMatchObject({ hostname: "fsgs-prod-cp-1", users: ["default"], ssh_authorized_keys: keys });
    });

    it("closes password logins and root logins", () => {
        expect(document).toMatchObject({ ssh_pwauth: false, disable_root: true });
    });
});
