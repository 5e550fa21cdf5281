/** Files on the control-plane nodes that the kubeadm config names and the Ansible roles create first. */
export const CONTROL_PLANE_PATHS = {
    auditPolicyDir: "/etc/kubernetes/audit",
    auditPolicy: "/etc/kubernetes/audit/policy.yaml",
    auditLogDir: "/var/log/kubernetes/audit",
    auditLog: "/var/log/kubernetes/audit/audit.log",
    encryptionDir: "/etc/kubernetes/encryption",
    encryptionConfig: "/etc/kubernetes/encryption/config.yaml",
} as const;

// containerd's CRI socket, as the container_runtime role configures it.
export const CRI_SOCKET = "unix:///run/containerd/containerd.sock";
