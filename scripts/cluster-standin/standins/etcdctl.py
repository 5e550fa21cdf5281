"""Stand-in etcdctl (v3 API): member list, member remove, endpoint health. It talks to the cluster's etcd with
the control plane's client certificate, so it only works on a control plane of the current cluster."""
import argparse
import json

import cluster as c
import etcd_snapshot as snap
import node_files as nf


def require_client_certificate(state):
    nf.current_certificates(
        state,
        missing="Error: open /etc/kubernetes/pki/etcd/healthcheck-client.crt: no such file or directory",
        foreign="Error: context deadline exceeded (x509: certificate signed by unknown authority)",
    )


def main(argv):
    with c.locked_state() as state:
        require_client_certificate(state)
        run(state, argv)


def run(state, argv):
    """etcdctl against the cluster's etcd; `kubectl exec etcd-<node> -- etcdctl` calls this in that pod."""
    parser = argparse.ArgumentParser(prog="etcdctl")
    for flag in ["--endpoints", "--cacert", "--cert", "--key", "-w", "--write-out"]:
        parser.add_argument(flag)
    # etcdctl v3 also takes --write-out=json after the command words.
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("member")
    p.add_argument("action", choices=["list", "remove"])
    p.add_argument("member_id", nargs="?")
    p.add_argument("-w", "--write-out", dest="sub_write_out")
    p = sub.add_parser("endpoint")
    p.add_argument("action", choices=["health"])
    p = sub.add_parser("snapshot")
    p.add_argument("action", choices=["save"])
    p.add_argument("path")
    args = parser.parse_args(argv)
    output = getattr(args, "sub_write_out", None) or args.w or args.write_out or "simple"
    if True:  # noqa: SIM108 (keeps the body's indentation of the locked block it was)
        cluster = state["cluster"]
        if not c.has_quorum(state):
            c.fail("Error: context deadline exceeded (etcd has no quorum)")
        members = cluster["etcd"]
        if args.command == "endpoint":
            print("127.0.0.1:2379 is healthy: successfully committed proposal")
        elif args.command == "snapshot":
            with open(args.path, "w", encoding="utf-8") as handle:
                json.dump(snap.take(state), handle)
            c.record(state, "etcdctl snapshot save", "ok", revision=state["etcdRevision"])
            print(f"Snapshot saved at {args.path}")
        elif args.action == "list":
            # etcdctl -w json prints member IDs as decimal uint64 numbers; `member remove` takes hex.
            rows = [{"ID": int(mid, 16), "name": m["name"], "peerURLs": [m["peerURL"]], "healthy": m["host"] not in state["lost_hosts"]} for mid, m in sorted(members.items())]
            if output == "json":
                print(json.dumps({"members": rows}))
            else:
                for row in rows:
                    print(f"{row['ID']}, started, {row['name']}, {row['peerURLs'][0]}, {row['peerURLs'][0].replace('2380', '2379')}, false")
        else:
            # The ID as `member remove` takes it: hexadecimal, without leading zeros.
            args.member_id = next((mid for mid in members if int(mid, 16) == int(args.member_id, 16)), args.member_id)
            if args.member_id not in members:
                c.fail(f"Error: etcdserver: member not found ({args.member_id})")
            # Removing a member must leave a quorum of the remaining ones (etcd "runtime reconfiguration").
            removed = members.pop(args.member_id)
            if not c.has_quorum(state):
                members[args.member_id] = removed
                c.fail("Error: etcdserver: re-configuration failed due to not enough started members")
            c.record(state, "etcdctl member remove", "ok", member=removed["name"])
            print(f"Member {args.member_id} removed from cluster")
