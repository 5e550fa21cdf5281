"""Stand-in crictl: `crictl ps` lists the control-plane containers kubeadm's static pods would run here."""
import argparse
import os
import re

import cluster as c
import node_files as nf


def main(argv):
    parser = argparse.ArgumentParser(prog="crictl")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ps")
    p.add_argument("--name")
    p.add_argument("-q", "--quiet", action="store_true")
    p.add_argument("-a", "--all", action="store_true")
    # A stopped container is restarted by kubelet (static pod), on the files it reads at start.
    p = sub.add_parser("stop")
    p.add_argument("container")
    args = parser.parse_args(argv)
    if args.command == "stop":
        with c.locked_state() as state:
            c.record(state, "crictl stop", "ok", container=args.container)
        print(args.container)
        return
    with c.locked_state() as state:
        cluster = state["cluster"]
        running = cluster is not None and c.host_name() in cluster["api_servers"] and c.host_name() not in state["lost_hosts"]
        names = sorted(f[:-5] for f in os.listdir(nf.MANIFESTS_DIR) if f.endswith(".yaml")) if running and os.path.isdir(nf.MANIFESTS_DIR) else []
        for name in names:
            if args.name and not re.search(args.name, name):
                continue
            print(c.fingerprint(c.host_name() + name) if args.quiet else f"{c.fingerprint(c.host_name() + name)}  {name}  Running")
