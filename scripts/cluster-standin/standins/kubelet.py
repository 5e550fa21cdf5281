"""Stand-in kubelet: only `--version`. It never runs in a chroot (svom_skip_live_system_tasks keeps systemd
from starting it); the Node it would register is registered by the kubeadm stand-in at join, and its Ready
condition is computed by the API stand-in (kubectl.py node_object)."""
import os
import sys

VERSION = os.environ.get("SVOM_STANDIN_VERSION", "0.0.0")


def report_version():
    """Run by the stand-in kubelet package's postinst: the kubelet restarts on the new version and reports it in its
    Node status. The version-skew policy never allows a kubelet newer than the API server
    (https://kubernetes.io/releases/version-skew-policy/#kubelet), and "Upgrading kubeadm clusters" drains a node
    before its kubelet moves; either broken is a violation."""
    import cluster as c  # noqa: PLC0415 (only this path needs the shared state)

    with c.locked_state() as state:
        cluster = state["cluster"]
        node = next((n for n in (cluster or {}).get("nodes", {}).values() if n["host"] == c.host_name()), None)
        if node is None or node["kubeletVersion"] == VERSION:
            return
        if c.version_tuple(VERSION) > c.version_tuple(cluster["version"]):
            c.violation(state, "kubelet-not-newer-than-apiserver", f"kubelet v{VERSION} on {c.host_name()} while the API server runs v{cluster['version']}")
        if not node["drained"]:
            c.violation(state, "drain-before-kubelet-upgrade", f"kubelet of {c.host_name()} moved from v{node['kubeletVersion']} to v{VERSION} without a drain")
        c.record(state, "kubelet version", "ok", previous=node["kubeletVersion"], version=VERSION)
        node["kubeletVersion"] = VERSION


def main(argv):
    if argv[:1] == ["--version"]:
        print(f"Kubernetes v{VERSION}")
        return
    if argv[:1] == ["--standin-report-version"]:
        report_version()
        return
    sys.exit("kubelet stand-in: only --version is modelled; the kubelet does not run in the harness")
