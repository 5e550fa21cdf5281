/**
 * The checks of the Kubernetes Pod Security Standard "restricted" profile (and of "baseline", which it
 * includes), on a plain pod spec. The API server enforces the same on the namespaces; this lets a test or a
 * policy say which rule a manifest breaks before anything reaches a cluster.
 */

interface SecurityContext {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    seccompProfile?: { type?: string };
}

interface Container {
    name: string;
    securityContext?: SecurityContext;
    ports?: { hostPort?: number }[];
}

export interface PodSpecLike {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: SecurityContext;
    containers: Container[];
    initContainers?: Container[];
    volumes?: Record<string, unknown>[];
}

// The volume types the restricted profile allows.
const ALLOWED_VOLUME_TYPES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const ALLOWED_SECCOMP = new Set(["RuntimeDefault", "Localhost"]);

/** Every rule of the restricted profile the pod breaks, as `container: rule` lines; empty when it complies. */
export function restrictedViolations(pod: PodSpecLike): string[] {
    const problems: string[] = [];
    const podContext = pod.securityContext ?? {};
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) {
        problems.push("pod: host namespaces (hostNetwork, hostPID, hostIPC) are forbidden");
    }
    for (const volume of pod.volumes ?? []) {
        const type = Object.keys(volume).find((key) => key !== "name");
        if (!type || !ALLOWED_VOLUME_TYPES.has(type)) {
            problems.push(`pod: volume ${String(volume.name)} of type ${type ?? "none"} is not allowed`);
        }
    }
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        const context = container.securityContext ?? {};
        const where = container.name;
        if (context.privileged) {
            problems.push(`${where}: privileged`);
        }
        if (context.allowPrivilegeEscalation !== false) {
            problems.push(`${where}: allowPrivilegeEscalation must be false`);
        }
        if (!(context.runAsNonRoot ?? podContext.runAsNonRoot)) {
            problems.push(`${where}: runAsNonRoot must be true`);
        }
        if ((context.runAsUser ?? podContext.runAsUser) === 0) {
            problems.push(`${where}: runAsUser must not be 0`);
        }
        // A container without a drop list drops nothing, so not ALL.
        if (context.capabilities?.drop?.includes("ALL") !== true) {
            problems.push(`${where}: capabilities must drop ALL`);
        }
        const added = (context.capabilities?.add ?? []).filter((capability) => capability !== "NET_BIND_SERVICE");
        if (added.length > 0) {
            problems.push(`${where}: capabilities ${added.join(", ")} may not be added`);
        }
        const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
        if (!seccomp || !ALLOWED_SECCOMP.has(seccomp)) {
            problems.push(`${where}: seccompProfile must be RuntimeDefault or Localhost`);
        }
        if ((container.ports ?? []).some((port) => port.hostPort)) {
            problems.push(`${where}: hostPort is forbidden`);
        }
    }
    return problems;
}

/**
 * The namespaces where pods may run below the restricted profile: ONE list, each with what runs there and why it
 * needs the host. Everything else the program deploys runs in namespaces that enforce restricted (the domains'
 * namespaces, domain-manifests.ts; the add-ons', platform/namespace.ts). `labelledBy` says who sets the
 * namespace's Pod Security labels: the program (`program`), or the component that creates the namespace.
 */
export interface PodSecurityException {
    namespace: string;
    /** The level the namespace enforces. */
    enforce: "privileged" | "baseline";
    /** What runs there below restricted. */
    pods: readonly string[];
    reason: string;
    labelledBy: string;
}

export const POD_SECURITY_EXCEPTIONS: readonly PodSecurityException[] = [
    {
        namespace: "kube-system",
        enforce: "privileged",
        pods: [
            "kubeadm's static control-plane pods and kube-proxy (hostNetwork, hostPath)",
            "openstack-cloud-controller-manager DaemonSet (hostNetwork: the chart's templates/daemonset.yaml)",
            "Cinder CSI node plugin (privileged, hostNetwork, hostPath /var/lib/kubelet and /dev: it mounts volumes on the node)",
            "Cinder CSI controller plugin (the chart mounts hostPath /etc/cacert in both plugins, csi.plugin.volumes)",
            "CoreDNS (restricted-compatible, but it lives where kubeadm puts it)",
        ],
        reason: "node agents that mount volumes and program the node's network, and kubeadm's own components, need host access",
        labelledBy: "program",
    },
    {
        namespace: "calico-system",
        enforce: "privileged",
        pods: ["calico-node DaemonSet (hostNetwork, privileged: it programs routes, iptables and VXLAN on the node)", "calico-typha, calico-kube-controllers, csi-node-driver"],
        reason: "the CNI data plane runs on the host's network namespace with privileges",
        // The Tigera operator creates calico-system with pod-security.kubernetes.io/enforce: privileged (tigera/operator
        // pkg/render, CreateNamespace(..., PSSPrivileged)); Ansible applies the operator (playbooks/roles/cni).
        labelledBy: "tigera-operator",
    },
    {
        namespace: "node-agents",
        enforce: "privileged",
        pods: [
            "prometheus-node-exporter DaemonSet (hostNetwork, hostPID, hostPath /, /proc, /sys and the textfile directory: it reports the node's own state)",
            "Alloy DaemonSet (hostPath /var/log, read as root: every container's log file and the node's journal)",
        ],
        reason: "node agents that read the host's kernel counters, filesystems and log files need host access",
        // platform/observability.ts creates the namespace with these labels (addOnNamespace, enforce privileged).
        labelledBy: "observability add-on",
    },
    {
        namespace: "tigera-operator",
        enforce: "privileged",
        pods: ["tigera-operator Deployment (hostNetwork: it must run before the pod network exists)"],
        reason: "the CNI's installer runs before there is a pod network",
        labelledBy: "tigera-operator manifest",
    },
];

/** The Pod Security labels of an exception namespace the program labels: its level enforced, restricted audited. */
export function exceptionNamespaceLabels(exception: PodSecurityException): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": exception.enforce,
        // Audit at restricted: the API server's audit log names every pod that would fail it, for review.
        "pod-security.kubernetes.io/audit": "restricted",
    };
}
