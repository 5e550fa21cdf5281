"""Stand-in kubectl: get (nodes and stored objects; -o json|yaml|jsonpath|name), get --raw, apply/diff
--server-side, wait --for=condition=Established, cordon/uncordon/drain, delete node, create secret generic.
The API it talks to is the shared cluster; the Tigera operator's defaulting runs as the real one would, after
every request, once the operator is deployed."""
import argparse
import copy
import json
import os
import re
import sys

import cluster as c

VERSION = os.environ.get("SVOM_STANDIN_VERSION", "0.0.0")

# Built-in kinds the stand-in API serves, with whether they are namespaced.
BUILT_IN = {
    "Namespace": False, "CustomResourceDefinition": False, "ClusterRole": False, "ClusterRoleBinding": False,
    "ServiceAccount": True, "Deployment": True, "DaemonSet": True, "ConfigMap": True, "Secret": True,
    "Service": True, "Role": True, "RoleBinding": True,
}
RESOURCE_NAMES = {"nodes": "Node", "node": "Node", "no": "Node", "customresourcedefinitions": "CustomResourceDefinition",
                  "crd": "CustomResourceDefinition", "crds": "CustomResourceDefinition", "installations": "Installation",
                  "installation": "Installation", "secrets": "Secret", "secret": "Secret", "namespaces": "Namespace"}


# --- objects ------------------------------------------------------------------------------------------------


def object_key(obj):
    meta = obj.get("metadata", {})
    return f"{obj['kind']}/{meta.get('namespace', '')}/{meta['name']}"


def crd_kinds(cluster):
    return {o["object"]["spec"]["names"]["kind"]: o["object"]["spec"].get("scope", "Namespaced") == "Namespaced"
            for o in cluster["objects"].values() if o["object"]["kind"] == "CustomResourceDefinition"}


def merge(live, applied):
    """Server-side apply's merge: maps merge field by field; a list without x-kubernetes-list-type is atomic and
    is replaced as a whole (Kubernetes "Server-Side Apply: Merge strategy"; CRD lists default to atomic)."""
    if isinstance(live, dict) and isinstance(applied, dict):
        result = copy.deepcopy(live)
        for key, value in applied.items():
            result[key] = merge(live.get(key), value)
        return result
    return copy.deepcopy(applied)


def check_servable(cluster, obj):
    kinds = dict(BUILT_IN, **crd_kinds(cluster))
    kind = obj.get("kind")
    if kind not in kinds:
        return f'resource mapping not found for name: "{obj["metadata"]["name"]}" namespace: "" from "-": no matches for kind "{kind}" in version "{obj.get("apiVersion")}"\nensure CRDs are installed first'
    namespace = obj["metadata"].get("namespace")
    if kinds[kind] and namespace and f"Namespace//{namespace}" not in cluster["objects"]:
        return f'Error from server (NotFound): namespaces "{namespace}" not found'
    return None


def merged_objects(cluster, documents):
    """(key, live, merged, error) for every document."""
    result = []
    for obj in documents:
        error = check_servable(cluster, obj)
        key = object_key(obj)
        live = cluster["objects"].get(key, {}).get("object")
        result.append((key, live, None if error else merge(live or {}, obj), error))
    return result


def tigera_operator(cluster):
    """The Tigera operator's defaulting of the Installation, once its Deployment runs: fillDefaults in
    tigera/operator pkg/controller/installation/core_controller.go and, for the IP pools (operator 1.36+,
    Calico 3.30+), pkg/controller/ippool/pool_controller.go. It writes the defaulted spec back with a merge
    patch, so the ipPools list (atomic) becomes the operator's."""
    if "Deployment/tigera-operator/tigera-operator" not in cluster["objects"]:
        return
    entry = cluster["objects"].get("Installation//default")
    if not entry:
        return
    spec = entry["object"].setdefault("spec", {})
    spec.setdefault("variant", "Calico")
    spec.setdefault("nonPrivileged", "Disabled")
    cni = spec.setdefault("cni", {})
    cni.setdefault("type", "Calico")
    cni.setdefault("ipam", {}).setdefault("type", "Calico")
    network = spec.setdefault("calicoNetwork", {})
    network.setdefault("linuxDataplane", "Iptables")
    network.setdefault("bgp", "Enabled")
    for pool in network.get("ipPools", []):
        if not pool.get("allowedUses"):
            pool["allowedUses"] = ["Workload", "Tunnel"]
        if ":" not in pool.get("cidr", ""):
            pool.setdefault("encapsulation", "IPIP")
            pool.setdefault("natOutgoing", "Enabled")
            pool.setdefault("nodeSelector", "all()")
            pool.setdefault("blockSize", 26)
        pool.setdefault("disableNewAllocations", False)
        pool.setdefault("assignmentMode", "Automatic")
    network.setdefault("nodeAddressAutodetectionV4", {"firstFound": True})
    network.setdefault("hostPorts", "Enabled")
    network.setdefault("multiInterfaceMode", "None")
    spec.setdefault("controlPlaneReplicas", 2)
    spec.setdefault("flexVolumePath", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/")
    spec.setdefault("nodeUpdateStrategy", {"rollingUpdate": {"maxUnavailable": 1}, "type": "RollingUpdate"})


def cni_ready(cluster):
    return "Deployment/tigera-operator/tigera-operator" in cluster["objects"] and "Installation//default" in cluster["objects"]


# --- nodes ----------------------------------------------------------------------------------------------------


def node_object(state, name, node):
    cluster = state["cluster"]
    ready = (node["host"] not in state["lost_hosts"] and not node.get("wiped") and cni_ready(cluster)
             and c.version_tuple(node["kubeletVersion"]) <= c.version_tuple(cluster["version"]))
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"node-role.kubernetes.io/control-plane": ""} if node["role"] == "control-plane" else {}},
        "spec": {"unschedulable": node["unschedulable"]},
        "status": {
            "addresses": [{"type": "InternalIP", "address": node["address"] or ""}, {"type": "Hostname", "address": name}],
            "conditions": [{"type": "Ready", "status": "True" if ready else "Unknown"}],
            "nodeInfo": {"kubeletVersion": f"v{node['kubeletVersion']}"},
        },
    }


def list_objects(state, kind, name=None):
    cluster = state["cluster"]
    if kind == "Node":
        items = [node_object(state, n, node) for n, node in sorted(cluster["nodes"].items())]
    else:
        items = [o["object"] for o in cluster["objects"].values() if o["object"]["kind"] == kind]
    if name is not None:
        items = [i for i in items if i["metadata"]["name"] == name]
        if not items:
            c.fail(f'Error from server (NotFound): {kind.lower()}s "{name}" not found')
        return items[0]
    return {"apiVersion": "v1", "kind": "List", "items": items}


# --- jsonpath (the subset kubectl users write: range/end, fields, [*], [n], [?(@.k=="v")], "literals") ---------


def jsonpath(template, data):
    tokens = re.split(r"(\{[^{}]*\})", template)
    out, _ = render_tokens(tokens, 0, data, data)
    return out


def render_tokens(tokens, index, current, root):
    out = []
    while index < len(tokens):
        token = tokens[index]
        if not (token.startswith("{") and token.endswith("}")):
            out.append(token)
            index += 1
            continue
        expression = token[1:-1].strip()
        if expression.startswith("range "):
            items = evaluate(expression[6:].strip(), current, root)
            body_start = index + 1
            depth, end = 1, body_start
            while depth:
                inner = tokens[end].strip()
                depth += 1 if inner.startswith("{range ") else -1 if inner == "{end}" else 0
                end += 1
            for item in items:
                rendered, _ = render_tokens(tokens[body_start:end - 1], 0, item, root)
                out.append(rendered)
            index = end
        elif expression.startswith('"'):
            out.append(json.loads(expression))
            index += 1
        else:
            values = evaluate(expression, current, root)
            out.append(" ".join(v if isinstance(v, str) else json.dumps(v) for v in values))
            index += 1
    return "".join(out), index


def evaluate(expression, current, root):
    values = [root if expression.startswith("$") else current]
    for step in re.findall(r"\.[A-Za-z0-9_-]+|\[\*\]|\[\d+\]|\[\?\(@\.[A-Za-z0-9_.]+==\"[^\"]*\"\)\]", expression.lstrip("$")):
        following = []
        for value in values:
            if step == "[*]":
                following.extend(value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [])
            elif step.startswith("[?"):
                field, wanted = re.match(r"\[\?\(@\.([A-Za-z0-9_.]+)==\"([^\"]*)\"\)\]", step).groups()
                following.extend(v for v in (value or []) if isinstance(v, dict) and v.get(field) == wanted)
            elif step.startswith("["):
                position = int(step[1:-1])
                if isinstance(value, list) and position < len(value):
                    following.append(value[position])
            elif isinstance(value, dict) and step[1:] in value:
                following.append(value[step[1:]])
        values = following
    return values


# --- commands -------------------------------------------------------------------------------------------------


def read_documents(path):
    import yaml  # noqa: PLC0415

    with open(path, encoding="utf-8") as handle:
        return [d for d in yaml.safe_load_all(handle) if d]


def print_output(value, output):
    import yaml  # noqa: PLC0415

    if output is None or output == "wide":
        items = value["items"] if value.get("kind") == "List" else [value]
        for item in items:
            print(item["metadata"]["name"])
    elif output == "json":
        print(json.dumps(value, indent=2))
    elif output == "yaml":
        print(yaml.safe_dump(value, sort_keys=False), end="")
    elif output == "name":
        items = value["items"] if value.get("kind") == "List" else [value]
        for item in items:
            print(f"{item['kind'].lower()}/{item['metadata']['name']}")
    elif output.startswith("jsonpath="):
        sys.stdout.write(jsonpath(output[len("jsonpath="):], value))
    else:
        c.fail(f"kubectl stand-in: output {output} is not modelled")


def cmd_get(state, args):
    if args.raw:
        # /readyz, /livez, /healthz answer "ok" when the API server and etcd do.
        print("ok")
        return
    kind = RESOURCE_NAMES.get(args.resource, args.resource)
    # kubectl get --ignore-not-found: a missing named object prints nothing and exits 0.
    if args.ignore_not_found and args.name is not None and kind == "Node" and args.name not in state["cluster"]["nodes"]:
        return
    print_output(list_objects(state, kind, args.name), args.output)


def cmd_apply(state, args, dry_run):
    """Objects are applied in file order, so a Namespace earlier in the file serves the objects after it; a dry
    run (diff) changes nothing, so there a missing namespace is an error for every object in it."""
    cluster = state["cluster"]
    changes, errors = [], []
    for obj in read_documents(args.filename):
        key, live, merged, error = merged_objects(cluster, [obj])[0]
        if error:
            errors.append(error)
            continue
        if merged != live:
            changes.append(key)
            if not dry_run:
                cluster["objects"][key] = {"object": merged, "manager": args.field_manager}
                if merged["kind"] == "Secret":
                    cluster["secrets"].append(key)
        if dry_run and merged != live:
            print(f"diff: {key} differs")
        elif not dry_run:
            print(f"{key} serverside-applied")
    c.record(state, "kubectl diff" if dry_run else "kubectl apply", "ok" if not errors else "error", objects=changes)
    if errors:
        c.fail("\n".join(errors))
    # kubectl diff: exit 0 when nothing differs, 1 when something does (kubectl diff --help).
    if dry_run and changes:
        sys.exit(1)


def cmd_wait(state, args):
    if args.for_condition != "condition=Established":
        c.fail(f"kubectl stand-in: wait --for={args.for_condition} is not modelled")
    if not any(o["object"]["kind"] == "CustomResourceDefinition" for o in state["cluster"]["objects"].values()):
        c.fail("error: no matching resources found")
    print("customresourcedefinition.apiextensions.k8s.io condition met")


def cmd_cordon(state, args, unschedulable):
    node = state["cluster"]["nodes"].get(args.name) or c.fail(f'Error from server (NotFound): nodes "{args.name}" not found')
    node["unschedulable"] = unschedulable
    if not unschedulable:
        node["drained"] = False
    print(f"node/{args.name} {'cordoned' if unschedulable else 'uncordoned'}")


def cmd_drain(state, args):
    node = state["cluster"]["nodes"].get(args.name) or c.fail(f'Error from server (NotFound): nodes "{args.name}" not found')
    node["unschedulable"] = True
    node["drained"] = True
    c.record(state, "kubectl drain", "ok", node=args.name)
    print(f"node/{args.name} drained")


def cmd_delete(state, args):
    kind = RESOURCE_NAMES.get(args.resource, args.resource)
    cluster = state["cluster"]
    if kind != "Node":
        c.fail(f"kubectl stand-in: delete {args.resource} is not modelled")
    node = cluster["nodes"].get(args.name)
    if node is None:
        if args.ignore_not_found:
            return
        c.fail(f'Error from server (NotFound): nodes "{args.name}" not found')
    # The API lets it happen; its pods are then killed without being rescheduled first, so the harness
    # holds every Node deletion to a drain first (kubectl drain docs: "safely evict all of your pods").
    if not node["drained"]:
        c.violation(state, "drain-before-delete", f"node {args.name} deleted without a drain")
    del cluster["nodes"][args.name]
    c.record(state, "kubectl delete node", "ok", node=args.name)
    print(f'node "{args.name}" deleted')


def cmd_create_secret(state, args):
    cluster = state["cluster"]
    key = f"Secret/{args.namespace}/{args.name}"
    cluster["objects"][key] = {"object": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": args.name, "namespace": args.namespace}}, "manager": "kubectl-create"}
    cluster["secrets"].append(key)
    print(f"secret/{args.name} created")


def cmd_exec(state, args):
    """`kubectl exec -n kube-system etcd-<node> -- etcdctl ...`: etcdctl inside the etcd static pod of a
    control plane whose API server and etcd run (the etcd image ships etcdctl)."""
    cluster = state["cluster"]
    node = cluster["nodes"].get(args.pod[len("etcd-"):]) if args.pod.startswith("etcd-") else None
    if args.namespace != "kube-system" or node is None or node["host"] not in cluster["api_servers"] or node.get("wiped"):
        c.fail(f'Error from server (NotFound): pods "{args.pod}" not found')
    command = [word for word in args.exec_command if word != "--"]
    if command[:1] != ["etcdctl"]:
        c.fail(f"kubectl stand-in: exec of {command[:1]} is not modelled (only etcdctl in an etcd pod)")
    import etcdctl  # noqa: PLC0415

    etcdctl.run(state, command[1:])


def main(argv):
    parser = argparse.ArgumentParser(prog="kubectl")
    parser.add_argument("--kubeconfig")
    parser.add_argument("-n", "--namespace", default="default")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("get")
    p.add_argument("resource", nargs="?")
    p.add_argument("name", nargs="?")
    p.add_argument("--raw")
    p.add_argument("-o", "--output")
    p.add_argument("--ignore-not-found", action="store_true")
    for name in ["apply", "diff"]:
        p = sub.add_parser(name)
        p.add_argument("--server-side", action="store_true")
        p.add_argument("--force-conflicts", action="store_true")
        p.add_argument("--field-manager", default="kubectl")
        p.add_argument("-f", "--filename", required=True)
    p = sub.add_parser("wait")
    p.add_argument("--for", dest="for_condition")
    p.add_argument("--timeout")
    p.add_argument("resource")
    p.add_argument("--all", action="store_true")
    for name in ["cordon", "uncordon", "drain"]:
        p = sub.add_parser(name)
        p.add_argument("name")
        p.add_argument("--ignore-daemonsets", action="store_true")
        p.add_argument("--delete-emptydir-data", action="store_true")
        p.add_argument("--timeout")
        p.add_argument("--force", action="store_true")
    p = sub.add_parser("version")
    p.add_argument("-o", "--output")
    p = sub.add_parser("delete")
    p.add_argument("resource")
    p.add_argument("name")
    p.add_argument("--ignore-not-found", action="store_true")
    p = sub.add_parser("exec")
    p.add_argument("pod")
    p.add_argument("exec_command", nargs=argparse.REMAINDER)
    p = sub.add_parser("create")
    p.add_argument("what", choices=["secret"])
    p.add_argument("secret_type", choices=["generic"])
    p.add_argument("name")
    p.add_argument("-n", "--namespace", default=argparse.SUPPRESS)
    p.add_argument("--from-literal", action="append")
    args = parser.parse_args(argv)
    kubeconfig = args.kubeconfig or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    with c.locked_state() as state:
        if state["cluster"] is None:
            c.fail("The connection to the server localhost:8080 was refused - did you specify the right host or port?")
        c.authenticate(state, kubeconfig)
        try:
            handlers = {
                "get": lambda: cmd_get(state, args),
                "apply": lambda: cmd_apply(state, args, dry_run=False),
                "diff": lambda: cmd_apply(state, args, dry_run=True),
                "wait": lambda: cmd_wait(state, args),
                "cordon": lambda: cmd_cordon(state, args, True),
                "uncordon": lambda: cmd_cordon(state, args, False),
                "drain": lambda: cmd_drain(state, args),
                "delete": lambda: cmd_delete(state, args),
                "create": lambda: cmd_create_secret(state, args),
                "exec": lambda: cmd_exec(state, args),
                # kubectl version -o json: clientVersion and serverVersion (the API server's gitVersion).
                "version": lambda: print(json.dumps({"clientVersion": {"gitVersion": "v" + os.environ.get("SVOM_STANDIN_VERSION", "0.0.0")},
                                                      "serverVersion": {"gitVersion": "v" + state["cluster"]["version"]}})),
            }
            handlers[args.command]()
        finally:
            tigera_operator(state["cluster"])
