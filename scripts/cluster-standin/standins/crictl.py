"""Stand-in crictl: `crictl ps` lists the control-plane containers kubeadm's static pods would run here."""
import argparse
import os

import cluster as c
import node_files as nf


def main(argv):
    parser = argparse.ArgumentParser(prog="crictl")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ps")
    p.add_argument("--name")
    p.add_argument("-q", "--quiet", action="store_true")
    p.add_argument("-a", "--all", action="store_true")
    args = parser.parse_args(argv)
    with c.locked_state() as state:
        cluster = state["cluster"]
        running = cluster is not None and c.host_name() in cluster["api_servers"] and c.host_name() not in state["lost_hosts"]
        names = sorted(f[:-5] for f in os.listdir(nf.MANIFESTS_DIR) if f.endswith(".yaml")) if running and os.path.isdir(nf.MANIFESTS_DIR) else []
        for name in names:
            if args.name and args.name not in name:
                continue
            print(c.fingerprint(c.host_name() + name) if args.quiet else f"{c.fingerprint(c.host_name() + name)}  {name}  Running")
