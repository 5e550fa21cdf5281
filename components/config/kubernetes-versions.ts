import type { EnvironmentProfile } from "./profile";

/** A pinned download: where it comes from and the sha256 Ansible checks before anything is installed. */
export interface PinnedArtifact {
    version: string;
    /** Hex sha256 of the linux-amd64 artifact, as the upstream release publishes it. */
    sha256: string;
}

/** One Kubernetes minor release the program can deploy, and the node software that goes with it. */
export interface KubernetesRelease {
    /** `1.<minor>`. */
    minor: number;
    /** Upstream end of life (kubernetes.io/releases/1.<minor>), an ISO date: no security fix after it. */
    endOfLife: string;
    /** The pause image kubeadm expects for this minor (its PauseVersion), so containerd pins the same one. */
    pauseImage: string;
    /** containerd 2.x release tarball, containerd-<v>-linux-amd64.tar.gz from github.com/containerd/containerd. */
    containerd: PinnedArtifact;
    /** runc binary runc.amd64 from github.com/opencontainers/runc (the containerd tarball does not ship runc). */
    runc: PinnedArtifact;
    /** Calico release the Tigera operator installs; tested by Tigera on this Kubernetes minor. */
    calico: string;
}

// containerd 2.3.4 and runc 1.4.3 sha256: kubespray roles/kubespray_defaults/vars/main/checksums.yml
// (commit 46dbdd39, 2026-08-21, `containerd_archive_checksums.amd64` and `runc_checksums.amd64`), which kubespray's
// scripts fill from the `.sha256sum` files published beside each GitHub release asset. Not re-downloaded here:
// the machines that wrote this have no access to github.com.
const CONTAINERD: PinnedArtifact = { version: "2.3.4", sha256: "9d68969855fbf676cdb8ed758e420fb048d61f984f61de3e53eddfebe484d168" };
const RUNC: PinnedArtifact = { version: "1.4.3", sha256: "f6ae8efc0fa40079e1475e97cbe9d1bd3f106a28d6af78a11d9f1bd565515e60" };

/**
 * The supported Kubernetes minors, oldest first. End-of-life dates: kubernetes.io/releases/1.34 ... /1.37 (read
 * 2026-12-03). Pause images: kubespray `pod_infra_supported_versions` (1.34, 1.35: 3.10.1; 1.36: 3.10.2); 1.37 from
 * rke2's v1.37.0 build (pauseVersion 3.10.2), kubeadm's own constant for 1.37 not checked. Calico: Tigera's tested
 * ranges (3.31: 1.32-1.35, 3.33: 1.35-1.37), so one Calico stays valid on both sides of a 1.36 -> 1.37 upgrade.
 * Kubelet 1.36 and later need containerd 2.x; every row uses it.
 */
export const KUBERNETES_RELEASES: readonly KubernetesRelease[] = [
    { minor: 34, endOfLife: "2026-10-27", pauseImage: "registry.k8s.io/pause:3.10.1", containerd: CONTAINERD, runc: RUNC, calico: "3.31.3" },
    { minor: 35, endOfLife: "2027-02-28", pauseImage: "registry.k8s.io/pause:3.10.1", containerd: CONTAINERD, runc: RUNC, calico: "3.33.0" },
    { minor: 36, endOfLife: "2027-06-28", pauseImage: "registry.k8s.io/pause:3.10.2", containerd: CONTAINERD, runc: RUNC, calico: "3.33.0" },
    { minor: 37, endOfLife: "2027-10-28", pauseImage: "registry.k8s.io/pause:3.10.2", containerd: CONTAINERD, runc: RUNC, calico: "3.33.0" },
];

/** Below this many days before the end of life, every `up` warns. */
export const END_OF_LIFE_WARNING_DAYS = 90;


const DAY_MS = 24 * 60 * 60 * 1000;

/** The minor of `1.36.2`, or undefined when the text is not a 1.x.y version. */
export function kubernetesMinor(version: string): number | undefined {
    const match = /^1\.(\d+)\.\d+$/.exec(version);
    return match ? Number(match[1]) : undefined;
}

/** The table row of a full version such as `1.36.2`. */
export function kubernetesRelease(version: string): KubernetesRelease | undefined {
    const minor = kubernetesMinor(version);
    return KUBERNETES_RELEASES.find((release) => release.minor === minor);
}

/** Whole days from `today` to the end of life (negative once it has passed). */
function daysLeft(release: KubernetesRelease, today: Date): number {
    const end = Date.parse(`${release.endOfLife}T00:00:00Z`);
    const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    return Math.round((end - start) / DAY_MS);
}

/** What validation says about a version: errors stop the `up`, warnings are printed and the `up` goes on. */
export interface KubernetesSupport {
    errors: string[];
    warnings: string[];
}

/**
 * Checks `cluster.kubernetesVersion` against the table on `today`: an unknown minor is an error everywhere; a release
 * past its end of life is an error in preprod and prod and a warning elsewhere; one ending within
 * END_OF_LIFE_WARNING_DAYS is a warning. Messages say the fix (which minors are supported, until when).
 */
export function kubernetesSupport(
    version: string,
    profile: Pick<EnvironmentProfile, "refuseEndOfLifeKubernetes">,
    today: Date,
): KubernetesSupport {
    const release = kubernetesRelease(version);
    const supported = KUBERNETES_RELEASES.filter((row) => daysLeft(row, today) >= 0)
        .map((row) => `1.${row.minor} (until ${row.endOfLife})`)
        .join(", ");
    if (!release) {
        return { errors: [`expected a release of a supported minor, ${supported}, got ${JSON.stringify(version)}`], warnings: [] };
    }
    const left = daysLeft(release, today);
    if (left < 0) {
        const message = `1.${release.minor} reached its end of life on ${release.endOfLife} (no security fixes since); move to one of ${supported}, one minor per \`up\`, got ${JSON.stringify(version)}`;
        return profile.refuseEndOfLifeKubernetes ? { errors: [message], warnings: [] } : { errors: [], warnings: [message] };
    }
    if (left < END_OF_LIFE_WARNING_DAYS) {
        return {
            errors: [],
            warnings: [`1.${release.minor} reaches its end of life on ${release.endOfLife}, in ${left} days; plan the upgrade to 1.${release.minor + 1} (one minor per \`up\`), got ${JSON.stringify(version)}`],
        };
    }
    return { errors: [], warnings: [] };
}

/** The node software Ansible installs for a version: the inventory's variables, from the table. */
export function nodeSoftwareVars(version: string): Record<string, string> {
    const release = kubernetesRelease(version);
    if (!release) {
        return {};
    }
    return {
        container_runtime_sandbox_image: release.pauseImage,
        container_runtime_containerd_version: release.containerd.version,
        container_runtime_containerd_sha256: release.containerd.sha256,
        container_runtime_runc_version: release.runc.version,
        container_runtime_runc_sha256: release.runc.sha256,
        cni_calico_version: release.calico,
    };
}
