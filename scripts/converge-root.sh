#!/usr/bin/env bash
# Sourced, not run: the pristine Debian 12 root the converge tests start from, shared by
# scripts/converge-chroot.sh (one root, the node roles) and scripts/cluster-standin/ (one root per host).
#
# pristine_root_tarball MIRROR LOG_DIR prints the path of a tarball of a debootstrap root
# (bookworm, minbase, +python3,python3-apt,systemd), building and caching it under $SVOM_ROOT_CACHE_DIR
# (default /var/tmp/svom-roots) on first use. The cache key covers everything the root is built from, so a
# different mirror or package set rebuilds. One cache for both users: on a fresh machine (CI) a second
# debootstrap of the same root cost a minute or two of the two cores the whole test command shares.

converge_root_suite=bookworm
converge_root_variant=minbase
# python3 and python3-apt: Ansible's modules, apt among them; systemd: systemctl, which the service
# tasks call. A Debian cloud image has all three.
converge_root_packages=python3,python3-apt,systemd

# The mirror this machine's apt already uses: the Debian archive entry for the host's own release.
# The archive URL serves every suite, so it serves bookworm whatever the host runs.
host_debian_mirror() {
  local codename
  # shellcheck source=/dev/null
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [[ -n "$codename" ]] || return 1
  /usr/bin/python3 - "$codename" <<'PY'
import glob, os, re, sys

codename = sys.argv[1]

def one_line_entries():
    files = [f for f in ["/etc/apt/sources.list"] if os.path.exists(f)]
    for path in files + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        for line in open(path, encoding="utf-8"):
            match = re.match(r"deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line.split("#", 1)[0].strip())
            if match:
                yield match.group(1), [match.group(2)]

def deb822_entries():
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for stanza in re.split(r"\n\s*\n", open(path, encoding="utf-8").read()):
            fields, key = {}, None
            for line in stanza.splitlines():
                if line.startswith("#"):
                    continue
                if line[:1] in (" ", "\t") and key:
                    fields[key] += " " + line.strip()
                elif ":" in line:
                    key, value = line.split(":", 1)
                    key = key.strip().lower()
                    fields[key] = value.strip()
            if "deb" in fields.get("types", "").split() and fields.get("enabled", "yes").lower() != "no":
                for uri in fields.get("uris", "").split():
                    yield uri, fields.get("suites", "").split()

for uri, suites in list(deb822_entries()) + list(one_line_entries()):
    if codename in suites and uri.startswith(("http://", "https://")):
        print(uri.rstrip("/"))
        sys.exit(0)
sys.exit(1)
PY
}

# Nothing is mounted into the root (the roles need neither /proc nor /dev beyond what debootstrap
# creates), but a package script could mount something: unmount whatever sits under the root.
unmount_below() {
  local root="$1" mount_point
  findmnt --raw --noheadings --output TARGET | awk -v root="$root" 'index($0, root "/") == 1 || $0 == root' \
    | sort --reverse | while read -r mount_point; do
      umount --lazy "$mount_point" || echo "$(basename "$0"): could not unmount $mount_point" >&2
    done
}

# Processes whose root directory is the chroot: a package script that started a daemon despite
# policy-rc.d. They would keep running on this machine, so report them, then stop them by pid.
processes_in_root() {
  local root="$1" proc_root pid
  for proc_root in /proc/[0-9]*/root; do
    pid="${proc_root#/proc/}"
    pid="${pid%/root}"
    [[ "$(readlink "$proc_root" 2>/dev/null || true)" == "$root" ]] && echo "$pid"
  done
  return 0
}

pristine_root_tarball() {
  local mirror="$1" log_dir="$2"
  local cache_dir="${SVOM_ROOT_CACHE_DIR:-/var/tmp/svom-roots}"
  local suite="$converge_root_suite" variant="$converge_root_variant" include_packages="$converge_root_packages"
  local cache_key tarball building lock status=0
  cache_key="$(printf '%s\n' "$suite" "$variant" "$include_packages" "$mirror" | sha256sum | cut -c1-12)"
  mkdir -p "$cache_dir"
  tarball="$cache_dir/$suite-$variant-$cache_key.tar.gz"
  # The harness and the converge test run side by side in scripts/test-all.sh: the second caller waits for the
  # first one's build instead of starting its own.
  exec {lock}>"$tarball.lock"
  flock "$lock"
  if [[ ! -f "$tarball" ]]; then
    echo "==> No cached root: debootstrap $suite ($variant, +$include_packages) from $mirror" >&2
    building="$cache_dir/$suite-$variant-$cache_key.building"
    rm -rf --one-file-system "$building"
    if debootstrap --variant="$variant" --include="$include_packages" "$suite" "$building" "$mirror" \
      >"$log_dir/debootstrap.log" 2>&1; then
      chroot "$building" apt-get clean
      tar --create --gzip --numeric-owner --file "$tarball.partial" --directory "$building" .
      mv "$tarball.partial" "$tarball"
    else
      tail -n 30 "$log_dir/debootstrap.log" >&2
      echo "debootstrap failed, full log: $log_dir/debootstrap.log" >&2
      status=1
    fi
    rm -rf --one-file-system "$building"
  fi
  exec {lock}>&-
  ((status == 0)) || return "$status"
  echo "$tarball"
}
