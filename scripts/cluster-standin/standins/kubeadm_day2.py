"""Stand-in kubeadm, day-2 commands: `upgrade apply`, `upgrade node`, `certs check-expiration`, `certs renew`.
Hooked into kubeadm.py's parser. Each rule carries its upstream source."""
import json
import os

import cluster as c
import node_files as nf

VERSION = os.environ.get("SVOM_STANDIN_VERSION", "0.0.0")


def add_parsers(sub):
    p = sub.add_parser("upgrade")
    p.add_argument("action", choices=["apply", "node", "plan"])
    p.add_argument("version", nargs="?")
    p.add_argument("--yes", "-y", action="store_true")
    p = sub.add_parser("certs")
    p.add_argument("action", choices=["check-expiration", "renew"])
    p.add_argument("what", nargs="?")
    p.add_argument("-o", "--output")


def certificates_record(state):
    """This control plane's certificates, of the current cluster (kubeadm reads them from /etc/kubernetes/pki)."""
    return nf.current_certificates(
        state,
        missing="error: this node is not a control plane: /etc/kubernetes/pki holds no certificate",
        foreign="error: the certificates of this node belong to another cluster",
    )


def renew_all(state, record):
    """`kubeadm certs renew all`: every certificate and kubeconfig client certificate signed again for a year
    ("Certificate Management with kubeadm", Manual certificate renewal); the CA is untouched."""
    cluster = state["cluster"]
    for name in record["notAfter"]:
        record["notAfter"][name] = state["now"] + c.CERTIFICATE_VALIDITY
    nf.write(nf.CERTS_RECORD, json.dumps(record, indent=1) + "\n")
    for name, subject in nf.KUBECONFIG_SUBJECTS.items():
        if name in record["notAfter"]:
            nf.write_kubeconfig(name, cluster, subject, record["notAfter"][name])
    c.record(state, "kubeadm certs renew all", "ok")


def check_expiration(state, args):
    record = certificates_record(state)
    # kubeadm's output.kubeadm.k8s.io/v1alpha3 CertificateExpirationInfo (cmd/kubeadm/app/apis/output/v1alpha3/types.go):
    # residualTime in seconds; a certificate past its end has a negative one.
    certificates = [
        {"name": name, "expirationDate": not_after, "residualTime": not_after - state["now"], "externallyManaged": False, "caName": "ca", "missing": False}
        for name, not_after in sorted(record["notAfter"].items())
    ]
    info = {"kind": "CertificateExpirationInfo", "apiVersion": "output.kubeadm.k8s.io/v1alpha3", "certificates": certificates,
            "certificateAuthorities": [{"name": "ca", "residualTime": 10 * c.YEAR, "externallyManaged": False, "missing": False}]}
    if args.output != "json":
        c.fail("kubeadm stand-in: certs check-expiration is modelled with --output=json only")
    print(json.dumps(info))


def upgrade_apply(state, args):
    cluster = state["cluster"]
    certificates_record(state)
    c.require_api(state)
    target = (args.version or "").lstrip("v")
    current = cluster["version"]
    # kubeadm upgrades to its own version at most: "Specified version to upgrade to ... is higher than the kubeadm
    # version ... Upgrade kubeadm first" (cmd/kubeadm/app/phases/upgrade/policy.go EnforceVersionPolicies).
    if c.version_tuple(target) > c.version_tuple(VERSION):
        c.fail(f"[upgrade/version] FATAL: the --version argument is invalid due to these fatal errors:\n- Specified version to upgrade to \"v{target}\" is higher than the kubeadm version \"v{VERSION}\". Upgrade kubeadm first using the tool you used to install kubeadm")
    # One minor at a time (policy.go: "Specified version to upgrade to ... is too high; kubeadm can upgrade only
    # 1 minor version at a time"), and no downgrade of a minor.
    if c.minor(target)[1] - c.minor(current)[1] > 1:
        c.fail(f"[upgrade/version] FATAL: Specified version to upgrade to \"v{target}\" is too high; kubeadm can upgrade only 1 minor version at a time")
    if c.version_tuple(target) < c.version_tuple(current) and c.minor(target) != c.minor(current):
        c.fail(f"[upgrade/version] FATAL: Specified version to downgrade to \"v{target}\" is too low; kubeadm can downgrade only 1 minor version at a time")
    # Every kubelet must be within the skew of the new control plane (version skew policy: kubelet at most 3 minors older).
    for name, node in cluster["nodes"].items():
        if c.minor(target)[1] - c.minor(node["kubeletVersion"])[1] > 3:
            c.fail(f"[upgrade/version] FATAL: kubelet of node {name} (v{node['kubeletVersion']}) would be more than 3 minors older than v{target}")
    cluster["version"] = target
    cluster.setdefault("upgrades", []).append({"t": state["now"], "from": current, "to": target, "host": c.host_name()})
    # upgrade apply renews this control plane's certificates (--certificate-renewal, default true).
    renew_all(state, certificates_record(state))
    c.record(state, "kubeadm upgrade apply", "ok", version=target, previous=current)
    print(f"[upgrade/successful] SUCCESS! Your cluster was upgraded to \"v{target}\". Enjoy!")


def upgrade_node(state, args):
    cluster = state["cluster"]
    if not os.path.exists(os.path.join(nf.KUBERNETES_DIR, "kubelet.conf")):
        c.fail("error: this node has not joined a cluster (/etc/kubernetes/kubelet.conf is missing)")
    c.require_api(state)
    # `upgrade node` moves a node to the version of the cluster's ClusterConfiguration, which only `upgrade apply`
    # raises ("Upgrading kubeadm clusters": apply on the first control plane, then node on the others). A node whose
    # kubeadm is newer than the cluster is being upgraded before the control plane was: a violation.
    if c.version_tuple(VERSION) > c.version_tuple(cluster["version"]):
        c.violation(state, "upgrade-apply-before-node", f"kubeadm upgrade node v{VERSION} on {c.host_name()} while the cluster runs v{cluster['version']}: kubeadm upgrade apply has not run")
    if os.path.exists(nf.CERTS_RECORD):
        renew_all(state, certificates_record(state))
    c.record(state, "kubeadm upgrade node", "ok", version=cluster["version"])
    print("[upgrade] The configuration for this node was successfully updated!")


def dispatch(state, args):
    if args.command == "upgrade":
        if args.action == "apply":
            return upgrade_apply(state, args)
        if args.action == "node":
            return upgrade_node(state, args)
        c.fail("kubeadm stand-in: upgrade plan is not modelled")
    if args.action == "check-expiration":
        return check_expiration(state, args)
    if args.what != "all":
        c.fail("kubeadm stand-in: only `certs renew all` is modelled")
    return renew_all(state, certificates_record(state))
