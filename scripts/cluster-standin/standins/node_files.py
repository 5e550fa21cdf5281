"""The files kubeadm leaves on a node, written where the real kubeadm writes them (kubeadm "Implementation
details", https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/), so the roles' checks
(`creates:`, `stat`) see what they would see on a real node. Certificates are the stand-in JSON form."""
import json
import os
import shutil

import cluster as c

KUBERNETES_DIR = "/etc/kubernetes"
PKI_DIR = "/etc/kubernetes/pki"
MANIFESTS_DIR = "/etc/kubernetes/manifests"
ETCD_DATA_DIR = "/var/lib/etcd"
ETCD_MEMBER_FILE = "/var/lib/etcd/member/standin-member.json"
KUBELET_DIR = "/var/lib/kubelet"
CERTS_RECORD = "/etc/kubernetes/pki/standin-certificates.json"

def current_certificates(state, missing, foreign):
    """This node's certificates if they belong to the running cluster; otherwise the tool fails with `missing` (no
    certificate on the node) or `foreign` (certificates of another cluster), each in the words of the real tool."""
    try:
        with open(CERTS_RECORD, encoding="utf-8") as handle:
            record = json.load(handle)
    except FileNotFoundError:
        c.fail(missing)
    if state["cluster"] is None or record["cluster"] != state["cluster"]["id"]:
        c.fail(foreign)
    return record


# The certificates `kubeadm certs check-expiration` lists for a control plane (kubeadm 1.29+).
CONTROL_PLANE_CERTIFICATES = [
    "admin.conf",
    "super-admin.conf",
    "apiserver",
    "apiserver-etcd-client",
    "apiserver-kubelet-client",
    "controller-manager.conf",
    "etcd-healthcheck-client",
    "etcd-peer",
    "etcd-server",
    "front-proxy-client",
    "scheduler.conf",
]
KUBECONFIG_SUBJECTS = {
    "admin.conf": "kubernetes-admin/kubeadm:cluster-admins",
    "super-admin.conf": "kubernetes-super-admin/system:masters",
    "controller-manager.conf": "system:kube-controller-manager",
    "scheduler.conf": "system:kube-scheduler",
}


def write(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)


def kubeconfig_text(cluster_id, cluster_name, server, subject, not_after):
    user = subject.split("/")[0]
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": {"server": server, "certificate-authority-data": c.ca_data(cluster_id)}}],
        "users": [{"name": user, "user": {"client-certificate-data": c.encode_certificate(subject, cluster_id, not_after), "client-key-data": "c3RhbmQtaW4="}}],
        "contexts": [{"name": f"{user}@{cluster_name}", "context": {"cluster": cluster_name, "user": user}}],
        "current-context": f"{user}@{cluster_name}",
    }
    return json.dumps(document, indent=2) + "\n"


def write_kubeconfig(name, cluster, subject, not_after):
    write(os.path.join(KUBERNETES_DIR, name), kubeconfig_text(cluster["id"], cluster["name"], "https://" + cluster["endpoint"], subject, not_after))


def write_control_plane_files(state, cluster, node_name, advertise_address, with_super_admin):
    """certs, kubeconfig, etcd and control-plane phases: everything before wait-control-plane."""
    now = state["now"]
    write(os.path.join(PKI_DIR, "ca.crt"), c.ca_data(cluster["id"]) + "\n", 0o644)
    write(os.path.join(PKI_DIR, "ca.key"), "stand-in CA key\n")
    expiries = {name: now + c.CERTIFICATE_VALIDITY for name in CONTROL_PLANE_CERTIFICATES}
    if not with_super_admin:
        expiries.pop("super-admin.conf")
    write(CERTS_RECORD, json.dumps({"cluster": cluster["id"], "notAfter": expiries}, indent=1) + "\n")
    for name, subject in KUBECONFIG_SUBJECTS.items():
        if name in expiries:
            write_kubeconfig(name, cluster, subject, expiries[name])
    for component in ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]:
        write(
            os.path.join(MANIFESTS_DIR, f"{component}.yaml"),
            json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"{component}-{node_name}", "namespace": "kube-system"},
                        "spec": {"containers": [{"name": component, "image": f"registry.k8s.io/{component}:v{cluster['version']}"}]},
                        "standin": {"advertiseAddress": advertise_address}}, indent=1) + "\n",
        )


def write_etcd_member(cluster, member_id):
    write(ETCD_MEMBER_FILE, json.dumps({"cluster": cluster["id"], "member": member_id}) + "\n")


def write_kubelet_files(state, cluster, node_name, kubelet_version):
    write_kubeconfig("kubelet.conf", cluster, f"system:node:{node_name}/system:nodes", state["now"] + c.CERTIFICATE_VALIDITY)
    write(os.path.join(KUBELET_DIR, "config.yaml"), json.dumps({"kind": "KubeletConfiguration", "standinClusterVersion": cluster["version"]}) + "\n", 0o644)
    write(os.path.join(KUBELET_DIR, "standin-kubelet-version"), kubelet_version + "\n", 0o644)


def local_etcd_member():
    try:
        with open(ETCD_MEMBER_FILE, encoding="utf-8") as handle:
            return json.load(handle)
    except (FileNotFoundError, ValueError):
        return None


def preflight_errors(control_plane):
    """kubeadm's preflight checks of a node's files (cmd/kubeadm/app/preflight/checks.go: FileAvailable,
    DirAvailable--var-lib-etcd); init and join refuse to overwrite another cluster's files."""
    errors = []
    if os.path.exists(os.path.join(KUBERNETES_DIR, "kubelet.conf")):
        errors.append("[ERROR FileAvailable--etc-kubernetes-kubelet.conf]: /etc/kubernetes/kubelet.conf already exists")
    if control_plane:
        for component in ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"]:
            path = os.path.join(MANIFESTS_DIR, f"{component}.yaml")
            if os.path.exists(path):
                errors.append(f"[ERROR FileAvailable--etc-kubernetes-manifests-{component}.yaml]: {path} already exists")
        if os.path.isdir(ETCD_DATA_DIR) and os.listdir(ETCD_DATA_DIR):
            errors.append("[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty")
    return errors


def reset_node():
    """`kubeadm reset`: removes what kubeadm wrote (cmd/kubeadm/app/cmd/phases/reset/cleanupnode.go)."""
    for path in [MANIFESTS_DIR, PKI_DIR, ETCD_DATA_DIR, KUBELET_DIR]:
        shutil.rmtree(path, ignore_errors=True)
    for name in ["admin.conf", "super-admin.conf", "kubelet.conf", "bootstrap-kubelet.conf", "controller-manager.conf", "scheduler.conf"]:
        try:
            os.remove(os.path.join(KUBERNETES_DIR, name))
        except FileNotFoundError:
            pass
    os.makedirs(ETCD_DATA_DIR, exist_ok=True)
