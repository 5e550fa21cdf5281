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

report=()
# Every successful run's counts, for `npm run bench` (scripts/bench/cluster-runs.ts): label, hosts, tasks, changed, s.
runs_file="$standin_repo_root/build/test-results/cluster-runs.tsv"
mkdir -p "$(dirname "$runs_file")"
: >"$runs_file"

# run_ok LABEL [args]: a playbook run that must succeed; prints its counts.
run_ok() {
  local label="$1"
  shift
  standin_run "$label" "$@"
  printf '    run %-34s rc=%s hosts=%-3s tasks=%-4s changed=%-3s %4ss\n' "$label" "$STANDIN_RC" \
    "$STANDIN_HOSTS_TOUCHED" "$STANDIN_TASKS" "$STANDIN_CHANGED" "$STANDIN_SECONDS"
  report+=("$(printf '%-40s hosts=%-3s tasks=%-4s changed=%-3s %4ss' "$label" "$STANDIN_HOSTS_TOUCHED" "$STANDIN_TASKS" "$STANDIN_CHANGED" "$STANDIN_SECONDS")")
  printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$STANDIN_HOSTS_TOUCHED" "$STANDIN_TASKS" "$STANDIN_CHANGED" "$STANDIN_SECONDS" >>"$runs_file"
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

# The prod world the formation and day-2 scenarios share, as stack config overrides: 5 control planes (the day-2
# chain takes it to 3), three workers (the least prod accepts; a fourth is added 3 days later, one removed on day
# 2), at the day-2 chain's start version, the oldest supported minor (scripts/cluster-day2/chain-versions.ts). On a
# 2-core machine each host costs seconds per task, so one world lives through every prod scenario.
read -r chain_start chain_next chain_skip < <(cd "$standin_repo_root" && node_modules/.bin/tsx scripts/cluster-day2/chain-versions.ts) \
  || standin_fail "no day-2 chain versions (scripts/cluster-day2/chain-versions.ts)"
declare -A prod_settings=()
prod_reset() {
  prod_settings=([cluster.controlPlane.count]=5 ['cluster.workerPools[0].count']=2 ['cluster.workerPools[1].count']=1
    [cluster.kubernetesVersion]="$chain_start")
}
# prod_render [key=value...]: changes the world's stack config and renders its inventory (new hosts get a root).
prod_render() {
  local assignment key
  for assignment in "$@"; do prod_settings["${assignment%%=*}"]="${assignment#*=}"; done
  local -a settings=()
  for key in "${!prod_settings[@]}"; do settings+=("$key=${prod_settings[$key]}"); done
  standin_render prod "${settings[@]}"
}
prod_world_formed() { [[ -n "$(query 'state["cluster"] and state["cluster"]["id"]' 2>/dev/null | tr -d 'null"')" && -n "${prod_settings[*]}" ]]; }

# --- scenarios --------------------------------------------------------------------------------------------------

# prod from nothing: one init, the other control planes join one at a time, then the workers; a second run
# changes nothing on any host.
scenario_prod_formation() {
  standin_new_world
  prod_reset
  prod_render
  local control_planes workers
  control_planes="$(standin_group control_plane | wc -l)"
  workers="$(standin_group workers | wc -l)"
  run_ok prod-formation || return 1
  check "no rule broken (no split brain, one encryption key)" no_violations
  check "exactly one kubeadm init" query_is 'len(state["inits"])' 1
  check "$control_planes etcd members" query_is 'len(state["cluster"]["etcd"])' "$control_planes"
  check "$((control_planes + workers)) nodes registered" query_is 'len(state["cluster"]["nodes"])' "$((control_planes + workers))"
  check "control-plane joins one at a time (serial)" query_is \
    '[e["host"] for e in state["events"] if e["command"] == "kubeadm join" and e.get("controlPlane")] == sorted(set([e["host"] for e in state["events"] if e["command"] == "kubeadm join" and e.get("controlPlane")]), key=[e["host"] for e in state["events"] if e["command"] == "kubeadm join" and e.get("controlPlane")].index)' true
  run_ok prod-second-run || return 1
  check "second run: changed=0 on every host" test "$STANDIN_CHANGED" -eq 0
  check "second run: still one init and no violation" query_is 'len(state["inits"]) + len(state["violations"])' 1
}

# A worker added three days after formation (the default init token long expired): the run is limited to the
# new host and one control plane (for its token), and touches far fewer hosts and tasks than the full run.
scenario_worker_added_later() {
  prod_world_formed || scenario_prod_formation || return 1
  standin_ctl clock advance 3d >/dev/null
  local before new_worker control_plane limit general="${prod_settings['cluster.workerPools[0].count']}"
  before="$(standin_group workers)"
  prod_render "cluster.workerPools[0].count=$((general + 1))"
  new_worker="$(comm -13 <(sort <<<"$before") <(standin_group workers | sort))"
  control_plane="$(standin_group control_plane | head -n 1)"
  check "one new worker in the inventory ($new_worker)" test "$(wc -w <<<"$new_worker")" -eq 1
  # The limit the program's join command for this worker passes (components/ansible/playbook-scope.ts).
  limit="$(awk -v worker="$new_worker" '$1 == worker { print $2 }' "$STANDIN_INVENTORY.join-limits")"
  check "the program's join command limits the run to $new_worker and $control_plane" test "$limit" = "$new_worker,$control_plane"
  run_ok worker-added-3-days-later --limit "$limit" || return 1
  check "the new worker registered" query_is "\"$new_worker\" in state[\"cluster\"][\"nodes\"]" true
  check "the run touched 2 hosts" test "$STANDIN_HOSTS_TOUCHED" -eq 2
  check "no rule broken" no_violations
  check "still one kubeadm init" query_is 'len(state["inits"])' 1
}

# The first control plane's server rebuilt with the same name and address and an empty disk: it must join
# the running cluster (not initialise a second one), its stale etcd member replaced, the encryption key copied
# from a control plane that has it and nowhere overwritten.
scenario_first_control_plane_replaced() {
  prod_world_formed || scenario_prod_formation || return 1
  local first second key_before control_planes
  control_planes="$(standin_group control_plane | wc -l)"
  first="$(standin_group control_plane | head -n 1)"
  second="$(standin_group control_plane | sed -n 2p)"
  key_before="$(sha256sum <"$(standin_host_root "$second")/etc/kubernetes/encryption/config.yaml")"
  standin_wipe_host "$first"
  run_ok first-control-plane-replaced || return 1
  check "no rule broken (no split brain, one encryption key)" no_violations
  check "still exactly one kubeadm init" query_is 'len(state["inits"])' 1
  check "$first joined as a control plane" query_is \
    "[e['host'] for e in state['events'] if e['command'] == 'kubeadm join' and e.get('controlPlane')][-1] == '$first'" true
  check "the stale etcd member of the old disk removed" query_is "[m for m in state['cluster']['etcd'].values() if m.get('wiped')]" '[]'
  check "$control_planes etcd members in all" query_is 'len(state["cluster"]["etcd"])' "$control_planes"
  check "$first got the cluster's encryption key" test "$(sha256sum <"$(standin_host_root "$first")/etc/kubernetes/encryption/config.yaml")" = "$key_before"
  check "$second's encryption key unchanged" test "$(sha256sum <"$(standin_host_root "$second")/etc/kubernetes/encryption/config.yaml")" = "$key_before"
}

# integration: one control plane in vip mode (keepalived.conf validated by the real keepalived in the root),
# and a kubeadm init that dies in wait-control-plane: the next run must see it was not completed (no API
# answers, no mark), reset and initialise, not skip it because admin.conf exists.
scenario_integration_partial_init() {
  standin_new_world
  prod_settings=()
  standin_render integration 'cluster.workerPools[0].count=1'
  standin_ctl fault kubeadm-init wait-control-plane
  standin_run integration-init-dies-half-way
  printf '    run %-34s rc=%s (expected to fail: kubeadm init died)\n' integration-init-dies-half-way "$STANDIN_RC"
  check "the run with the failing init failed" test "$STANDIN_RC" -ne 0
  check "the failed init left admin.conf behind" test -f "$(standin_host_root "$(standin_group control_plane | head -n 1)")/etc/kubernetes/admin.conf"
  run_ok integration-after-partial-init || return 1
  check "the cluster was initialised on the re-run" query_is 'len(state["inits"])' 1
  check "no rule broken" no_violations
  check "keepalived.conf in place (validated by keepalived --config-test)" test -f "$(standin_host_root "$(standin_group control_plane | head -n 1)")/etc/keepalived/keepalived.conf"
  check "every node registered" query_is 'len(state["cluster"]["nodes"])' 2
}

# The stand-ins' rules, each shown able to fail, by calling them directly in two roots (no Ansible): a token
# and a certificate key past their lifetime, an upgrade skipping a minor or a node upgraded before the
# control plane, a Node deleted undrained, an expired admin certificate, a second init.
scenario_standin_rules() {
  standin_new_world
  local version=1.35.9 next=1.36.0 skip=1.37.0 debs cp=rules-cp worker=rules-worker
  standin_packages "$version"
  standin_packages "$next"
  standin_packages "$skip"
  standin_make_host "$cp"
  standin_make_host "$worker"
  local host
  for host in "$cp" "$worker"; do
    debs="$STANDIN_WWW/core:/stable:/v1.35/deb"
    cp "$debs"/*_amd64.deb "$(standin_host_root "$host")/tmp/"
    in_root "$host" sh -c 'dpkg -i /tmp/cri-tools_*.deb /tmp/kubeadm_*.deb /tmp/kubelet_*.deb /tmp/kubectl_*.deb' >/dev/null
  done
  mkdir -p "$(standin_host_root "$cp")/etc/kubernetes"
  cat >"$(standin_host_root "$cp")/etc/kubernetes/init.yaml" <<YAML
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint: {advertiseAddress: 10.0.0.1, bindPort: 6443}
nodeRegistration: {name: $cp}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v$version
controlPlaneEndpoint: 10.0.0.100:6443
YAML
  check "kubeadm init forms the cluster" in_root "$cp" kubeadm init --config /etc/kubernetes/init.yaml --upload-certs
  local join token_join
  join="$(in_root "$cp" kubeadm token create --print-join-command --ttl 24h)"
  standin_ctl clock advance 25h >/dev/null
  # shellcheck disable=SC2086 # the join command's words
  check "a 24 h token is refused after 25 h" not in_root "$worker" $join
  token_join="$(in_root "$cp" kubeadm token create --print-join-command)"
  local key
  key="$(in_root "$cp" kubeadm init phase upload-certs --upload-certs | tail -n 1)"
  standin_ctl clock advance 3h >/dev/null
  # shellcheck disable=SC2086
  check "a certificate key is refused after 2 h" not in_root "$worker" $token_join --control-plane --certificate-key "$key" --apiserver-advertise-address 10.0.0.2
  # shellcheck disable=SC2086
  check "a worker joins with a fresh token" in_root "$worker" $token_join
  check "deleting the worker's Node undrained is recorded as a violation" sh -c \
    "chroot '$(standin_host_root "$cp")' kubectl --kubeconfig /etc/kubernetes/admin.conf delete node $worker >/dev/null && ! SVOM_STANDIN_SHARED='$STANDIN_SHARED' python3 '$STANDIN_SHARED/lib/standin.py' standin-ctl violations"
  standin_ctl query 'state["violations"].clear()' >/dev/null
  # Upgrades: the next packages' kubeadm, one minor at a time, apply before node.
  local next_debs="$STANDIN_WWW/core:/stable:/v1.36/deb" skip_debs="$STANDIN_WWW/core:/stable:/v1.37/deb"
  cp "$skip_debs/kubeadm_${skip}-1.1_amd64.deb" "$(standin_host_root "$cp")/tmp/"
  in_root "$cp" dpkg -i "/tmp/kubeadm_${skip}-1.1_amd64.deb" >/dev/null
  check "an upgrade skipping a minor (1.35 -> 1.37) is refused" not in_root "$cp" kubeadm upgrade apply "v$skip" -y
  cp "$next_debs"/kubeadm_"$next"-1.1_amd64.deb "$next_debs"/kubelet_"$next"-1.1_amd64.deb "$(standin_host_root "$worker")/tmp/"
  cp "$next_debs"/kubeadm_"$next"-1.1_amd64.deb "$(standin_host_root "$cp")/tmp/"
  in_root "$worker" dpkg -i "/tmp/kubeadm_${next}-1.1_amd64.deb" >/dev/null
  # kubeadm itself lets `upgrade node` run ahead of `upgrade apply`; the stand-in records it as a violation.
  check "upgrade node before upgrade apply is recorded as a violation" sh -c \
    "chroot '$(standin_host_root "$worker")' kubeadm upgrade node >/dev/null && ! SVOM_STANDIN_SHARED='$STANDIN_SHARED' python3 '$STANDIN_SHARED/lib/standin.py' standin-ctl violations"
  standin_ctl query 'state["violations"].clear()' >/dev/null
  in_root "$cp" dpkg -i "/tmp/kubeadm_${next}-1.1_amd64.deb" >/dev/null 2>&1
  check "upgrade apply 1.35 -> 1.36 succeeds" in_root "$cp" kubeadm upgrade apply "v$next" -y
  check "then upgrade node succeeds" in_root "$worker" kubeadm upgrade node
  # Certificates: one year.
  standin_ctl clock advance 13mo >/dev/null
  check "an admin.conf older than a year is refused" not in_root "$cp" kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes
  check "kubeadm certs renew all renews it" in_root "$cp" kubeadm certs renew all
  check "the renewed admin.conf is accepted" in_root "$cp" kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes
  in_root "$cp" kubeadm reset --force >/dev/null
  check "a second kubeadm init is recorded as a split brain" sh -c \
    "chroot '$(standin_host_root "$cp")' kubeadm init --config /etc/kubernetes/init.yaml >/dev/null; ! SVOM_STANDIN_SHARED='$STANDIN_SHARED' python3 '$STANDIN_SHARED/lib/standin.py' standin-ctl violations"
  standin_remove_host "$cp"
  standin_remove_host "$worker"
}
not() { ! "$@"; }

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
    check "os_baseline: $want $distribution $version" test "$([[ $status == 0 ]] && echo accept || echo refuse)" = "$want"
  done
}

# --- main -----------------------------------------------------------------------------------------------------

# shellcheck source=scripts/cluster-day2/scenarios.sh
. "$standin_repo_root/scripts/cluster-day2/scenarios.sh"
day2_scenarios=(day2_skip_refused day2_upgrade day2_eleven_months day2_etcd_restore day2_worker_removed day2_control_planes_5_to_3)
# The first control plane is replaced after the day-2 chain took prod to 3 control planes and 3 workers: a full
# run on 6 hosts instead of 9.
# integration_partial_init runs only when named: it ran last and alone in the test command, whose CI run must stay
# under 20 minutes on two cores (it took 18 min locally with it, warm caches).
all_scenarios=(os_release_check standin_rules prod_formation worker_added_later "${day2_scenarios[@]}"
  first_control_plane_replaced)
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
