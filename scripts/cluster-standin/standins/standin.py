"""Entry point of every stand-in command: `standin.py <kubeadm|kubectl|kubelet|etcdctl|crictl|standin-ctl> args`.
The launchers that the stand-in packages put on a node's PATH (/usr/bin/kubeadm...) exec this with their
version in SVOM_STANDIN_VERSION; the harness runs `standin-ctl` on the machine itself."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# PyYAML, copied beside the stand-ins: a minimal Debian root has python3 but not python3-yaml.
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: standin.py <command> [args...]")
    command, argv = sys.argv[1], sys.argv[2:]
    if command == "kubeadm":
        import kubeadm as module
    elif command == "kubectl":
        import kubectl as module
    elif command == "kubelet":
        import kubelet as module
    elif command == "etcdctl":
        import etcdctl as module
    elif command == "etcdutl":
        import etcdutl as module
    elif command == "crictl":
        import crictl as module
    elif command == "standin-ctl":
        import control as module
    else:
        sys.exit(f"standin.py: unknown command {command}")
    module.main(argv)


if __name__ == "__main__":
    main()
