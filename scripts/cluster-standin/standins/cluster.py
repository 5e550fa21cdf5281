"""The one cluster every stand-in shares: a JSON file outside the hosts' roots, bind-mounted into each.

Every stand-in command takes the lock, reads the state, acts, records what it did and writes the state back, so
commands that Ansible runs on several hosts at once see one consistent cluster. Nothing here pretends: a rule
that the real system enforces is enforced (the command fails as the real one would), and a rule that the real
system would let pass but that breaks the cluster (a second `kubeadm init`, a Node deleted undrained, a replaced
encryption key) is recorded as a violation, which fails the scenario.
"""
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import sys
import time

SHARED = os.environ.get("SVOM_STANDIN_SHARED", "/run/svom-standin")
STATE_FILE = os.path.join(SHARED, "state.json")
LOCK_FILE = os.path.join(SHARED, "state.lock")

HOUR = 3600
DAY = 24 * HOUR
YEAR = 365 * DAY

# kubeadm's defaults. Bootstrap token TTL: 24 h ("kubeadm token create --ttl", default 24h0m0s,
# kubernetes/cmd/kubeadm/app/constants/constants.go DefaultTokenDuration). The kubeadm-certs Secret that
# `--upload-certs` writes is deleted after two hours (constants.go TokenTTLForCertificateKey... documented in
# "kubeadm init phase upload-certs": "the uploaded certs ... will be deleted in two hours").
DEFAULT_TOKEN_TTL = 24 * HOUR
CERTIFICATE_KEY_TTL = 2 * HOUR
# kubeadm signs every certificate but the CAs for one year (constants.go CertificateValidityPeriod = 365 days)
# and the CAs for ten (CACertificateValidityPeriod), docs "Certificate Management with kubeadm".
CERTIFICATE_VALIDITY = YEAR
CA_VALIDITY = 10 * YEAR


def fail(message, code=1):
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.exit(code)


def host_name():
    """The node's name: kubeadm uses the OS hostname; the harness writes it to the root's /etc/hostname."""
    with open("/etc/hostname", encoding="utf-8") as handle:
        return handle.read().strip()


def minor(version):
    parts = version.lstrip("v").split(".")
    return int(parts[0]), int(parts[1])


def version_tuple(version):
    return tuple(int(part) for part in version.lstrip("v").split("-")[0].split("."))


def fingerprint(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def new_state():
    return {
        # The stand-in clock: seconds since the epoch, moved only by `standin-ctl clock advance`.
        "now": int(time.time()),
        "violations": [],
        "events": [],
        "faults": {},
        "lost_hosts": [],
        "cluster": None,
        # Every cluster a `kubeadm init` created: more than one is a split brain.
        "inits": [],
    }


@contextlib.contextmanager
def locked_state():
    """The state, locked for the whole command; written back when the command ends, even by sys.exit."""
    with open(LOCK_FILE, "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(STATE_FILE, encoding="utf-8") as handle:
                state = json.load(handle)
        except FileNotFoundError:
            state = new_state()
        try:
            yield state
        finally:
            temporary = STATE_FILE + ".tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(state, handle, indent=1, sort_keys=True)
            os.replace(temporary, STATE_FILE)


def record(state, command, outcome, **details):
    state["events"].append(
        {"t": state["now"], "host": safe_host(), "command": command, "outcome": outcome, **details}
    )


def violation(state, rule, message):
    """A broken rule that the real system would not stop: the harness fails the scenario on any."""
    state["violations"].append({"t": state["now"], "host": safe_host(), "rule": rule, "message": message})
    record(state, rule, "violation", message=message)


def safe_host():
    try:
        return host_name()
    except OSError:
        return "?"


def take_fault(state, name):
    """One-shot faults the harness injects (e.g. a `kubeadm init` that dies half-way)."""
    return state["faults"].pop(name, None)


# --- credentials: stand-in certificates are JSON, not X.509, but carry what the rules need -------------------


def encode_certificate(subject, cluster_id, not_after, issuer="ca"):
    body = {"standin-certificate": True, "subject": subject, "cluster": cluster_id, "issuer": issuer, "notAfter": not_after}
    return base64.b64encode(json.dumps(body, sort_keys=True).encode()).decode()


def decode_certificate(data):
    try:
        body = json.loads(base64.b64decode(data))
    except (ValueError, TypeError):
        return None
    return body if isinstance(body, dict) and body.get("standin-certificate") else None


def ca_data(cluster_id):
    return base64.b64encode(f"SVOM STAND-IN CA of cluster {cluster_id}".encode()).decode()


def ca_hash(cluster_id):
    return "sha256:" + hashlib.sha256(ca_data(cluster_id).encode()).hexdigest()


# --- what the cluster looks like from outside ----------------------------------------------------------------


def healthy_members(state):
    cluster = state["cluster"]
    return [m for m in cluster["etcd"].values() if not m.get("wiped") and m["host"] not in state["lost_hosts"]]


def has_quorum(state, extra_members=0):
    """etcd needs a majority of its members (etcd docs, "FAQ: What is failure tolerance?")."""
    cluster = state["cluster"]
    total = len(cluster["etcd"]) + extra_members
    return total > 0 and (len(healthy_members(state)) + extra_members) * 2 > total


def api_answers(state):
    """Some API server is up (a control plane not lost, with its static pods) and etcd has quorum."""
    cluster = state.get("cluster")
    if not cluster:
        return False
    servers = [h for h in cluster["api_servers"] if h not in state["lost_hosts"]]
    return bool(servers) and has_quorum(state)


def require_api(state, endpoint=None):
    if not api_answers(state):
        where = endpoint or (state["cluster"] or {}).get("endpoint", "the API endpoint")
        fail(f"The connection to the server {where} was refused - did you specify the right host or port?")


def load_kubeconfig(path):
    import yaml  # noqa: PLC0415 (only the commands that read a kubeconfig need PyYAML)

    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        fail(f"error: stat {path}: no such file or directory")


def authenticate(state, kubeconfig_path):
    """What the API server checks of a client: a certificate its CA signed, not expired. Returns the subject."""
    config = load_kubeconfig(kubeconfig_path)
    try:
        cluster_entry = config["clusters"][0]["cluster"]
        user = config["users"][0]["user"]
    except (KeyError, IndexError, TypeError):
        fail(f"error: {kubeconfig_path} is not a kubeconfig")
    require_api(state, cluster_entry.get("server"))
    cluster = state["cluster"]
    if cluster_entry.get("certificate-authority-data") != ca_data(cluster["id"]):
        fail("Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority")
    certificate = decode_certificate(user.get("client-certificate-data", ""))
    if not certificate or certificate["cluster"] != cluster["id"]:
        fail("error: You must be logged in to the server (Unauthorized)")
    if certificate["notAfter"] <= state["now"]:
        fail("Unable to connect to the server: x509: certificate has expired or is not yet valid")
    return certificate["subject"]
