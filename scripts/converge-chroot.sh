#!/usr/bin/env bash
# Converge test of the node roles: applies playbooks/converge-chroot.yml (os_baseline,
# container_runtime) to a fresh Debian 12 (bookworm) root through the community.general.chroot
# connection, twice, and fails unless the first run succeeds, the second reports changed=0 and
# failed=0, and the root ends up configured as expected.
#
# Must run as root on a Debian machine. Debian 12 packages it needs:
#   apt-get install -y ansible debootstrap
# (ansible brings ansible-core plus the community.general and ansible.posix collections.)
#
# The pristine root is cached as a tarball under $SVOM_CONVERGE_DIR (default /var/tmp/svom-converge):
# the first run pays for debootstrap, later runs unpack the tarball. Delete the tarball to rebuild.
#
# Environment:
#   SVOM_CONVERGE_DIR    working and cache directory (default /var/tmp/svom-converge)
#   SVOM_DEBIAN_MIRROR   Debian archive URL (default: the one this machine's apt sources use)
#   SVOM_CONVERGE_KEEP=1 keep the converged root after the run, for inspection
# shellcheck disable=SC2317 # cleanup and the check helpers are called through trap and check()
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/converge-root.sh
. "$repo_root/scripts/converge-root.sh"
work_dir="${SVOM_CONVERGE_DIR:-/var/tmp/svom-converge}"
suite="$converge_root_suite"
target_root="$work_dir/$suite"
inventory="$work_dir/inventory.ini"
log_dir="$work_dir/logs"

fail() {
  echo "converge-chroot: $*" >&2
  exit 1
}

now() { date +%s; }
script_started=$(now)
timings=()
record_timing() { timings+=("$(printf '%-34s %4ss' "$1" "$2")"); }

# --- prerequisites -----------------------------------------------------------------------------

((EUID == 0)) || fail "must run as root (debootstrap and chroot need it)"

missing=()
for package in ansible debootstrap; do
  status="$(dpkg-query --show --showformat='${db:Status-Status}' "$package" 2>/dev/null || true)"
  [[ "$status" == installed ]] || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  fail "missing Debian package(s): ${missing[*]}; install with: apt-get install -y ansible debootstrap"
fi
ansible-doc --type connection community.general.chroot >/dev/null 2>&1 \
  || fail "the community.general.chroot connection plugin is missing (it ships in Debian's ansible package)"

mirror="${SVOM_DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  mirror="$(host_debian_mirror)" \
    || fail "found no Debian archive in /etc/apt/sources.list{,.d/*}; set SVOM_DEBIAN_MIRROR"
fi

mkdir -p "$work_dir" "$log_dir"
exec 9>"$work_dir/.lock"
flock --nonblock 9 || fail "another converge-chroot run holds $work_dir/.lock"

# --- cleanup -----------------------------------------------------------------------------------

cleanup() {
  local status=$?
  local pids
  pids="$(processes_in_root "$target_root")"
  if [[ -n "$pids" ]]; then
    echo "converge-chroot: processes left running in the chroot: $(tr '\n' ' ' <<<"$pids")" >&2
    # shellcheck disable=SC2086 # one pid per word
    kill $pids 2>/dev/null || true
    status=1
  fi
  unmount_below "$target_root"
  if [[ "${SVOM_CONVERGE_KEEP:-0}" != 1 ]]; then
    rm -rf --one-file-system "$target_root"
  fi
  exit "$status"
}
trap cleanup EXIT

# --- pristine root: cached tarball, or debootstrap ----------------------------------------------

unmount_below "$target_root"
rm -rf --one-file-system "$target_root"
tarball="$(pristine_root_tarball "$work_dir" "$mirror" "$log_dir")" || fail "could not build the pristine $suite root"
echo "==> Unpacking cached $suite root $tarball"
started=$(now)
mkdir -p "$target_root"
tar --extract --gzip --numeric-owner --file "$tarball" --directory "$target_root"
record_timing "unpack cached root" $(($(now) - started))

# --- what the test adds to the root ------------------------------------------------------------

# Debian's documented way to stop package scripts from starting services inside a chroot
# (invoke-rc.d(8)): without it chrony's postinst could start chronyd against this machine's clock.
printf '#!/bin/sh\nexit 101\n' >"$target_root/usr/sbin/policy-rc.d"
chmod 0755 "$target_root/usr/sbin/policy-rc.d"

# A cloud image's swap entry, so the fstab task has something to disable.
echo "/swap.img none swap sw 0 0" >>"$target_root/etc/fstab"

cat >"$inventory" <<EOF
[converge]
$suite-chroot ansible_host=$target_root ansible_connection=community.general.chroot ansible_python_interpreter=/usr/bin/python3
EOF

# --- converge twice ----------------------------------------------------------------------------

export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0

converge() {
  local run="$1" log="$log_dir/converge-$1.log" started status=0
  echo "==> Converge run $run (log: $log)"
  started=$(now)
  (cd "$repo_root" && ansible-playbook --inventory "$inventory" playbooks/converge-chroot.yml \
    --extra-vars svom_skip_live_system_tasks=true) 2>&1 | tee "$log" || status=$?
  record_timing "converge run $run" $(($(now) - started))
  return "$status"
}

# Prints "ok changed unreachable failed" from the single host line of the log's PLAY RECAP.
recap_counts() {
  local log="$1" lines
  lines="$(awk '/^PLAY RECAP/ { recap = 1; next } recap && / : ok=/' "$log")"
  [[ -n "$lines" && "$(wc -l <<<"$lines")" -eq 1 ]] || return 1
  local key
  for key in ok changed unreachable failed; do
    sed -nE "s/.*[[:space:]]$key=([0-9]+).*/\1/p" <<<"$lines"
  done | paste -sd' '
}

converge 1 || fail "converge run 1 failed (exit status $?)"
counts="$(recap_counts "$log_dir/converge-1.log")" || fail "no single PLAY RECAP host line in run 1"
read -r ok1 changed1 unreachable1 failed1 <<<"$counts"
((failed1 == 0 && unreachable1 == 0)) || fail "run 1: failed=$failed1 unreachable=$unreachable1"
# A first run on a pristine root that changes nothing means the roles did not really run.
((changed1 > 0)) || fail "run 1 changed nothing on a pristine root: the roles did not apply"

converge 2 || fail "converge run 2 failed (exit status $?)"
counts="$(recap_counts "$log_dir/converge-2.log")" || fail "no single PLAY RECAP host line in run 2"
read -r ok2 changed2 unreachable2 failed2 <<<"$counts"

idempotent=true
((changed2 == 0 && failed2 == 0 && unreachable2 == 0)) || idempotent=false

# --- what the converge left in the root --------------------------------------------------------

checks_failed=0
check() {
  local description="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    echo "    ok    $description"
  else
    echo "    FAIL  $description"
    checks_failed=$((checks_failed + 1))
  fi
}
in_root() { chroot "$target_root" "$@"; }
no_active_swap_entry() { ! grep -Eq '^[[:space:]]*[^#[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+swap[[:space:]]' "$1"; }
mode_is() { [[ "$(stat --format=%a "$2")" == "$1" ]]; }
sysctl_file="$target_root/etc/sysctl.d/90-kubernetes.conf"

echo "==> Checking the converged root"
check "chrony and containerd installed" in_root dpkg-query --show chrony containerd
check "chrony.service enabled" in_root systemctl is-enabled chrony.service
check "containerd.service enabled" in_root systemctl is-enabled containerd.service
check "no active swap entry in /etc/fstab" no_active_swap_entry "$target_root/etc/fstab"
check "seeded swap entry commented out" grep -Fxq "# /swap.img none swap sw 0 0" "$target_root/etc/fstab"
check "overlay loaded at boot" grep -Fxq overlay "$target_root/etc/modules-load.d/k8s.conf"
check "br_netfilter loaded at boot" grep -Fxq br_netfilter "$target_root/etc/modules-load.d/k8s.conf"
for setting in net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 \
  net.ipv4.ip_forward=1 vm.overcommit_memory=1 vm.panic_on_oom=0 kernel.panic=10 \
  kernel.panic_on_oops=1 kernel.keys.root_maxkeys=1000000 kernel.keys.root_maxbytes=25000000; do
  check "sysctl ${setting} persisted" grep -Fxq "${setting%%=*} = ${setting#*=}" "$sysctl_file"
done
# containerd parses the file itself: proves the TOML is valid and the keys land where it reads them.
containerd_config="$(in_root containerd --config /etc/containerd/config.toml config dump 2>&1 || true)"
check "containerd config: runc uses SystemdCgroup = true" grep -Eq '^[[:space:]]*SystemdCgroup = true$' <<<"$containerd_config"
check "containerd config: sandbox image set" grep -Eq '^[[:space:]]*sandbox_image = "registry\.k8s\.io/pause:' <<<"$containerd_config"
check "containerd config mode 0644" mode_is 644 "$target_root/etc/containerd/config.toml"
check "crictl points at the containerd socket" grep -Fxq "runtime-endpoint: unix:///run/containerd/containerd.sock" "$target_root/etc/crictl.yaml"

# --- summary -----------------------------------------------------------------------------------

record_timing "total" $(($(now) - script_started))
echo
# Captured first: piping ansible --version into head breaks its pipe and prints a traceback.
ansible_version="$(ansible --version)"
echo "==> Summary (${ansible_version%%$'\n'*}, $suite root from $mirror)"
echo "    run 1: ok=$ok1 changed=$changed1 failed=$failed1 unreachable=$unreachable1"
echo "    run 2: ok=$ok2 changed=$changed2 failed=$failed2 unreachable=$unreachable2"
printf '    %s\n' "${timings[@]}"
status=0
if [[ "$idempotent" != true ]]; then
  echo "converge-chroot: NOT idempotent: run 2 reported changed=$changed2 failed=$failed2 (want 0 and 0)" >&2
  grep -E '^(changed|failed|fatal):' "$log_dir/converge-2.log" -B1 >&2 || true
  status=1
fi
if ((checks_failed > 0)); then
  echo "converge-chroot: $checks_failed check(s) of the converged root failed" >&2
  status=1
fi
((status == 0)) && echo "converge-chroot: passed (second run changed=0 failed=0, root checks ok)"
exit "$status"
