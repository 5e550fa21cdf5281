"""Stand-in kubeadm: init, join, token create, init phase upload-certs, reset, version, upgrade plan/apply/node,
certs check-expiration/renew all. Each rule carries its upstream source."""
import argparse
import json
import os
import re
import secrets

import cluster as c
import kubeadm_day2
import node_files as nf

VERSION = os.environ.get("SVOM_STANDIN_VERSION", "0.0.0")


def parse_config(path):
    import yaml  # noqa: PLC0415

    with open(path, encoding="utf-8") as handle:
        documents = [d for d in yaml.safe_load_all(handle) if d]
    by_kind = {d.get("kind"): d for d in documents}
    if "ClusterConfiguration" not in by_kind:
        c.fail(f"{path}: no ClusterConfiguration")
    return by_kind


def extra_args(component):
    """kubeadm v1beta4 extraArgs: a list of {name, value}."""
    return {a["name"]: a["value"] for a in (component or {}).get("extraArgs", [])}


def read_secretbox_keys(path):
    """The keys of an EncryptionConfiguration (apiserver.config.k8s.io/v1), as fingerprints."""
    import yaml  # noqa: PLC0415

    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except FileNotFoundError:
        return None
    keys = []
    for resource in document.get("resources", []):
        for provider in resource.get("providers", []):
            for name, body in provider.items():
                for key in (body or {}).get("keys", []):
                    keys.append(f"{name}/{key['name']}/{c.fingerprint(key['secret'])}")
    return keys


def kubelet_version():
    """The installed kubelet's version (the kubelet stand-in records it beside its launcher)."""
    try:
        with open("/usr/lib/svom-standin/kubelet-version", encoding="utf-8") as handle:
            return handle.read().strip()
    except FileNotFoundError:
        c.fail("[ERROR KubeletVersion]: couldn't get kubelet version: executable file not found in $PATH")


def kubelet_node_ip():
    """--node-ip as kubelet would receive it: KUBELET_EXTRA_ARGS (/etc/default/kubelet) comes last in kubeadm's
    drop-in 10-kubeadm.conf, after kubeadm-flags.env, so it wins."""
    for path in ["/etc/default/kubelet", "/var/lib/kubelet/kubeadm-flags.env"]:
        try:
            with open(path, encoding="utf-8") as handle:
                match = re.search(r"--node-ip[= ](\S+)", handle.read())
        except FileNotFoundError:
            continue
        if match:
            return match.group(1).strip('"')
    return None


def check_version_skew(cluster_version):
    """kubeadm's version skew policy (https://kubernetes.io/docs/setup/release/version-skew-policy/ and
    "kubeadm: version skew"): kubeadm handles control planes of its own minor or one older; the kubelet may be
    up to three minors older than the API server and never newer."""
    kubeadm_minor, cluster_minor = c.minor(VERSION), c.minor(cluster_version)
    if not (kubeadm_minor[1] - 1 <= cluster_minor[1] <= kubeadm_minor[1]):
        c.fail(f"this version of kubeadm (v{VERSION}) cannot handle a control plane at v{cluster_version}")
    kubelet = kubelet_version()
    if c.version_tuple(kubelet) > c.version_tuple(cluster_version):
        c.fail(f"[ERROR KubeletVersion]: the kubelet version v{kubelet} is higher than the control plane version v{cluster_version}. This is not a supported version skew")
    if c.minor(kubelet)[1] < cluster_minor[1] - 3:
        c.fail(f"[ERROR KubeletVersion]: kubelet v{kubelet} is more than three minors older than the control plane v{cluster_version}")
    return kubelet


def register_node(state, cluster, name, role, address, version):
    cluster["nodes"][name] = {"role": role, "address": address, "kubeletVersion": version, "unschedulable": False,
                              "drained": False, "host": c.host_name(), "created": state["now"]}


def init(state, args):
    config = parse_config(args.config)
    init_config = config.get("InitConfiguration", {})
    cluster_config = config["ClusterConfiguration"]
    node = init_config.get("nodeRegistration", {})
    name = node.get("name") or c.host_name()
    version = cluster_config["kubernetesVersion"].lstrip("v")
    if c.version_tuple(version)[:2] > c.minor(VERSION):
        c.fail(f"this version of kubeadm only supports deploying clusters with the control plane version <= v{VERSION}")
    kubelet = check_version_skew(version)
    errors = nf.preflight_errors(control_plane=True)
    if errors:
        c.fail("[preflight] Some fatal errors occurred:\n" + "\n".join(errors) + "\n[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`")

    endpoint = cluster_config.get("controlPlaneEndpoint") or init_config.get("localAPIEndpoint", {}).get("advertiseAddress")
    previous = state["cluster"]
    # One init per cluster: a second `kubeadm init` behind the same endpoint creates a second cluster with its
    # own CA and etcd (kubeadm does not look for an existing one), a split brain. Real kubeadm lets it happen.
    if previous is not None or state["inits"]:
        c.violation(state, "one-init-per-cluster", f"kubeadm init on {c.host_name()} while a cluster was already initialised by {state['inits'][-1]['host'] if state['inits'] else '?'}: split brain behind {endpoint}")
    cluster_id = f"cluster-{len(state['inits']) + 1}-{secrets.token_hex(3)}"
    state["inits"].append({"host": c.host_name(), "t": state["now"], "cluster": cluster_id})
    cluster = {
        "id": cluster_id, "name": cluster_config.get("clusterName", "kubernetes"), "endpoint": endpoint, "version": version,
        "apiServerArgs": extra_args(cluster_config.get("apiServer")), "etcd": {}, "api_servers": [], "nodes": {},
        "tokens": {}, "certificateKeys": [], "encryptionKeys": None, "secrets": [], "objects": {}, "initHost": c.host_name(),
    }
    advertise = init_config.get("localAPIEndpoint", {}).get("advertiseAddress")
    # kubeadm >= 1.29 writes super-admin.conf (system:masters) beside admin.conf (kubeadm:cluster-admins),
    # kubernetes/kubernetes PR #121305, CHANGELOG-1.29.
    nf.write_control_plane_files(state, cluster, name, advertise, with_super_admin=c.minor(version) >= (1, 29))
    # The API server reads these at start (kube-apiserver --audit-policy-file, --encryption-provider-config):
    # missing, it exits and kubeadm times out in wait-control-plane, leaving every file written so far.
    missing = [path for flag, path in cluster["apiServerArgs"].items() if flag in ("audit-policy-file", "encryption-provider-config") and not os.path.exists(path)]
    fault = c.take_fault(state, "kubeadm-init")
    if missing or fault:
        reason = f"kube-apiserver exited: open {missing[0]}: no such file or directory" if missing else f"fault injected by the harness: {fault}"
        c.record(state, "kubeadm init", "failed in wait-control-plane", reason=reason)
        state["partialInits"] = state.get("partialInits", []) + [c.host_name()]
        # The half-initialised cluster is no one's: the next init must reset first or hit the preflight errors.
        state["inits"].pop()
        c.fail(f"[wait-control-plane] Waiting for the kubelet to boot up the control plane ... \nerror execution phase wait-control-plane: {reason}: timed out waiting for the condition")
    encryption_path = cluster["apiServerArgs"].get("encryption-provider-config")
    cluster["encryptionKeys"] = read_secretbox_keys(encryption_path) if encryption_path else None
    member_id = secrets.token_hex(8)
    cluster["etcd"][member_id] = {"name": name, "host": c.host_name(), "peerURL": f"https://{advertise}:2380"}
    nf.write_etcd_member(cluster, member_id)
    cluster["api_servers"].append(c.host_name())
    nf.write_kubelet_files(state, cluster, name, kubelet)
    register_node(state, cluster, name, "control-plane", kubelet_node_ip() or advertise, kubelet)
    # bootstrap-token phase: a default token (24 h) even with --skip-token-print; upload-certs: the key (2 h).
    # Both are Secrets in kube-system, so from here on Secrets exist and the encryption key is in use.
    cluster["tokens"][new_token_id()] = {"secret": secrets.token_hex(8), "expires": state["now"] + c.DEFAULT_TOKEN_TTL, "description": "default kubeadm init token"}
    if args.upload_certs:
        cluster["certificateKeys"].append({"key": secrets.token_hex(32), "expires": state["now"] + c.CERTIFICATE_KEY_TTL})
    cluster["secrets"] += ["kube-system/bootstrap-token", "kube-system/kubeadm-certs"]
    state["cluster"] = cluster
    c.record(state, "kubeadm init", "ok", cluster=cluster_id, version=version)
    print("Your Kubernetes control-plane has initialized successfully!")


def new_token_id():
    return secrets.token_hex(3)


def parse_duration(text):
    total = 0
    for amount, unit in re.findall(r"(\d+)([hms])", text):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


def admin_subject(state):
    return c.authenticate(state, "/etc/kubernetes/admin.conf")


def token_create(state, args):
    admin_subject(state)
    cluster = state["cluster"]
    ttl = parse_duration(args.ttl) if args.ttl else c.DEFAULT_TOKEN_TTL
    token_id, token_secret = new_token_id(), secrets.token_hex(8)
    cluster["tokens"][token_id] = {"secret": token_secret, "expires": state["now"] + ttl, "description": args.description or ""}
    c.record(state, "kubeadm token create", "ok", ttl=ttl)
    if args.print_join_command:
        print(f"kubeadm join {cluster['endpoint']} --token {token_id}.{token_secret} --discovery-token-ca-cert-hash {c.ca_hash(cluster['id'])}")
    else:
        print(f"{token_id}.{token_secret}")


def upload_certs(state, args):
    admin_subject(state)
    cluster = state["cluster"]
    key = secrets.token_hex(32)
    cluster["certificateKeys"].append({"key": key, "expires": state["now"] + c.CERTIFICATE_KEY_TTL})
    c.record(state, "kubeadm init phase upload-certs", "ok")
    print("[upload-certs] Storing the certificates in Secret \"kubeadm-certs\" in the \"kube-system\" Namespace")
    print("[upload-certs] Using certificate key:")
    print(key)


def join(state, args):
    cluster = state["cluster"]
    if cluster is None or args.endpoint != cluster["endpoint"]:
        c.fail(f"error execution phase preflight: couldn't validate the identity of the API Server: Get \"https://{args.endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info\": dial tcp {args.endpoint}: connect: connection refused")
    c.require_api(state)
    token_id, _, token_secret = (args.token or "").partition(".")
    token = cluster["tokens"].get(token_id)
    # Bootstrap tokens expire (the token Secret's expiration; the token cleaner deletes it), kubeadm
    # "kubeadm token" docs; an expired or unknown token fails discovery.
    if not token or token["secret"] != token_secret or token["expires"] <= state["now"]:
        c.fail("error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID " + repr(token_id))
    if args.discovery_token_ca_cert_hash != c.ca_hash(cluster["id"]):
        c.fail("error execution phase preflight: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys \"...\" are pinned")
    kubelet = check_version_skew(cluster["version"])
    errors = nf.preflight_errors(control_plane=args.control_plane)
    if errors:
        c.fail("[preflight] Some fatal errors occurred:\n" + "\n".join(errors))
    name = args.node_name or c.host_name()
    if args.control_plane:
        join_control_plane(state, cluster, args, name, kubelet)
    else:
        nf.write_kubelet_files(state, cluster, name, kubelet)
        register_node(state, cluster, name, "worker", kubelet_node_ip(), kubelet)
    c.record(state, "kubeadm join", "ok", controlPlane=bool(args.control_plane), node=name)
    print("This node has joined the cluster")


def join_control_plane(state, cluster, args, name, kubelet):
    # The certificate key decrypts the kubeadm-certs Secret, which kubeadm deletes two hours after the upload.
    live = [k for k in cluster["certificateKeys"] if k["expires"] > state["now"]]
    if not args.certificate_key or args.certificate_key not in [k["key"] for k in live]:
        c.fail("error execution phase control-plane-prepare/download-certs: error downloading certs: error downloading the secret: Secret \"kubeadm-certs\" was not found in the \"kube-system\" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one")
    # A control-plane join adds an etcd member (kubeadm cmd/kubeadm/app/util/etcd/etcd.go AddMember); etcd
    # refuses a member add that would leave the cluster without quorum (etcd --strict-reconfig-check, on by
    # default since 3.4), and a member whose peer URL is already registered (ErrPeerURLExist).
    peer = f"https://{args.apiserver_advertise_address}:2380"
    if any(m["peerURL"] == peer for m in cluster["etcd"].values()):
        c.fail(f"error execution phase control-plane-join/etcd: error creating local etcd static pod manifest file: etcdserver: Peer URLs already exists ({peer}); remove the old member first (etcdctl member remove)")
    if not c.has_quorum(state, extra_members=1):
        c.fail("error execution phase control-plane-join/etcd: etcdserver: re-configuration failed due to not enough started members")
    nf.write_control_plane_files(state, cluster, name, args.apiserver_advertise_address, with_super_admin=False)
    # Every API server must hold the cluster's encryption key: one with another key cannot read the Secrets
    # the others wrote (Kubernetes "Encrypting Confidential Data at Rest").
    encryption_path = cluster["apiServerArgs"].get("encryption-provider-config")
    if encryption_path:
        keys = read_secretbox_keys(encryption_path)
        if keys is None:
            c.fail(f"error execution phase wait-control-plane: kube-apiserver exited: open {encryption_path}: no such file or directory")
        if cluster["encryptionKeys"] and keys[:1] != cluster["encryptionKeys"][:1] and cluster["secrets"]:
            c.violation(state, "one-encryption-key", f"{c.host_name()} joined with encryption key {keys[:1]} while the cluster's Secrets are encrypted with {cluster['encryptionKeys'][:1]}: they cannot be read through this API server")
    member_id = secrets.token_hex(8)
    cluster["etcd"][member_id] = {"name": name, "host": c.host_name(), "peerURL": peer}
    nf.write_etcd_member(cluster, member_id)
    cluster["api_servers"].append(c.host_name())
    nf.write_kubelet_files(state, cluster, name, kubelet)
    register_node(state, cluster, name, "control-plane", kubelet_node_ip() or args.apiserver_advertise_address, kubelet)


def reset(state, args):
    cluster = state["cluster"]
    member = nf.local_etcd_member()
    # reset removes this node's etcd member when the cluster answers (phases/reset/removeetcdmember.go).
    if cluster and member and member["cluster"] == cluster["id"] and c.api_answers(state):
        cluster["etcd"].pop(member["member"], None)
    if cluster:
        host = c.host_name()
        cluster["api_servers"] = [h for h in cluster["api_servers"] if h != host]
    if c.host_name() in state.get("partialInits", []):
        state["partialInits"].remove(c.host_name())
    nf.reset_node()
    c.record(state, "kubeadm reset", "ok")
    print("[reset] Cleaning up...")


def version(state, args):
    print(f"v{VERSION}" if args.output == "short" else f"kubeadm version: &version.Info{{GitVersion:\"v{VERSION}\"}}")


def main(argv):
    parser = argparse.ArgumentParser(prog="kubeadm")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init")
    p.add_argument("phase_words", nargs="*")
    p.add_argument("--config")
    p.add_argument("--upload-certs", action="store_true")
    p.add_argument("--skip-token-print", action="store_true")
    p.add_argument("--skip-certificate-key-print", action="store_true")
    p = sub.add_parser("join")
    p.add_argument("endpoint")
    p.add_argument("--token")
    p.add_argument("--discovery-token-ca-cert-hash")
    p.add_argument("--control-plane", action="store_true")
    p.add_argument("--certificate-key")
    p.add_argument("--apiserver-advertise-address")
    p.add_argument("--node-name")
    p = sub.add_parser("token")
    p.add_argument("action", choices=["create"])
    p.add_argument("--print-join-command", action="store_true")
    p.add_argument("--ttl")
    p.add_argument("--description")
    p = sub.add_parser("reset")
    p.add_argument("-f", "--force", action="store_true")
    p = sub.add_parser("version")
    p.add_argument("-o", "--output")
    kubeadm_day2.add_parsers(sub)
    args = parser.parse_args(argv)
    with c.locked_state() as state:
        if args.command == "init":
            if args.phase_words == ["phase", "upload-certs"]:
                return upload_certs(state, args)
            if args.phase_words:
                c.fail(f"kubeadm stand-in: init phase {' '.join(args.phase_words)} is not modelled")
            return init(state, args)
        if args.command in ("upgrade", "certs"):
            return kubeadm_day2.dispatch(state, args)
        return {"join": join, "token": token_create, "reset": reset, "version": version}[args.command](state, args)
