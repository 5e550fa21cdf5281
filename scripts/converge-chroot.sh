#!/usr/bin/env bash
# Converge test of the node roles: applies playbooks/converge-chroot.yml (os_baseline,
# container_runtime) to a fresh Debian 12 (bookworm) root through the community.general.chroot
# connection, twice, and fails unless the first run succeeds, the second reports changed=0 and
# failed=0, and the root ends up configured as expected. A third run pins a wrong checksum for a
# new containerd version and must fail before that version is unpacked or linked.
#
# containerd and runc come from STAND-IN release artifacts (scripts/container-runtime-standin/)
# served on 127.0.0.1 in the upstream download layout, with their own checksums pinned: github.com
# is out of reach here. The role's download, checksum, unpack and link steps run for real.
#
# Must run as root on a Debian machine. Debian 12 packages it needs:
#   apt-get install -y ansible debootstrap
# (ansible brings ansible-core plus the community.general and ansible.posix collections.)
#
# The pristine root is cached as a tarball under $SVOM_ROOT_CACHE_DIR (default /var/tmp/svom-roots), shared
# with the cluster harness: the first run pays for debootstrap, later runs unpack the tarball. Delete the
# tarball to rebuild.
#
# Environment:
#   SVOM_CONVERGE_DIR    working directory (default /var/tmp/svom-converge)
#   SVOM_ROOT_CACHE_DIR  the pristine root's cache (default /var/tmp/svom-roots)
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
  [[ -n "${artifact_server_pid:-}" ]] && kill "$artifact_server_pid" 2>/dev/null
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
tarball="$(pristine_root_tarball "$mirror" "$log_dir")" || fail "could not build the pristine $suite root"
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

# --- stand-in release downloads ----------------------------------------------------------------

standin_dir="$repo_root/scripts/container-runtime-standin"
artifacts="$work_dir/artifacts"
containerd_version=2.3.4 runc_version=1.4.3 tampered_version=2.3.5
rm -rf "$artifacts" && mkdir -p "$artifacts"
read -r containerd_sha256 runc_sha256 < <("$standin_dir/build.sh" "$artifacts" "$containerd_version" "$runc_version")
"$standin_dir/build.sh" "$artifacts" "$tampered_version" "$runc_version" >/dev/null
rm -f "$work_dir/artifact-port"
python3 "$standin_dir/serve.py" "$artifacts" "$work_dir/artifact-port" 2>"$log_dir/artifact-server.log" &
artifact_server_pid=$!
for _ in $(seq 50); do [[ -s "$work_dir/artifact-port" ]] && break; sleep 0.1; done
[[ -s "$work_dir/artifact-port" ]] || fail "the stand-in artifact server did not start"
artifact_base_url="http://127.0.0.1:$(cat "$work_dir/artifact-port")"

# --- converge twice ----------------------------------------------------------------------------

export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0

converge() {
  local run="$1" log="$log_dir/converge-$1.log" started status=0
  shift
  echo "==> Converge run $run (log: $log)"
  started=$(now)
  (cd "$repo_root" && ansible-playbook --inventory "$inventory" playbooks/converge-chroot.yml \
    --extra-vars svom_skip_live_system_tasks=true \
    --extra-vars "container_runtime_download_base_url=$artifact_base_url" \
    --extra-vars "container_runtime_containerd_version=$containerd_version container_runtime_containerd_sha256=$containerd_sha256" \
    --extra-vars "container_runtime_runc_version=$runc_version container_runtime_runc_sha256=$runc_sha256" \
    "$@") 2>&1 | tee "$log" || status=$?
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

# Run 3: a new containerd version whose download does not match its pinned sha256 (the 2.3.4
# stand-in's checksum pinned for the 2.3.5 stand-in). It must fail at the download.
tampered_status=0
converge 3 --extra-vars "container_runtime_containerd_version=$tampered_version" >/dev/null || tampered_status=$?

# --- what the converge left in the root --------------------------------------------------------

# shellcheck source=scripts/named-check.sh
. "$repo_root/scripts/named-check.sh"
in_root() { chroot "$target_root" "$@"; }
no_active_swap_entry() { ! grep -Eq '^[[:space:]]*[^#[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+swap[[:space:]]' "$1"; }
mode_is() { [[ "$(stat --format=%a "$2")" == "$1" ]]; }
not_installed() { ! in_root dpkg-query --show --showformat='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed; }
sysctl_file="$target_root/etc/sysctl.d/90-kubernetes.conf"

echo "==> Checking the converged root"
check "chrony installed" in_root dpkg-query --show chrony
check "containerd $containerd_version linked from its version folder" \
  test "$(readlink "$target_root/usr/local/bin/containerd")" = "/opt/containerd/$containerd_version/bin/containerd"
check "runc installed, mode 0755" mode_is 755 "$target_root/usr/local/sbin/runc"
check "no distribution containerd package" not_installed containerd
check "containerd unit runs /usr/local/bin/containerd" grep -Fxq "ExecStart=/usr/local/bin/containerd" "$target_root/etc/systemd/system/containerd.service"
check "run 3 (wrong checksum) failed" test "$tampered_status" -ne 0
check "run 3 failed at the checksum" grep -q "did not match $containerd_sha256; it was" "$log_dir/converge-3.log"
check "run 3 left no $tampered_version download" test ! -e "$target_root/var/cache/svom-downloads/containerd-$tampered_version-linux-amd64.tar.gz"
check "run 3 unpacked nothing" test ! -e "$target_root/opt/containerd/$tampered_version"
check "run 3 left containerd on $containerd_version" \
  test "$(readlink "$target_root/usr/local/bin/containerd")" = "/opt/containerd/$containerd_version/bin/containerd"
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
# The stand-in containerd parses the file as TOML and prints each key's full path: the keys must sit
# where containerd 2.x reads them (containerd docs/cri/config.md, config version 3).
containerd_config="$(in_root /usr/local/bin/containerd --config /etc/containerd/config.toml config dump 2>&1 || true)"
cri_runtime="plugins.'io.containerd.cri.v1.runtime'"
check "containerd config: version 3" grep -Fxq "version = 3" <<<"$containerd_config"
check "containerd config: runc uses SystemdCgroup = true" grep -Fxq "$cri_runtime.containerd.runtimes.runc.options.SystemdCgroup = true" <<<"$containerd_config"
check "containerd config: runc is the pinned one" grep -Fxq "$cri_runtime.containerd.runtimes.runc.options.BinaryName = '/usr/local/sbin/runc'" <<<"$containerd_config"
check "containerd config: sandbox image pinned" grep -Eq "^plugins\.'io\.containerd\.cri\.v1\.images'\.pinned_images\.sandbox = 'registry\.k8s\.io/pause:" <<<"$containerd_config"
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
if ((failures > 0)); then
  echo "converge-chroot: $failures check(s) of the converged root failed" >&2
  status=1
fi
((status == 0)) && echo "converge-chroot: passed (second run changed=0 failed=0, root checks ok)"
exit "$status"
