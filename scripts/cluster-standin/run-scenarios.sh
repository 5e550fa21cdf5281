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

# --- main -----------------------------------------------------------------------------------------------------

all_scenarios=(prod_formation)
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
