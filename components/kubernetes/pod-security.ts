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
        if (!(context.capabilities?.drop ?? []).includes("ALL")) {
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
