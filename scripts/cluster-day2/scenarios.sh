#!/usr/bin/env bash
# Sourced by scripts/cluster-standin/run-scenarios.sh: the day-2 scenarios, on the prod world the formation
# scenarios left behind (5 control planes, 4 workers once one was added 3 days later, at the chain's start version: the oldest supported minor,
# scripts/cluster-day2/chain-versions.ts). In order, each on the cluster the one before left:
#   day2_skip_refused          start -> start+2 refused before anything runs, naming the key;
#   day2_upgrade               start -> start+1: apply on one control plane, node on the others, then the workers one
#                              at a time, each drained before its kubelet moves (the stand-ins record a violation
#                              otherwise);
#   day2_eleven_months         the clock at +11 months, no `up`: each control plane's weekly renewal timer renews its
#                              certificates, and the program's monthly re-read of admin.conf gets a year-valid one;
#   day2_etcd_restore          an etcd snapshot to the S3 stand-in, a Secret written after it, restore-etcd.yml;
#   day2_worker_removed        remove-node.yml, as the program's NodeRemoval command runs it after `up`;
#   day2_control_planes_5_to_3 two control planes removed, each drained, reset, its etcd member removed.
# Each playbook run is the one the program itself runs for that operation: the full site.yml for a version
# change (its inputs are cluster-wide), remove-node.yml per removed node, restore-etcd.yml by the runbook.
# shellcheck disable=SC2317 # functions are called by run-scenarios.sh

event_count() { query "len(state['events'])"; }

# run_playbook LABEL PLAYBOOK [args]: another playbook of the repository, the way the program's commands run it.
run_playbook() {
  local label="$1" playbook="$2"
  shift 2
  STANDIN_PLAYBOOK="$playbook" run_ok "$label" "$@"
}

# The chain needs the prod world with 5 control planes.
day2_world() {
  prod_world_formed || scenario_prod_formation || return 1
  [[ "$(standin_group control_plane | wc -l)" -eq 5 ]] || { echo "    FAIL  the day-2 chain needs 5 control planes"; return 1; }
}

scenario_day2_skip_refused() {
  day2_world || return 1
  local before
  before="$(event_count)"
  prod_render "cluster.kubernetesVersion=$chain_skip"
  standin_run day2-skip-refused
  printf '    run %-34s rc=%s (expected to fail: a skipped minor)\n' day2-skip-refused "$STANDIN_RC"
  check "the run failed" test "$STANDIN_RC" -ne 0
  check "it names the stack config key and the versions" grep -q "svom-fsgs:cluster.kubernetesVersion: the cluster runs $chain_start; .*got $chain_skip. Nothing was changed" "$STANDIN_LOG"
  check "no host changed anything" test "$STANDIN_CHANGED" -eq 0
  check "no stand-in command changed the cluster (only kubectl version was asked)" query_is "[e for e in state['events'][$before:]]" "[]"
  check "the cluster still runs $chain_start" query_is 'state["cluster"]["version"]' "\"$chain_start\""
  # Back to the config the cluster runs, as the operator would after reading the message.
  prod_render "cluster.kubernetesVersion=$chain_start"
}

scenario_day2_upgrade() {
  day2_world || return 1
  local before workers
  workers="$(standin_group workers | wc -l)"
  before="$(event_count)"
  prod_render "cluster.kubernetesVersion=$chain_next"
  run_ok day2-upgrade || return 1
  echo "    upgrade order: $(query "[(e['command'], e['host']) for e in state['events'][$before:] if e['command'] in ('kubeadm upgrade apply', 'kubeadm upgrade node', 'kubectl drain', 'kubelet version')]")"
  check "no violation (apply before node, drain before kubelet, kubelet never newer than the API server)" no_violations
  check "the cluster runs $chain_next" query_is 'state["cluster"]["version"]' "\"$chain_next\""
  check "one kubeadm upgrade apply, first" query_is "[e['command'] for e in state['events'][$before:] if e['command'].startswith('kubeadm upgrade')][0:1] + [len([e for e in state['events'][$before:] if e['command'] == 'kubeadm upgrade apply'])]" '["kubeadm upgrade apply", 1]'
  check "kubeadm upgrade node on the $((4 + workers)) other nodes" query_is "len([e for e in state['events'][$before:] if e['command'] == 'kubeadm upgrade node'])" "$((4 + workers))"
  check "every kubelet at $chain_next" query_is 'sorted({n["kubeletVersion"] for n in state["cluster"]["nodes"].values()})' "[\"$chain_next\"]"
  check "workers after every control plane" query_is "max(i for i, e in enumerate(state['events'][$before:]) if e['command'] == 'kubelet version' and 'cp-' in e['host']) < min(i for i, e in enumerate(state['events'][$before:]) if e['command'] == 'kubelet version' and 'cp-' not in e['host'])" true
  # One at a time: each worker drained, then its kubelet moved, before the next worker is drained.
  check "workers drained one at a time (drain, kubelet upgrade, then the next worker)" query_is \
    "(lambda ev: len(ev) == 2 * $workers and all(ev[i][0] == 'kubectl drain' and ev[i + 1] == ('kubelet version', ev[i][1]) for i in range(0, len(ev), 2)))([(e['command'], e.get('node', e['host'])) for e in state['events'][$before:] if e['command'] in ('kubectl drain', 'kubelet version') and 'cp-' not in e.get('node', e['host'])])" true
  check "every node uncordoned again" query_is 'any(n["unschedulable"] for n in state["cluster"]["nodes"].values())' false
}

# What systemd runs when the weekly timer fires: the service's ExecStart, in the control plane's root.
fire_renewal_timer() {
  local root command
  root="$(standin_host_root "$1")"
  command="$(sed -n 's/^ExecStart=//p' "$root/etc/systemd/system/svom-renew-kubeadm-certs.service")"
  [[ -n "$command" ]] || return 1
  # shellcheck disable=SC2086 # ExecStart's words
  chroot "$root" $command
}

scenario_day2_eleven_months() {
  day2_world || return 1
  local admin_conf before_not_after before host renewed=0
  admin_conf="$(standin_host_root "$(standin_group control_plane | head -n 1)")/etc/kubernetes/admin.conf"
  admin_not_after() { python3 -c 'import base64, json, sys; d = json.load(open(sys.argv[1])); print(json.loads(base64.b64decode(d["users"][0]["user"]["client-certificate-data"]))["notAfter"])' "$admin_conf"; }
  before_not_after="$(admin_not_after)"
  standin_ctl clock advance 11mo >/dev/null
  before="$(event_count)"
  for host in $(standin_group control_plane); do
    check "$host: the renewal timer is enabled" chroot "$(standin_host_root "$host")" systemctl is-enabled svom-renew-kubeadm-certs.timer
    fire_renewal_timer "$host" >"$STANDIN_LOGS/day2-renewal-$host.log" 2>&1 && grep -q '^renewed' "$STANDIN_LOGS/day2-renewal-$host.log" && renewed=$((renewed + 1))
  done
  check "the timer renewed the certificates on the 5 control planes" test "$renewed" -eq 5
  check "5 kubeadm certs renew all" query_is "len([e for e in state['events'][$before:] if e['command'] == 'kubeadm certs renew all'])" 5
  # The program's admin-kubeconfig command (READ_ADMIN_KUBECONFIG) runs again each month: what it reads now.
  check "admin.conf (what Pulumi reads monthly) valid for a year from the new now" query_is "$(admin_not_after) - state['now'] > 360 * 86400" true
  check "admin.conf's certificate changed" test "$(admin_not_after)" -gt "$before_not_after"
  check "the API answers with the renewed admin.conf" chroot "$(standin_host_root fsgs-prod-cp-1)" kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes
  check "the timer fired again finds a year left and renews nothing" bash -c "chroot '$(standin_host_root fsgs-prod-cp-2)' /usr/local/sbin/svom-renew-kubeadm-certs | grep -q '^valid'"
  check "still 5 renewals" query_is "len([e for e in state['events'][$before:] if e['command'] == 'kubeadm certs renew all'])" 5
  check "no violation" no_violations
}

scenario_day2_etcd_restore() {
  day2_world || return 1
  local cp1 key
  cp1="$(standin_group control_plane | head -n 1)"
  check "the backup timer is enabled" chroot "$(standin_host_root "$cp1")" systemctl is-enabled svom-etcd-backup.timer
  check "the backup script uploads a checked snapshot" chroot "$(standin_host_root "$cp1")" /usr/local/sbin/svom-etcd-backup
  key="$(cd "$STANDIN_DIR/s3" && find . -name 'etcd-*.db' | sed 's#^\./##' | sort | tail -n 1)"
  check "the snapshot is in the bucket under <cluster>/<control plane>/" test -n "$key"
  chroot "$(standin_host_root "$cp1")" env KUBECONFIG=/etc/kubernetes/admin.conf kubectl create secret generic written-after-snapshot --from-literal=a=b >/dev/null
  check "a Secret written after the snapshot exists" query_is "'Secret/default/written-after-snapshot' in state['cluster']['secrets']" true
  run_playbook day2-etcd-restore playbooks/restore-etcd.yml -e "etcd_restore_key=$key" || return 1
  check "the Secret written after the snapshot is gone" query_is "'Secret/default/written-after-snapshot' in state['cluster']['secrets']" false
  check "etcd has the 5 control planes as members" query_is 'sorted(m["name"] for m in state["cluster"]["etcd"].values())' "$(query 'sorted(n for n, v in state["cluster"]["nodes"].items() if v["role"] == "control-plane")')"
  check "the old data directory is kept" bash -c "ls -d '$(standin_host_root fsgs-prod-cp-2)'/var/lib/etcd.before-restore-*"
  check "no violation (every member restored the same snapshot)" no_violations
}

# remove_node NAME ROLE: remove-node.yml as the program's NodeRemoval command runs it, once the inventory no
# longer lists the node.
remove_node() {
  run_playbook "day2-remove-${1#fsgs-prod-}" playbooks/remove-node.yml -e "removed_node_name=$1" \
    -e "removed_node_address=$(standin_host_root "$1")" -e "removed_node_role=$2" -e removed_node_connection=community.general.chroot
}

scenario_day2_worker_removed() {
  day2_world || return 1
  # prod refuses fewer than 3 workers: one more first, as the formation scenarios add three days later.
  if [[ "$(standin_group workers | wc -l)" -lt 4 ]]; then scenario_worker_added_later || return 1; fi
  local before removed general="${prod_settings['cluster.workerPools[0].count']}"
  before="$(standin_group workers)"
  prod_render "cluster.workerPools[0].count=$((general - 1))"
  removed="$(comm -23 <(sort <<<"$before") <(standin_group workers | sort))"
  check "one worker left the inventory ($removed)" test "$(wc -w <<<"$removed")" -eq 1
  remove_node "$removed" worker || return 1
  check "the Node is gone" query_is "'$removed' in state['cluster']['nodes']" false
  check "drained before deleted (no violation)" no_violations
  check "kubeadm reset ran on the worker" test ! -e "$(standin_host_root "$removed")/etc/kubernetes/kubelet.conf"
}

scenario_day2_control_planes_5_to_3() {
  day2_world || return 1
  local removed
  prod_render cluster.controlPlane.count=3
  for removed in fsgs-prod-cp-5 fsgs-prod-cp-4; do
    remove_node "$removed" control-plane || return 1
    check "$removed: its etcd member removed, quorum kept" query_is "sorted(m['name'] for m in state['cluster']['etcd'].values()) == sorted(n for n, v in state['cluster']['nodes'].items() if v['role'] == 'control-plane')" true
  done
  check "3 etcd members, the remaining control planes" query_is 'sorted(m["name"] for m in state["cluster"]["etcd"].values())' '["fsgs-prod-cp-1", "fsgs-prod-cp-2", "fsgs-prod-cp-3"]'
  check "the removed control planes are no Nodes" query_is "[n for n in state['cluster']['nodes'] if n in ('fsgs-prod-cp-4', 'fsgs-prod-cp-5')]" "[]"
  check "etcd kept quorum, no violation" no_violations
}
