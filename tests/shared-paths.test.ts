/**
 * Facts kept twice, in TypeScript and in the Ansible roles' defaults, tied: the kubeadm config the program renders
 * names files the roles create first (audit policy, audit log, encryption config) and the CRI socket the
 * container_runtime role configures. A path changed on one side alone fails here, before kubeadm would fail on a
 * node (an apiserver that cannot read its audit policy does not start).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { CONTROL_PLANE_PATHS, CRI_SOCKET } from "../components/cluster/paths";
import { ROOT } from "./support/stacks";

const defaults = (role: string) => parse(readFileSync(join(ROOT, "playbooks", "roles", role, "defaults", "main.yml"), "utf8")) as Record<string, unknown>;

describe("paths the program and the roles share", () => {
    const controlPlane = defaults("kubeadm_control_plane");

    it.each([
        ["kubeadm_control_plane_audit_policy", CONTROL_PLANE_PATHS.auditPolicy],
        ["kubeadm_control_plane_audit_log_dir", CONTROL_PLANE_PATHS.auditLogDir],
        ["kubeadm_control_plane_encryption_config", CONTROL_PLANE_PATHS.encryptionConfig],
    ])("kubeadm_control_plane's %s is the program's %s", (variable, path) => {
        expect(controlPlane[variable]).toBe(path);
    });

    it("mounts into the API server the folders the role creates (the files' own folders)", () => {
        expect(dirname(String(controlPlane.kubeadm_control_plane_audit_policy))).toBe(CONTROL_PLANE_PATHS.auditPolicyDir);
        expect(dirname(String(controlPlane.kubeadm_control_plane_encryption_config))).toBe(CONTROL_PLANE_PATHS.encryptionDir);
        expect(dirname(CONTROL_PLANE_PATHS.auditLog)).toBe(controlPlane.kubeadm_control_plane_audit_log_dir);
    });

    it("points kubelet and kubeadm at the socket containerd listens on", () => {
        expect(`unix://${String(defaults("container_runtime").container_runtime_socket)}`).toBe(CRI_SOCKET);
    });
});
