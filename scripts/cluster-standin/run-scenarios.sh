#!/usr/bin/env bash
# Formation scenarios of the cluster: the real playbooks/site.yml on one root per host, against the stand-in
# cluster (scripts/cluster-standin/README.md). Each scenario prints how many hosts and tasks its runs touched.
#
#   bash scripts/cluster-standin/run-scenarios.sh [scenario...]     (as root; default: every scenario)
#
# Environment: SVOM_STANDIN_DIR (default /var/tmp/svom-standin), SVOM_STANDIN_KEEP=1 keeps the roots.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/cluster-standin/harness.sh
. "$here/harness.sh"

failures=0
report=()

# expect DESCRIPTION COMMAND...: one check of a scenario.
expect() {
  local description="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    echo "    ok    $description"
  else
    echo "    FAIL  $description"
    failures=$((failures + 1))
  fi
}

# run_ok LABEL [args]: a playbook run that must succeed; prints its counts.
run_ok() {
  local label="$1"
  shift
  standin_run "$label" "$@"
  printf '    run %-34s rc=%s hosts=%-3s tasks=%-4s changed=%-3s %4ss\n' "$label" "$STANDIN_RC" \
    "$STANDIN_HOSTS_TOUCHED" "$STANDIN_TASKS" "$STANDIN_CHANGED" "$STANDIN_SECONDS"
  report+=("$(printf '%-40s hosts=%-3s tasks=%-4s changed=%-3s %4ss' "$label" "$STANDIN_HOSTS_TOUCHED" "$STANDIN_TASKS" "$STANDIN_CHANGED" "$STANDIN_SECONDS")")
  if ((STANDIN_RC != 0)); then
    standin_show_failure
    return 1
  fi
}

no_violations() { standin_ctl violations; }
query() { standin_ctl query "$1"; }
query_is() { [[ "$(query "$1")" == "$2" ]]; }
in_root() {
  local host="$1"
  shift
  chroot "$(standin_host_root "$host")" "$@"
}

# prod's inventory with three workers (the least prod accepts), the three control planes and both pools: (on a
# 2-core machine each host costs seconds per task).
prod_small=('cluster.workerPools[0].count=2' 'cluster.workerPools[1].count=1')

# --- scenarios --------------------------------------------------------------------------------------------------

# prod from nothing: one init, the other control planes join one at a time, then the workers; a second run
# changes nothing on any host.
scenario_prod_formation() {
  standin_new_world
  standin_render prod "${prod_small[@]}"
  local control_planes workers
  control_planes="$(standin_group control_plane | wc -l)"
  workers="$(standin_group workers | wc -l)"
  run_ok prod-formation || return 1
  expect "no rule broken (no split brain, one encryption key)" no_violations
  expect "exactly one kubeadm init" query_is 'len(state["inits"])' 1
  expect "$control_planes etcd members" query_is 'len(state["cluster"]["etcd"])' "$control_planes"
  expect "$((control_planes + workers)) nodes registered" query_is 'len(state["cluster"]["nodes"])' "$((control_planes + workers))"
  expect "control-plane joins one at a time (serial)" query_is \
    '[e["host"] for e in state["events"] if e["command"] == "kubeadm join" and e.get("controlPlane")] == sorted(set([e["host"] for e in state["events"] if e["command"] == "kubeadm join" and e.get("controlPlane")]), key=[e["host"] for e in state["events"] if e["command"] == "kubeadm join" and e.get("controlPlane")].index)' true
  run_ok prod-second-run || return 1
  expect "second run: changed=0 on every host" test "$STANDIN_CHANGED" -eq 0
  expect "second run: still one init and no violation" query_is 'len(state["inits"]) + len(state["violations"])' 1
}

# A worker added three days after formation (the default init token long expired): the run is limited to the
# new host and one control plane (for its token), and touches far fewer hosts and tasks than the full run.
scenario_worker_added_later() {
  [[ -n "$(query 'state["cluster"] and state["cluster"]["id"]' 2>/dev/null | tr -d 'null"')" ]] || scenario_prod_formation || return 1
  standin_ctl clock advance 3d >/dev/null
  local before new_worker control_plane
  before="$(standin_group workers)"
  standin_render prod 'cluster.workerPools[0].count=3' 'cluster.workerPools[1].count=1'
  new_worker="$(comm -13 <(sort <<<"$before") <(standin_group workers | sort))"
  control_plane="$(standin_group control_plane | head -n 1)"
  expect "one new worker in the inventory ($new_worker)" test "$(wc -w <<<"$new_worker")" -eq 1
  run_ok worker-added-3-days-later --limit "$new_worker,$control_plane" || return 1
  expect "the new worker registered" query_is "\"$new_worker\" in state[\"cluster\"][\"nodes\"]" true
  expect "the run touched 2 hosts" test "$STANDIN_HOSTS_TOUCHED" -eq 2
  expect "no rule broken" no_violations
  expect "still one kubeadm init" query_is 'len(state["inits"])' 1
}

# The first control plane's server rebuilt with the same name and address and an empty disk: it must join
# the running cluster (not initialise a second one), its stale etcd member replaced, the encryption key copied
# from a control plane that has it and nowhere overwritten.
scenario_first_control_plane_replaced() {
  [[ -n "$(query 'state["cluster"] and state["cluster"]["id"]' 2>/dev/null | tr -d 'null"')" ]] || scenario_prod_formation || return 1
  local first second key_before
  first="$(standin_group control_plane | head -n 1)"
  second="$(standin_group control_plane | sed -n 2p)"
  key_before="$(sha256sum <"$(standin_host_root "$second")/etc/kubernetes/encryption/config.yaml")"
  standin_wipe_host "$first"
  run_ok first-control-plane-replaced || return 1
  expect "no rule broken (no split brain, one encryption key)" no_violations
  expect "still exactly one kubeadm init" query_is 'len(state["inits"])' 1
  expect "$first joined as a control plane" query_is \
    "[e['host'] for e in state['events'] if e['command'] == 'kubeadm join' and e.get('controlPlane')][-1] == '$first'" true
  expect "the stale etcd member of the old disk removed" query_is "[m for m in state['cluster']['etcd'].values() if m.get('wiped')]" '[]'
  expect "three etcd members in all" query_is 'len(state["cluster"]["etcd"])' 3
  expect "$first got the cluster's encryption key" test "$(sha256sum <"$(standin_host_root "$first")/etc/kubernetes/encryption/config.yaml")" = "$key_before"
  expect "$second's encryption key unchanged" test "$(sha256sum <"$(standin_host_root "$second")/etc/kubernetes/encryption/config.yaml")" = "$key_before"
}

# integration: one control plane in vip mode (keepalived.conf validated by the real keepalived in the root),
# and a kubeadm init that dies in wait-control-plane: the next run must see it was not completed (no API
# answers, no mark), reset and initialise, not skip it because admin.conf exists.
scenario_integration_partial_init() {
  standin_new_world
  standin_render integration 'cluster.workerPools[0].count=1'
  standin_ctl fault kubeadm-init wait-control-plane
  standin_run integration-init-dies-half-way
  printf '    run %-34s rc=%s (expected to fail: kubeadm init died)\n' integration-init-dies-half-way "$STANDIN_RC"
  expect "the run with the failing init failed" test "$STANDIN_RC" -ne 0
  expect "the failed init left admin.conf behind" test -f "$(standin_host_root "$(standin_group control_plane | head -n 1)")/etc/kubernetes/admin.conf"
  run_ok integration-after-partial-init || return 1
  expect "the cluster was initialised on the re-run" query_is 'len(state["inits"])' 1
  expect "no rule broken" no_violations
  expect "keepalived.conf in place (validated by keepalived --config-test)" test -f "$(standin_host_root "$(standin_group control_plane | head -n 1)")/etc/keepalived/keepalived.conf"
  expect "every node registered" query_is 'len(state["cluster"]["nodes"])' 2
}

# os_baseline's release check, against the facts Ansible reports on each target release (no roots needed):
# Debian's distribution_version is its point release ("12.11"), which "12" never equalled.
scenario_os_release_check() {
  local facts distribution version major want status
  for facts in "Debian 12.11 12 accept" "Debian 12 12 accept" "Debian 11.9 11 refuse" "Ubuntu 24.04 24 accept" \
    "Ubuntu 22.04 22 accept" "Ubuntu 23.10 23 refuse"; do
    read -r distribution version major want <<<"$facts"
    status=0
    (cd "$standin_repo_root" && ANSIBLE_ROLES_PATH=playbooks/roles ansible-playbook -i localhost, \
      scripts/cluster-standin/supported-release.yml -e "{\"ansible_facts\": {\"distribution\": \"$distribution\",
      \"distribution_version\": \"$version\", \"distribution_major_version\": \"$major\"}}") >/dev/null 2>&1 || status=$?
    expect "os_baseline: $want $distribution $version" test "$([[ $status == 0 ]] && echo accept || echo refuse)" = "$want"
  done
}

# --- main -----------------------------------------------------------------------------------------------------

all_scenarios=(os_release_check prod_formation worker_added_later first_control_plane_replaced integration_partial_init)
selected=("$@")
((${#selected[@]} > 0)) || selected=("${all_scenarios[@]}")

standin_setup
started=$SECONDS
for scenario in "${selected[@]}"; do
  echo "== scenario $scenario"
  scenario_started=$SECONDS
  if ! "scenario_$scenario"; then
    echo "    FAIL  scenario $scenario stopped (log: $STANDIN_LOG)"
    failures=$((failures + 1))
  fi
  echo "   ($((SECONDS - scenario_started)) s)"
done
echo "== hosts and tasks each run touched"
printf '    %s\n' "${report[@]}"
echo "== cluster-standin: ${#selected[@]} scenario(s) in $((SECONDS - started)) s, $failures failure(s)"
((failures == 0))
