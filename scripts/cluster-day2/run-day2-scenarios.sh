#!/usr/bin/env bash
# Day-2 scenarios on the multi-host harness (scripts/cluster-standin/README.md): the real playbooks, one Debian
# root per host, against the stand-in cluster. One prod world (5 control planes, 4 workers) lives through, in order:
#   1. 1.35 -> 1.37 refused before anything runs, naming the key;
#   2. upgrade 1.35 -> 1.36: apply on one control plane, node on the others, then the workers, one at a time,
#      each drained before its kubelet moves (the stand-ins record a violation otherwise);
#   3. the clock at +11 months: certificates renewed on every control plane, admin.conf (what Pulumi reads)
#      valid for another year;
#   4. an etcd snapshot to the S3 stand-in, a Secret written after it, restore-etcd.yml: the Secret is gone;
#   5. a worker removed (remove-node.yml, as the NodeRemoval command runs it after `up`);
#   6. control planes 5 -> 3.
#   bash scripts/cluster-day2/run-day2-scenarios.sh      (as root; SVOM_STANDIN_DIR as for the harness)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/cluster-standin/harness.sh
. "$here/../cluster-standin/harness.sh"

report=()
note_run() {
  printf '    run %-30s rc=%s hosts=%-3s tasks=%-4s changed=%-3s %4ss\n' "$1" "$STANDIN_RC" "$STANDIN_HOSTS_TOUCHED" "$STANDIN_TASKS" "$STANDIN_CHANGED" "$STANDIN_SECONDS"
  report+=("$(printf '%-32s hosts=%-3s tasks=%-4s changed=%-3s %4ss' "$1" "$STANDIN_HOSTS_TOUCHED" "$STANDIN_TASKS" "$STANDIN_CHANGED" "$STANDIN_SECONDS")")
}
run_ok() {
  local label="$1"
  shift
  standin_run "$label" "$@"
  note_run "$label"
  ((STANDIN_RC == 0)) || { standin_show_failure; return 1; }
}
query() { standin_ctl query "$1"; }
query_is() { [[ "$(query "$1")" == "$2" ]]; }
no_violations() { standin_ctl violations; }
events_since() { query "[e['command'] for e in state['events'][$1:]]"; }
event_count() { query "len(state['events'])"; }

# standin-ctl query prints JSON: strings quoted, true/false, lists with double quotes.
# Runs another playbook of the repository the way the program's commands would, with the harness's sources.
run_playbook() {
  local label="$1" playbook="$2"
  shift 2
  STANDIN_PLAYBOOK="$playbook" standin_run "$label" "$@"
  note_run "$label"
}

# 4 workers: prod refuses fewer than 3, and one is removed in step 5.
shape=('cluster.controlPlane.count=5' 'cluster.workerPools[0].count=2' 'cluster.workerPools[1].count=2')

standin_setup
started=$SECONDS
standin_new_world

echo "== formation at 1.35.9 (5 control planes, 4 workers)"
standin_render prod "${shape[@]}" cluster.kubernetesVersion=1.35.9
run_ok day2-formation || exit 1
expect "formed without a violation" no_violations
expect "5 etcd members" query_is 'len(state["cluster"]["etcd"])' 5

echo "== 1. 1.35.9 -> 1.37.1 refused before anything runs"
standin_render prod "${shape[@]}" cluster.kubernetesVersion=1.37.1
before="$(event_count)"
standin_run day2-skip-refused
note_run day2-skip-refused
expect "the run failed" test "$STANDIN_RC" -ne 0
expect "it names the stack config key and the versions" grep -q "svom-fsgs:cluster.kubernetesVersion: the cluster runs 1.35.9; .*got 1.37.1. Nothing was changed" "$STANDIN_LOG"
expect "no host changed anything" test "$STANDIN_CHANGED" -eq 0
expect "no stand-in command changed the cluster (only kubectl version was asked)" query_is "[e for e in state['events'][$before:]]" "[]"
expect "the cluster still runs 1.35.9" query_is 'state["cluster"]["version"]' '"1.35.9"'

echo "== 2. upgrade 1.35.9 -> 1.36.4"
standin_render prod "${shape[@]}" cluster.kubernetesVersion=1.36.4
before="$(event_count)"
run_ok day2-upgrade || exit 1
upgrade_events="$(query "[(e['command'], e['host']) for e in state['events'][$before:] if e['command'] in ('kubeadm upgrade apply', 'kubeadm upgrade node', 'kubectl drain', 'kubelet version')]")"
echo "    upgrade order: $upgrade_events"
expect "no violation (apply before node, drain before kubelet, kubelet never newer than the API server)" no_violations
expect "the cluster runs 1.36.4" query_is 'state["cluster"]["version"]' '"1.36.4"'
expect "one kubeadm upgrade apply, first" query_is "[e['command'] for e in state['events'][$before:] if e['command'].startswith('kubeadm upgrade')][0:1] + [len([e for e in state['events'][$before:] if e['command'] == 'kubeadm upgrade apply'])]" '["kubeadm upgrade apply", 1]'
expect "kubeadm upgrade node on the 8 other nodes" query_is "len([e for e in state['events'][$before:] if e['command'] == 'kubeadm upgrade node'])" 8
expect "every kubelet at 1.36.4" query_is 'sorted({n["kubeletVersion"] for n in state["cluster"]["nodes"].values()})' '["1.36.4"]'
expect "workers after every control plane" query_is "max(i for i, e in enumerate(state['events'][$before:]) if e['command'] == 'kubelet version' and 'cp-' in e['host']) < min(i for i, e in enumerate(state['events'][$before:]) if e['command'] == 'kubelet version' and 'cp-' not in e['host'])" true
expect "every node uncordoned again" query_is 'any(n["unschedulable"] for n in state["cluster"]["nodes"].values())' false

echo "== 3. the clock at +11 months"
standin_ctl clock advance 11mo >/dev/null
admin_not_after() { python3 -c 'import base64, json, sys; d = json.load(open(sys.argv[1])); print(json.loads(base64.b64decode(d["users"][0]["user"]["client-certificate-data"]))["notAfter"])' "$(standin_host_root fsgs-prod-cp-1)/etc/kubernetes/admin.conf"; }
before_not_after="$(admin_not_after)"
before="$(event_count)"
run_ok day2-eleven-months || exit 1
expect "certificates renewed on the 5 control planes" query_is "len([e for e in state['events'][$before:] if e['command'] == 'kubeadm certs renew all'])" 5
expect "admin.conf (what Pulumi reads) valid for a year from the new now" query_is "$(admin_not_after) - state['now'] > 360 * 86400" true
expect "admin.conf's certificate changed" test "$(admin_not_after)" -gt "$before_not_after"
expect "the renewal timer is enabled" chroot "$(standin_host_root fsgs-prod-cp-2)" systemctl is-enabled svom-renew-kubeadm-certs.timer
expect "the timer's script now finds a year left and renews nothing" bash -c "chroot '$(standin_host_root fsgs-prod-cp-2)' /usr/local/sbin/svom-renew-kubeadm-certs | grep -q '^valid'"
expect "still 5 renewals" query_is "len([e for e in state['events'][$before:] if e['command'] == 'kubeadm certs renew all'])" 5

echo "== 4. etcd snapshot and restore"
expect "the backup timer is enabled" chroot "$(standin_host_root fsgs-prod-cp-1)" systemctl is-enabled svom-etcd-backup.timer
expect "the backup script uploads a checked snapshot" chroot "$(standin_host_root fsgs-prod-cp-1)" /usr/local/sbin/svom-etcd-backup
key="$(cd "$STANDIN_DIR/s3" && find . -name 'etcd-*.db' | sed 's#^\./##' | sort | tail -n 1)"
expect "the snapshot is in the bucket under <cluster>/<control plane>/" test -n "$key"
chroot "$(standin_host_root fsgs-prod-cp-1)" env KUBECONFIG=/etc/kubernetes/admin.conf kubectl create secret generic written-after-snapshot --from-literal=a=b >/dev/null
expect "a Secret written after the snapshot exists" query_is "'Secret/default/written-after-snapshot' in state['cluster']['secrets']" true
run_playbook day2-etcd-restore playbooks/restore-etcd.yml -e "etcd_restore_key=$key"
expect "restore-etcd.yml succeeded" test "$STANDIN_RC" -eq 0
((STANDIN_RC == 0)) || standin_show_failure
expect "the Secret written after the snapshot is gone" query_is "'Secret/default/written-after-snapshot' in state['cluster']['secrets']" false
expect "etcd has the 5 control planes as members" query_is 'sorted(m["name"] for m in state["cluster"]["etcd"].values())' "$(query 'sorted(n for n, v in state["cluster"]["nodes"].items() if v["role"] == "control-plane")')"
expect "the old data directory is kept" bash -c "ls -d '$(standin_host_root fsgs-prod-cp-2)'/var/lib/etcd.before-restore-*"
expect "no violation (every member restored the same snapshot)" no_violations

echo "== 5. a worker removed"
standin_render prod 'cluster.controlPlane.count=5' 'cluster.workerPools[0].count=1' 'cluster.workerPools[1].count=2'
removed=fsgs-prod-general-2
run_playbook day2-remove-worker playbooks/remove-node.yml -e "removed_node_name=$removed" \
  -e "removed_node_address=$(standin_host_root "$removed")" -e removed_node_role=worker -e removed_node_connection=community.general.chroot
expect "remove-node.yml succeeded" test "$STANDIN_RC" -eq 0
((STANDIN_RC == 0)) || standin_show_failure
expect "the Node is gone" query_is "'$removed' in state['cluster']['nodes']" false
expect "drained before deleted (no violation)" no_violations
expect "kubeadm reset ran on the worker" test ! -e "$(standin_host_root "$removed")/etc/kubernetes/kubelet.conf"

echo "== 6. control planes 5 -> 3"
standin_render prod 'cluster.controlPlane.count=3' 'cluster.workerPools[0].count=1' 'cluster.workerPools[1].count=2'
for removed in fsgs-prod-cp-5 fsgs-prod-cp-4; do
  run_playbook "day2-remove-${removed#fsgs-prod-}" playbooks/remove-node.yml -e "removed_node_name=$removed" \
    -e "removed_node_address=$(standin_host_root "$removed")" -e removed_node_role=control-plane -e removed_node_connection=community.general.chroot
  expect "remove-node.yml succeeded for $removed" test "$STANDIN_RC" -eq 0
  ((STANDIN_RC == 0)) || standin_show_failure
done
expect "3 etcd members, the remaining control planes" query_is 'sorted(m["name"] for m in state["cluster"]["etcd"].values())' '["fsgs-prod-cp-1", "fsgs-prod-cp-2", "fsgs-prod-cp-3"]'
expect "the removed control planes are no Nodes" query_is "[n for n in state['cluster']['nodes'] if n in ('fsgs-prod-cp-4', 'fsgs-prod-cp-5')]" "[]"
expect "etcd kept quorum, no violation" no_violations

echo "== hosts and tasks each run touched"
printf '    %s\n' "${report[@]}"
echo "== cluster-day2: $((SECONDS - started)) s, $failures failure(s)"
((failures == 0))
