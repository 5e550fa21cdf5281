"""Stand-in kubelet: only `--version`. It never runs in a chroot (svom_skip_live_system_tasks keeps systemd
from starting it); the Node it would register is registered by the kubeadm stand-in at join, and its Ready
condition is computed by the API stand-in (kubectl.py node_object)."""
import os
import sys

VERSION = os.environ.get("SVOM_STANDIN_VERSION", "0.0.0")


def main(argv):
    if argv[:1] == ["--version"]:
        print(f"Kubernetes v{VERSION}")
        return
    sys.exit("kubelet stand-in: only --version is modelled; the kubelet does not run in the harness")
