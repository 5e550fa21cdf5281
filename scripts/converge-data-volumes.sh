#!/usr/bin/env bash
# Converge test of playbooks/roles/data_volumes on a real block device: a sparse file behind a loop
# device stands in for the Cinder volume, and a symlink named as udev names a virtio disk by its
# serial (/dev/disk/by-id/virtio-<first 20 characters of the volume ID>) stands in for udev. The role
# runs on this machine (connection local) with its paths moved under $SVOM_CONVERGE_DIR: the device
# lookup, mkfs, blkid, the fstab file and the mounts are real; systemd's reading of the x-systemd
# options at boot is not exercised (no boot here).
#
# Checks: the first run formats and mounts, the second reports changed=0; the fstab names the volume
# by UUID; the bind-mounted directories write to the volume; a volume that already holds a filesystem
# keeps its data; a volume that is not attached fails the run instead of a guessed device.
#
# Must run as root (losetup, mkfs, mount). Debian packages: ansible (with ansible.posix and
# community.general), util-linux, e2fsprogs.
#
# Environment:
#   SVOM_CONVERGE_DIR   working directory (default /var/tmp/svom-converge-data-volumes)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work_dir="${SVOM_CONVERGE_DIR:-/var/tmp/svom-converge-data-volumes}"

fail() {
  echo "converge-data-volumes: $*" >&2
  exit 1
}

((EUID == 0)) || fail "must run as root (losetup, mkfs and mount need it)"
for tool in losetup mkfs.ext4 blkid findmnt ansible-playbook; do
  command -v "$tool" >/dev/null || fail "missing $tool (apt-get install -y ansible util-linux e2fsprogs)"
done

mkdir -p "$work_dir"
exec 9>"$work_dir/.lock"
flock --nonblock 9 || fail "another run holds $work_dir/.lock"

run_dir="$(mktemp -d "$work_dir/run.XXXXXX")"
cleanup() {
  findmnt --raw --noheadings --output TARGET | awk -v root="$run_dir" 'index($0, root "/") == 1' \
    | sort --reverse | while read -r target; do umount "$target" || echo "could not unmount $target" >&2; done
  local image loop
  for image in "$run_dir"/*.img; do
    [[ -e "$image" ]] || continue
    for loop in $(losetup --associated "$image" | cut -d: -f1); do losetup --detach "$loop" || true; done
  done
  rm -rf "$run_dir"
}
trap cleanup EXIT

# One "volume": a sparse file on a loop device, named in by-id as udev names a virtio-blk disk.
new_volume() {
  local volume_id="$1" image="$run_dir/$1.img" loop
  truncate --size 128M "$image"
  loop="$(losetup --find --show "$image")"
  mkdir -p "$run_dir/by-id"
  ln -sfn "$loop" "$run_dir/by-id/virtio-${volume_id:0:20}"
  echo "$loop"
}

# Runs the role against a target root under the run folder; prints the recap's changed count.
converge() {
  local volume_id="$1" root="$2" log="$3"
  mkdir -p "$root/etc"
  [[ -f "$root/etc/fstab" ]] || echo "# converge-data-volumes stand-in fstab" >"$root/etc/fstab"
  cat >"$run_dir/converge.yml" <<YAML
---
- name: Converge the data_volumes role on a loop device
  hosts: converge
  gather_facts: false
  roles:
    - data_volumes
YAML
  cat >"$run_dir/inventory.yml" <<YAML
converge:
  hosts:
    node:
      ansible_connection: local
      ansible_python_interpreter: /usr/bin/python3
      data_volumes_volume_id: "$volume_id"
      data_volumes_by_id_dir: "$run_dir/by-id"
      data_volumes_fstab: "$root/etc/fstab"
      data_volumes_mount_point: "$root/var/lib/node-data"
      data_volumes_binds:
        - { name: containerd, path: "$root/var/lib/containerd", unit: containerd.service }
        - { name: kubelet, path: "$root/var/lib/kubelet", unit: kubelet.service }
YAML
  ANSIBLE_ROLES_PATH="$repo_root/playbooks/roles" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
    ansible-playbook -i "$run_dir/inventory.yml" "$run_dir/converge.yml" >"$log" 2>&1
}

changed_in() { sed -n 's/.*changed=\([0-9]*\).*/\1/p' "$1" | tail -1; }

# --- a blank volume: formatted, mounted, bound; the second run changes nothing ---------------------
volume_id="4f3c1a9e-7b2d-4c8e-9a61-0d5e2f7b8c13"
loop="$(new_volume "$volume_id")"
root="$run_dir/node"
converge "$volume_id" "$root" "$run_dir/first.log" || { cat "$run_dir/first.log"; fail "first run failed"; }
first_changed="$(changed_in "$run_dir/first.log")"
((first_changed > 0)) || fail "first run changed nothing"
converge "$volume_id" "$root" "$run_dir/second.log" || { cat "$run_dir/second.log"; fail "second run failed"; }
second_changed="$(changed_in "$run_dir/second.log")"
[[ "$second_changed" == 0 ]] || { cat "$run_dir/second.log"; fail "second run changed $second_changed tasks; expected 0"; }

uuid="$(blkid --match-tag UUID --output value "$loop")"
[[ -n "$uuid" ]] || fail "the volume has no filesystem"
grep -Eq "^UUID=$uuid[[:space:]]+$root/var/lib/node-data[[:space:]]+ext4[[:space:]]" "$root/etc/fstab" \
  || { cat "$root/etc/fstab"; fail "fstab does not mount the volume by UUID"; }
grep -q "/dev/loop" "$root/etc/fstab" && fail "fstab names the device path instead of the UUID"
[[ "$(findmnt --noheadings --output SOURCE --target "$root/var/lib/node-data")" == "$loop" ]] \
  || fail "the volume is not mounted at $root/var/lib/node-data"
echo written >"$root/var/lib/containerd/probe"
[[ -f "$root/var/lib/node-data/containerd/probe" ]] || fail "containerd's directory does not write to the volume"
grep -Eq "^$root/var/lib/node-data/kubelet[[:space:]]+$root/var/lib/kubelet[[:space:]]+none[[:space:]]+bind,.*x-systemd.required-by=kubelet.service" "$root/etc/fstab" \
  || { cat "$root/etc/fstab"; fail "fstab does not bind kubelet's directory before kubelet.service"; }
echo "converge-data-volumes: blank volume: first run changed=$first_changed, second run changed=0"

# --- a volume that already holds a filesystem with data: kept, not formatted again ------------------
kept_id="9a0b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
kept_loop="$(new_volume "$kept_id")"
mkfs.ext4 -q "$kept_loop"
kept_uuid="$(blkid --match-tag UUID --output value "$kept_loop")"
mkdir -p "$run_dir/seed" && mount "$kept_loop" "$run_dir/seed"
mkdir -p "$run_dir/seed/containerd" && echo precious >"$run_dir/seed/containerd/data"
umount "$run_dir/seed"
converge "$kept_id" "$run_dir/kept" "$run_dir/kept.log" || { cat "$run_dir/kept.log"; fail "run on a formatted volume failed"; }
[[ "$(blkid --match-tag UUID --output value "$kept_loop")" == "$kept_uuid" ]] || fail "a formatted volume was formatted again"
[[ "$(cat "$run_dir/kept/var/lib/containerd/data")" == precious ]] || fail "a formatted volume lost its data"
echo "converge-data-volumes: formatted volume: kept its filesystem and data"

# --- a volume that is not attached: the run fails, naming it, and nothing is mounted ---------------
if converge "0d0d0d0d-0000-4000-8000-000000000000" "$run_dir/missing" "$run_dir/missing.log"; then
  fail "a run for a volume that is not attached succeeded"
fi
grep -q "Cinder volume 0d0d0d0d-0000-4000-8000-000000000000 is not under" "$run_dir/missing.log" \
  || { cat "$run_dir/missing.log"; fail "the failure does not name the missing volume"; }
findmnt --target "$run_dir/missing/var/lib/node-data" --noheadings --output TARGET | grep -q "$run_dir/missing" \
  && fail "something was mounted for a missing volume"
echo "converge-data-volumes: missing volume: refused without guessing a device"
echo "converge-data-volumes: OK"
