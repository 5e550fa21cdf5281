"""Stand-in etcdutl: `snapshot status` (integrity) and `snapshot restore` (a new data directory per member).

A restore takes effect as etcd does it: every member restores the same snapshot into a fresh data directory with
the full member list and a new cluster token ("Operating etcd clusters for Kubernetes", Restoring an etcd
cluster; etcd "Disaster recovery"); once every member of --initial-cluster has, the cluster's data is the
snapshot's and its membership the listed members. A member restored from another snapshot or token than its
peers is a violation (a cluster that never forms)."""
import argparse
import json
import os
import secrets

import cluster as c
import etcd_snapshot as snap
import node_files as nf


def main(argv):
    parser = argparse.ArgumentParser(prog="etcdutl")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("snapshot")
    p.add_argument("action", choices=["status", "restore"])
    p.add_argument("path")
    p.add_argument("-w", "--write-out")
    p.add_argument("--data-dir")
    p.add_argument("--name")
    p.add_argument("--initial-cluster")
    p.add_argument("--initial-cluster-token")
    p.add_argument("--initial-advertise-peer-urls")
    args = parser.parse_args(argv)
    with c.locked_state() as state:
        snapshot = snap.read(args.path)
        payload = snapshot["payload"]
        if args.action == "status":
            status = {"hash": int(snapshot["sha256"][:8], 16), "revision": payload["revision"],
                      "totalKey": sum(len(v) for v in payload["data"].values() if isinstance(v, (dict, list))),
                      "totalSize": os.path.getsize(args.path)}
            print(json.dumps(status) if args.write_out == "json" else f"{status['hash']:x}, {status['revision']}, {status['totalKey']}, {status['totalSize']}")
            return
        data_dir = args.data_dir or f"{args.name}.etcd"
        # etcdutl refuses to restore over an existing data directory (etcdutl/snapshot/v3_snapshot.go: "data-dir %q exists").
        if os.path.exists(data_dir):
            c.fail(f'Error: data-dir "{data_dir}" exists')
        members = dict(entry.split("=", 1) for entry in (args.initial_cluster or "").split(",") if entry)
        if args.name not in members or not args.initial_cluster_token:
            c.fail("Error: --name must be one of --initial-cluster, and --initial-cluster-token is required")
        os.makedirs(os.path.join(data_dir, "member"), mode=0o700)
        restores = state.setdefault("restores", {}).setdefault(args.initial_cluster_token, {})
        for other in restores.values():
            if other["sha256"] != snapshot["sha256"] or other["members"] != members:
                c.violation(state, "one-snapshot-per-restore", f"{args.name} restored another snapshot or member list than its peers (token {args.initial_cluster_token})")
        restores[args.name] = {"sha256": snapshot["sha256"], "members": members, "host": c.host_name()}
        c.record(state, "etcdutl snapshot restore", "ok", member=args.name, revision=payload["revision"])
        if set(restores) == set(members):
            cluster = state["cluster"]
            for key, value in payload["data"].items():
                cluster[key] = value
            cluster["etcd"] = {}
            for name, peer in members.items():
                member_id = secrets.token_hex(8)
                host = next(r["host"] for n, r in restores.items() if n == name)
                cluster["etcd"][member_id] = {"name": name, "host": host, "peerURL": peer}
            state.setdefault("restoredClusters", []).append({"t": state["now"], "revision": payload["revision"], "token": args.initial_cluster_token})
            c.record(state, "etcd restored", "ok", revision=payload["revision"], members=sorted(members))
        # The member file the other stand-ins read, in the new data directory.
        if data_dir == nf.ETCD_DATA_DIR:
            nf.write(nf.ETCD_MEMBER_FILE, json.dumps({"cluster": state["cluster"]["id"], "member": args.name, "restoredFrom": payload["revision"]}) + "\n")
        print(f"restored snapshot revision {payload['revision']} into {data_dir}")
