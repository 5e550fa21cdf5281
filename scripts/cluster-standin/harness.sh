#!/usr/bin/env bash
# Sourced, not run: the multi-host harness. The real playbooks/site.yml, with the inventory the program renders
# for a stack, runs against one Debian 12 root per host (overlayfs over one cached base root) through the
# community.general.chroot connection. kubeadm, kubelet, kubectl, crictl (stand-in .deb packages from a signed
# local apt repository), etcdctl, cloud-init and the Calico manifests are stand-ins sharing one cluster state
# (scripts/cluster-standin/standins/). See scripts/cluster-standin/README.md for the contract.
#
# Needs root, Debian packages ansible, debootstrap, gnupg, python3; network to the Debian mirror.
# shellcheck disable=SC2317 # functions are called by the scenario scripts that source this file

standin_repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/converge-root.sh
. "$standin_repo_root/scripts/converge-root.sh"
# shellcheck source=scripts/cluster-standin/day2.sh
. "$standin_repo_root/scripts/cluster-standin/day2.sh"

STANDIN_DIR="${SVOM_STANDIN_DIR:-/var/tmp/svom-standin}"
STANDIN_HOSTS="$STANDIN_DIR/hosts"
STANDIN_SHARED="$STANDIN_DIR/shared"
STANDIN_WWW="$STANDIN_DIR/www"
STANDIN_LOGS="$STANDIN_DIR/logs"
STANDIN_INVENTORY="$STANDIN_DIR/inventory.yml"
# Debian packages the roles install from the distribution, pre-installed in the base root as in a prepared
# image: on a 2-core machine ten hosts installing them would take most of the time budget, and their install
# by the roles is what scripts/converge-chroot.sh proves. The roles still run their apt tasks (state: present).
# containerd comes from its release tarball (container_runtime), served by day2.sh.
STANDIN_PREFETCH=(chrony keepalived haproxy curl python3-yaml)
# Inside every root: the shared state and the stand-ins' code (bind mount of $STANDIN_SHARED).
STANDIN_MOUNT=/run/svom-standin
standin_http_pid=""
standin_port=""

# shellcheck source=scripts/named-check.sh
. "$standin_repo_root/scripts/named-check.sh"

standin_log() { echo "cluster-standin: $*" >&2; }
standin_fail() {
  standin_log "FAIL: $*"
  exit 1
}

# standin-ctl on this machine, against the shared state.
standin_ctl() { SVOM_STANDIN_SHARED="$STANDIN_SHARED" python3 "$STANDIN_SHARED/lib/standin.py" standin-ctl "$@"; }

# --- set-up ---------------------------------------------------------------------------------------------------

standin_setup() {
  ((EUID == 0)) || standin_fail "must run as root (chroot and overlay mounts need it)"
  local tool
  for tool in ansible-playbook debootstrap gpg python3 curl; do
    command -v "$tool" >/dev/null || standin_fail "missing $tool (apt-get install -y ansible debootstrap gnupg python3 curl)"
  done
  mkdir -p "$STANDIN_DIR" "$STANDIN_HOSTS" "$STANDIN_SHARED" "$STANDIN_WWW" "$STANDIN_LOGS"
  exec 8>"$STANDIN_DIR/.lock"
  flock --nonblock 8 || standin_fail "another harness run holds $STANDIN_DIR/.lock"
  trap standin_cleanup EXIT
  standin_cleanup_hosts
  standin_install_code
  standin_base_root
  standin_signing_key
  standin_start_http
  standin_day2_setup
}

# The stand-ins' code and a pure-Python PyYAML for them (a minimal root has no python3-yaml).
standin_install_code() {
  rm -rf "$STANDIN_SHARED/lib"
  mkdir -p "$STANDIN_SHARED/lib/vendor"
  cp "$standin_repo_root"/scripts/cluster-standin/standins/*.py "$STANDIN_SHARED/lib/"
  local yaml_dir
  yaml_dir="$(/usr/bin/python3 -c 'import os, yaml; print(os.path.dirname(yaml.__file__))')" \
    || standin_fail "PyYAML missing on this machine (apt-get install python3-yaml; ansible depends on it)"
  mkdir -p "$STANDIN_SHARED/lib/vendor/yaml"
  find "$yaml_dir" -maxdepth 1 -name '*.py' -exec cp {} "$STANDIN_SHARED/lib/vendor/yaml/" \;
}

standin_mirror() {
  local mirror="${SVOM_DEBIAN_MIRROR:-}"
  [[ -n "$mirror" ]] || mirror="$(host_debian_mirror)" || standin_fail "no Debian mirror found; set SVOM_DEBIAN_MIRROR"
  echo "$mirror"
}

# The base root every host's overlay starts from: the converge test's pristine root, its apt lists refreshed
# and the distribution packages the roles install downloaded. Cached as a directory, rebuilt when its inputs
# change or after a day (stale apt lists would make every host refresh them).
standin_base_root() {
  local mirror tarball key
  mirror="$(standin_mirror)"
  tarball="$(pristine_root_tarball "$mirror" "$STANDIN_LOGS")" || standin_fail "no pristine root"
  key="$(printf '%s\n' "$tarball" installed "${STANDIN_PREFETCH[*]}" unsafe-io | sha256sum | cut -c1-12)"
  STANDIN_BASE="$STANDIN_DIR/base-$key"
  if [[ -f "$STANDIN_BASE/.ready" && -z "$(find "$STANDIN_BASE/.ready" -mmin +1440)" ]]; then
    # Fresh apt lists, as a node has after cloud-init's package_update: the roles' cache_valid_time (1 h)
    # then spares every host an apt-get update against the Debian mirror.
    if [[ -n "$(find "$STANDIN_BASE/var/lib/apt/lists" -maxdepth 0 -mmin +40)" ]]; then
      chroot "$STANDIN_BASE" apt-get update -qq >>"$STANDIN_LOGS/base-apt.log" 2>&1 || standin_fail "apt-get update in the base root failed"
      touch "$STANDIN_BASE/var/lib/apt/lists"
    fi
    return
  fi
  standin_log "building the base root $STANDIN_BASE"
  rm -rf --one-file-system "$STANDIN_DIR"/base-*
  mkdir -p "$STANDIN_BASE"
  tar --extract --gzip --numeric-owner --file "$tarball" --directory "$STANDIN_BASE"
  # Debian's way to keep package scripts from starting services in a chroot (invoke-rc.d(8)).
  printf '#!/bin/sh\nexit 101\n' >"$STANDIN_BASE/usr/sbin/policy-rc.d"
  chmod 0755 "$STANDIN_BASE/usr/sbin/policy-rc.d"
  # No fsync per unpacked file, as Debian's container images ship (dpkg(1) --force-unsafe-io): every host's
  # package installs and upgrades go through dpkg, and a throw-away overlay needs no crash safety.
  echo force-unsafe-io >"$STANDIN_BASE/etc/dpkg/dpkg.cfg.d/svom-standin-unsafe-io"
  chroot "$STANDIN_BASE" apt-get update -qq >"$STANDIN_LOGS/base-apt.log" 2>&1 || standin_fail "apt-get update in the base root failed: $STANDIN_LOGS/base-apt.log"
  chroot "$STANDIN_BASE" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${STANDIN_PREFETCH[@]}" \
    >>"$STANDIN_LOGS/base-apt.log" 2>&1 || standin_fail "installing ${STANDIN_PREFETCH[*]} failed: $STANDIN_LOGS/base-apt.log"
  chroot "$STANDIN_BASE" apt-get clean
  # The stand-in cloud-init: the image's cloud-init has long finished when the harness runs.
  install -m 0755 "$standin_repo_root/scripts/cluster-standin/packages/cloud-init" "$STANDIN_BASE/usr/bin/cloud-init"
  mkdir -p "$STANDIN_BASE$STANDIN_MOUNT"
  touch "$STANDIN_BASE/.ready"
}

# The key that signs the stand-in Kubernetes apt repository, as pkgs.k8s.io's key signs the real one: apt in
# each root checks the signature against the key the kubernetes_packages role downloads.
standin_signing_key() {
  export GNUPGHOME="$STANDIN_DIR/gnupg"
  if [[ ! -f "$GNUPGHOME/.ready" ]]; then
    rm -rf "$GNUPGHOME"
    mkdir -m 0700 -p "$GNUPGHOME"
    gpg --batch --quiet --passphrase '' --quick-gen-key "svom-fsgs stand-in packages <standin@invalid>" ed25519 sign never 2>/dev/null \
      || standin_fail "gpg could not make the repository signing key"
    touch "$GNUPGHOME/.ready"
  fi
}

standin_start_http() {
  standin_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  python3 -m http.server --bind 127.0.0.1 --directory "$STANDIN_WWW" "$standin_port" >"$STANDIN_LOGS/http.log" 2>&1 &
  standin_http_pid=$!
  local attempt
  for attempt in $(seq 50); do
    curl --silent --output /dev/null "http://127.0.0.1:$standin_port/" && return
    sleep 0.1
  done
  standin_fail "the local package server did not start (attempt $attempt): $STANDIN_LOGS/http.log"
}

# The Calico release the inventory pins for its Kubernetes minor (components/config/kubernetes-versions.ts), else
# the cni role's default.
standin_calico_version() {
  local pinned=""
  [[ -f "$STANDIN_INVENTORY" ]] && pinned="$(sed -nE 's/^    cni_calico_version: "?([^"]+)"?$/\1/p' "$STANDIN_INVENTORY")"
  [[ -n "$pinned" ]] || pinned="$(sed -nE 's/^cni_calico_version: "?([^"]+)"?$/\1/p' "$standin_repo_root/playbooks/roles/cni/defaults/main.yml")"
  echo "$pinned"
}

# Stand-in kubeadm/kubelet/kubectl/cri-tools packages for VERSION (e.g. 1.35.9), in the per-minor repository
# layout of pkgs.k8s.io (core:/stable:/v1.35/deb/, a flat repository), signed. Idempotent.
standin_packages() {
  local version="$1"
  python3 "$standin_repo_root/scripts/cluster-standin/packages/build.py" \
    --www "$STANDIN_WWW" --version "$version" --revision "${SVOM_STANDIN_PACKAGE_REVISION:-1.1}" \
    --gnupghome "$GNUPGHOME" --calico-dir "$standin_repo_root/scripts/cluster-standin/packages/calico" \
    --calico-version "$(standin_calico_version)" \
    >>"$STANDIN_LOGS/packages.log" 2>&1 || standin_fail "building the stand-in packages for $version failed: $STANDIN_LOGS/packages.log"
}

# --- hosts ----------------------------------------------------------------------------------------------------

standin_host_root() { echo "$STANDIN_HOSTS/$1/root"; }

# A host with an empty disk: an overlay over the base root, its hostname, the shared state mounted.
standin_make_host() {
  local name="$1" dir="$STANDIN_HOSTS/$1"
  rm -f "$STANDIN_DIR/facts/$name"
  mkdir -p "$dir/upper" "$dir/work" "$dir/root"
  mount -t overlay overlay -o "lowerdir=$STANDIN_BASE,upperdir=$dir/upper,workdir=$dir/work" "$dir/root" \
    || standin_fail "overlay mount for $name failed"
  echo "$name" >"$dir/root/etc/hostname"
  mkdir -p "$dir/root$STANDIN_MOUNT"
  mount --bind "$STANDIN_SHARED" "$dir/root$STANDIN_MOUNT"
}

standin_host_exists() { mountpoint -q "$STANDIN_HOSTS/$1/root"; }

standin_remove_host() {
  local dir="$STANDIN_HOSTS/$1"
  unmount_below "$dir/root"
  rm -rf --one-file-system "$dir"
}

# The server is rebuilt with the same name and address and an empty disk; the cluster loses what was on it.
standin_wipe_host() {
  standin_remove_host "$1"
  standin_make_host "$1"
  standin_ctl wipe-host "$1"
}

# A new cluster: no state, no hosts.
standin_new_world() {
  standin_cleanup_hosts
  rm -rf "$STANDIN_DIR/facts"
  rm -f "$STANDIN_SHARED/state.json"
  standin_ctl clock show >/dev/null
}

# Renders the stack's inventory (extra arguments: --set key.path=value) and makes a root for every new host.
standin_render() {
  local stack="$1" line group name address
  shift
  local -a args=()
  local assignment
  for assignment in "$@"; do args+=(--set "$assignment"); done
  STANDIN_NODES="$(cd "$standin_repo_root" && node_modules/.bin/tsx scripts/cluster-standin/render-inventory.ts \
    --stack "$stack" --roots "$STANDIN_HOSTS" --out "$STANDIN_INVENTORY" "${args[@]}")" \
    || standin_fail "rendering the $stack inventory failed"
  while read -r group name address; do
    [[ -n "$name" ]] || continue
    standin_host_exists "$name" || standin_make_host "$name"
  done <<<"$STANDIN_NODES"
  local version
  version="$(sed -nE 's/^    kubernetes_version: "?([0-9.]+)"?$/\1/p' "$STANDIN_INVENTORY")"
  [[ -n "$version" ]] || standin_fail "no kubernetes_version in the rendered inventory"
  standin_packages "$version"
  : "$group" "$address"
}

# Names of the rendered hosts of a group (control_plane or workers), in inventory order.
standin_group() { awk -v group="$1" '$1 == group { print $2 }' <<<"$STANDIN_NODES"; }

# --- runs -----------------------------------------------------------------------------------------------------

# Where the stand-in sources are, instead of pkgs.k8s.io and raw.githubusercontent.com.
standin_extra_vars() {
  cat <<EOF
{"svom_skip_live_system_tasks": true,
 "kubernetes_packages_repo_url": "http://127.0.0.1:$standin_port/core:/stable:/v{{ kubernetes_packages_minor }}/deb/",
 "cni_calico_manifests_url": "http://127.0.0.1:$standin_port/calico/v{{ cni_calico_version }}/manifests"
$(standin_day2_extra_vars)}
EOF
}

# standin_run LABEL [ansible-playbook arguments]: runs site.yml; sets STANDIN_RC, STANDIN_LOG, and the
# counts STANDIN_HOSTS_TOUCHED (hosts with a task run), STANDIN_TASKS (ok+changed summed over hosts),
# STANDIN_CHANGED, STANDIN_FAILED.
standin_run() {
  local label="$1"
  shift
  STANDIN_LOG="$STANDIN_LOGS/$label.log"
  local started=$SECONDS
  STANDIN_RC=0
  # Pipelining and a fact cache: the machine's time goes to Python starting in chroots, not to the roles.
  (cd "$standin_repo_root" && ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0 \
    ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks PROFILE_TASKS_TASK_OUTPUT_LIMIT=8 \
    ANSIBLE_CONFIG="$standin_repo_root/playbooks/ansible.cfg" ANSIBLE_PIPELINING=True ANSIBLE_GATHERING=smart ANSIBLE_CACHE_PLUGIN=jsonfile \
    ANSIBLE_CACHE_PLUGIN_CONNECTION="$STANDIN_DIR/facts" ANSIBLE_CACHE_PLUGIN_TIMEOUT=86400 \
    ansible-playbook --inventory "$STANDIN_INVENTORY" "${STANDIN_PLAYBOOK:-playbooks/site.yml}" \
    --extra-vars "$(standin_extra_vars)" "$@") >"$STANDIN_LOG" 2>&1 || STANDIN_RC=$?
  STANDIN_SECONDS=$((SECONDS - started))
  read -r STANDIN_HOSTS_TOUCHED STANDIN_TASKS STANDIN_CHANGED STANDIN_FAILED < <(awk '
    /^PLAY RECAP/ { recap = 1; next }
    recap && / : ok=/ {
      ok = changed = failed = unreachable = 0
      for (i = 1; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "ok") ok = kv[2]; else if (kv[1] == "changed") changed = kv[2]
        else if (kv[1] == "failed") failed = kv[2]; else if (kv[1] == "unreachable") unreachable = kv[2]
      }
      if (ok + failed + unreachable > 0) hosts++
      tasks += ok; changes += changed; failures += failed + unreachable
    }
    END { print hosts + 0, tasks + 0, changes + 0, failures + 0 }' "$STANDIN_LOG")
}

# Prints the PLAY RECAP of the last run and the tail of the log around the first failure.
standin_show_failure() {
  grep -E -B2 -A12 '^(fatal|failed):' "$STANDIN_LOG" | head -60 >&2 || true
  sed -n '/^PLAY RECAP/,$p' "$STANDIN_LOG" >&2
}

# --- clean-up -------------------------------------------------------------------------------------------------

standin_cleanup_hosts() {
  local dir pids
  for dir in "$STANDIN_HOSTS"/*/; do
    [[ -d "$dir" ]] || continue
    pids="$(processes_in_root "${dir}root")"
    if [[ -n "$pids" ]]; then
      standin_log "processes left running in ${dir}root: $(tr '\n' ' ' <<<"$pids")"
      # shellcheck disable=SC2086 # one pid per word
      kill $pids 2>/dev/null || true
    fi
    unmount_below "${dir}root"
    rm -rf --one-file-system "$dir"
  done
}

standin_cleanup() {
  local status=$?
  standin_day2_cleanup
  if [[ -n "$standin_http_pid" ]]; then
    kill "$standin_http_pid" 2>/dev/null || true
    wait "$standin_http_pid" 2>/dev/null || true
  fi
  if [[ "${SVOM_STANDIN_KEEP:-0}" != 1 ]]; then
    standin_cleanup_hosts
  fi
  exit "$status"
}
