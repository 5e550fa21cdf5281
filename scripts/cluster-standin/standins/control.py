"""`standin-ctl`: what the test does to the world, never what a node does. Run by the harness on the machine
itself: move the clock, lose a host (its disk wiped), inject a one-shot fault, read the state."""
import argparse
import json
import re

import cluster as c


def seconds(text):
    units = {"s": 1, "m": 60, "h": c.HOUR, "d": c.DAY, "mo": 30 * c.DAY, "y": c.YEAR}
    total = 0
    for amount, unit in re.findall(r"(\d+)(mo|[smhdy])", text):
        total += int(amount) * units[unit]
    if total == 0:
        raise SystemExit(f"standin-ctl: cannot read the duration {text!r} (e.g. 3d, 11mo, 2h30m)")
    return total


def main(argv):
    parser = argparse.ArgumentParser(prog="standin-ctl")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("clock")
    p.add_argument("action", choices=["advance", "show"])
    p.add_argument("duration", nargs="?")
    p = sub.add_parser("lose-host")
    p.add_argument("host")
    p = sub.add_parser("wipe-host", help="the host's disk is gone: its etcd member, API server and kubelet with it")
    p.add_argument("host")
    p = sub.add_parser("restore-host")
    p.add_argument("host")
    p = sub.add_parser("fault")
    p.add_argument("name")
    p.add_argument("value")
    p = sub.add_parser("violations")
    p = sub.add_parser("summary")
    p = sub.add_parser("query")
    p.add_argument("expression", help="a Python expression over `state`, printed as JSON")
    args = parser.parse_args(argv)
    with c.locked_state() as state:
        if args.command == "clock":
            if args.action == "advance":
                state["now"] += seconds(args.duration)
            print(state["now"])
        elif args.command == "lose-host":
            if args.host not in state["lost_hosts"]:
                state["lost_hosts"].append(args.host)
        elif args.command == "wipe-host":
            cluster = state["cluster"]
            if cluster:
                for member in cluster["etcd"].values():
                    if member["host"] == args.host:
                        member["wiped"] = True
                cluster["api_servers"] = [h for h in cluster["api_servers"] if h != args.host]
                for node in cluster["nodes"].values():
                    if node["host"] == args.host:
                        node["wiped"] = True
        elif args.command == "restore-host":
            state["lost_hosts"] = [h for h in state["lost_hosts"] if h != args.host]
        elif args.command == "fault":
            state["faults"][args.name] = args.value
        elif args.command == "violations":
            for v in state["violations"]:
                print(f"{v['rule']}: {v['message']}")
            if state["violations"]:
                raise SystemExit(1)
        elif args.command == "summary":
            cluster = state["cluster"] or {}
            print(json.dumps({
                "inits": len(state["inits"]),
                "etcdMembers": sorted(m["name"] for m in cluster.get("etcd", {}).values()),
                "nodes": sorted(cluster.get("nodes", {})),
                "version": cluster.get("version"),
                "violations": len(state["violations"]),
            }))
        else:
            print(json.dumps(eval(args.expression, {"state": state})))  # noqa: S307 (the harness's own expression)
