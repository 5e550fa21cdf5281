"""What an etcd snapshot holds in the stand-in world, and the rules of restoring one. Used by etcdctl.py
(`snapshot save`) and etcdutl.py (`snapshot status`, `snapshot restore`)."""
import copy
import hashlib
import json

import cluster as c

# What lives in etcd: every API object, Secret, Node and bootstrap token, and the cluster's version
# (kubeadm-config ConfigMap). Membership, running API servers and the node-local files do not.
ETCD_KEYS = ["objects", "secrets", "nodes", "tokens", "certificateKeys", "version"]


def payload_hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def take(state):
    cluster = state["cluster"]
    state["etcdRevision"] = state.get("etcdRevision", 0) + 1
    payload = {"cluster": cluster["id"], "revision": state["etcdRevision"], "taken": state["now"],
               "data": {key: copy.deepcopy(cluster.get(key)) for key in ETCD_KEYS}}
    return {"standin-etcd-snapshot": True, "payload": payload, "sha256": payload_hash(payload)}


def read(path):
    """The snapshot in `path`, or a failure like etcdutl's when its integrity hash does not match."""
    try:
        with open(path, encoding="utf-8") as handle:
            snapshot = json.load(handle)
    except FileNotFoundError:
        c.fail(f"Error: open {path}: no such file or directory")
    except ValueError:
        snapshot = None
    # etcdutl checks the sha256 appended to a snapshot (etcdutl/snapshot/v3_snapshot.go, "snapshot file integrity check failed").
    if not isinstance(snapshot, dict) or not snapshot.get("standin-etcd-snapshot") or payload_hash(snapshot["payload"]) != snapshot["sha256"]:
        c.fail(f"Error: snapshot file integrity check failed. {path}")
    return snapshot
