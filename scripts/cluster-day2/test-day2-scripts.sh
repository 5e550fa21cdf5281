#!/usr/bin/env bash
# Runs the two day-2 scripts the roles install, rendered from their real templates, against
# STAND-IN commands on the PATH and the S3 stand-in (s3-standin.py), and checks what they do:
# - svom-etcd-backup: snapshot, etcdutl check, upload signed with curl --aws-sigv4 (the store
#   recomputes the signature), retention, refusal of a corrupt snapshot and of wrong keys;
# - svom-renew-kubeadm-certs: nothing while more than 60 days remain, renew + restart of the
#   control-plane containers below, and nothing again after.
# Needs ansible (to render the templates the way the roles do), curl, python3. About 15 s.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo_root/scripts/cluster-day2"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=scripts/named-check.sh
. "$repo_root/scripts/named-check.sh"

render() { # <role> <template> <dest> <extra vars as JSON>
  ANSIBLE_NOCOLOR=1 ansible localhost -c local -i localhost, -m ansible.builtin.template \
    -a "src=$repo_root/playbooks/roles/$1/templates/$2 dest=$3 mode=0755" -e "$4" >/dev/null
}

# --- stand-in commands -------------------------------------------------------------------------
bin="$work/bin"
mkdir -p "$bin"
# date: one second later at each call, so successive runs get distinct snapshot names.
cat >"$bin/date" <<'SH'
#!/bin/sh
n=$(cat "$STANDIN_STATE/clock" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"$STANDIN_STATE/clock"
printf '20270101T0000%02dZ\n' "$n"
SH
# etcdctl snapshot save <file>: writes a snapshot, or garbage when told to (a broken member).
cat >"$bin/etcdctl" <<'SH'
#!/bin/sh
for last; do :; done
if [ -e "$STANDIN_STATE/corrupt" ]; then echo garbage >"$last"; else echo "etcd snapshot $(cat "$STANDIN_STATE/clock")" >"$last"; fi
SH
# etcdutl snapshot status <file>: fails on a file that is not a snapshot, as the real one does on a bad hash.
cat >"$bin/etcdutl" <<'SH'
#!/bin/sh
grep -q '^etcd snapshot' "$3" || { echo "Error: snapshot file integrity check failed" >&2; exit 1; }
echo '{"hash":1,"revision":2,"totalKey":3,"totalSize":4}'
SH
# kubeadm certs: residual time from a file; renew all puts it back to 365 days.
cat >"$bin/kubeadm" <<'SH'
#!/bin/sh
case "$*" in
  "certs check-expiration --output=json")
    left=$(cat "$STANDIN_STATE/residual")
    printf '{"kind":"CertificateExpirationInfo","apiVersion":"output.kubeadm.k8s.io/v1alpha3","certificates":[{"name":"apiserver","expirationDate":"x","residualTime":%s,"externallyManaged":false,"missing":false},{"name":"admin.conf","expirationDate":"x","residualTime":%s,"externallyManaged":false,"missing":false},{"name":"front-proxy-client","residualTime":0,"externallyManaged":true,"missing":false}]}\n' "$left" "$((left + 60))" ;;
  "certs renew all") echo $((365 * 86400)) >"$STANDIN_STATE/residual"; echo renew >>"$STANDIN_STATE/calls" ;;
  *) echo "kubeadm stand-in: $* not simulated" >&2; exit 2 ;;
esac
SH
cat >"$bin/crictl" <<'SH'
#!/bin/sh
case "$1" in
  ps) echo "container-$3" ;;
  stop) echo "stop $2" >>"$STANDIN_STATE/calls" ;;
esac
SH
chmod +x "$bin"/*
export STANDIN_STATE="$work/state" PATH="$bin:$PATH"
mkdir -p "$STANDIN_STATE"

# --- etcd backup ---------------------------------------------------------------------------------
echo "==> svom-etcd-backup against the S3 stand-in"
python3 "$here/s3-standin.py" "$work/store" "$work/port" fsgs-test-etcd-backups default AKTEST SKTEST 2>"$work/s3.log" &
server_pid=$!
for _ in $(seq 50); do [[ -s "$work/port" ]] && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(cat "$work/port")"
mkdir -p "$work/etc"
printf 'user = "AKTEST:SKTEST"\n' >"$work/etc/etcd-backup.curlrc"
vars() { printf '{"etcd_backup_endpoint":"%s","etcd_backup_region":"default","etcd_backup_bucket":"fsgs-test-etcd-backups","etcd_backup_prefix":"fsgs-test","etcd_backup_keep":3,"etcd_backup_schedule":"hourly","etcd_backup_local_dir":"%s","etcd_backup_config_dir":"%s","etcd_backup_textfile_dir":"%s"}' "$endpoint" "$work/local" "$work/etc" "$work/textfile"; }
render etcd_backup etcd-backup.sh.j2 "$work/backup" "$(vars)"
objects() { find "$work/store" -type f | sort; }
for run in 1 2 3 4; do "$work/backup" >"$work/backup-$run.log" 2>&1 || echo "run $run failed: $(cat "$work/backup-$run.log")"; done
host=localhost
check "four runs with keep=3 leave the three newest snapshots" test "$(objects | sed "s#^$work/store/##" | paste -sd' ')" = "fsgs-test/$host/etcd-20270101T000002Z.db fsgs-test/$host/etcd-20270101T000003Z.db fsgs-test/$host/etcd-20270101T000004Z.db"
check "the stored object is the snapshot etcdctl wrote" grep -qx "etcd snapshot 4" "$work/store/fsgs-test/$host/etcd-20270101T000004Z.db"
check "only the newest snapshot stays on the node" test "$(find "$work/local" -name '*.db' | wc -l)" -eq 1
check "the store checked every request's signature (no 403)" bash -c "! grep -q '\" 403 ' '$work/s3.log'"
check "a successful run records its time for node-exporter's textfile collector" grep -qE '^fsgs_etcd_snapshot_last_success_timestamp_seconds [0-9]+$' "$work/textfile/etcd-backup.prom"
echo "fsgs_etcd_snapshot_last_success_timestamp_seconds 1" >"$work/textfile/etcd-backup.prom"
touch "$STANDIN_STATE/corrupt"
check "a corrupt snapshot fails the run" bash -c "! '$work/backup'"
check "a corrupt snapshot is not uploaded" test "$(objects | wc -l)" -eq 3
check "a failed run leaves the last success's time as it was" grep -qx 'fsgs_etcd_snapshot_last_success_timestamp_seconds 1' "$work/textfile/etcd-backup.prom"
rm "$STANDIN_STATE/corrupt"
printf 'user = "AKTEST:wrong"\n' >"$work/etc/etcd-backup.curlrc"
check "wrong S3 keys fail the run" bash -c "! '$work/backup'"
check "wrong S3 keys were refused by the store's signature check" grep -q '" 403 ' "$work/s3.log"

# --- certificate renewal --------------------------------------------------------------------------
echo "==> svom-renew-kubeadm-certs"
render kubeadm_certificates renew-kubeadm-certs.py.j2 "$work/renew" '{"kubeadm_certificates_renew_before_days":60}'
echo $((61 * 86400)) >"$STANDIN_STATE/residual"
out="$("$work/renew")"
check "61 days left: nothing renewed" test "${out%%:*}" = valid
check "61 days left: kubeadm certs renew not called" test ! -e "$STANDIN_STATE/calls"
echo $((30 * 86400)) >"$STANDIN_STATE/residual"   # the clock at +11 months
out="$("$work/renew")"
check "30 days left (+11 months): renewed" test "${out%%:*}" = renewed
check "renewal restarted the four control-plane containers" test "$(grep -c '^stop container-' "$STANDIN_STATE/calls")" -eq 4
out="$("$work/renew")"
check "the next run finds 365 days and does nothing" test "${out%%:*}" = valid

if ((failures > 0)); then
  echo "test-day2-scripts: $failures check(s) failed" >&2
  exit 1
fi
echo "test-day2-scripts: all checks passed"
