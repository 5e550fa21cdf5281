#!/usr/bin/env bash
# Sourced by harness.sh: what the day-2 roles need from the outside world, as STAND-INS served locally.
# - containerd and runc release downloads (scripts/container-runtime-standin/build.sh) and an etcd release
#   tarball whose etcdctl/etcdutl launch the stand-ins, in the upstream layout under the package server, with
#   their own sha256 pinned through extra vars (the roles' get_url still checks them);
# - the site's S3 object storage (scripts/cluster-day2/s3-standin.py, which checks SigV4 signatures) and the
#   etcd backup's key file the program writes beside the inventory on the bastion.
# shellcheck disable=SC2317 # functions are called by harness.sh and the scenario scripts

STANDIN_CONTAINERD_VERSION=2.3.4
STANDIN_RUNC_VERSION=1.4.3
STANDIN_ETCD_VERSION=3.6.14
STANDIN_S3_BUCKET=fsgs-standin-etcd-backups
STANDIN_S3_ACCESS_KEY=AKSTANDIN
STANDIN_S3_SECRET_KEY=SKSTANDIN-not-a-secret
standin_s3_pid=""

standin_day2_setup() {
  local repo="$standin_repo_root"
  read -r STANDIN_CONTAINERD_SHA STANDIN_RUNC_SHA < <("$repo/scripts/container-runtime-standin/build.sh" \
    "$STANDIN_WWW" "$STANDIN_CONTAINERD_VERSION" "$STANDIN_RUNC_VERSION")
  local staging name="etcd-v$STANDIN_ETCD_VERSION-linux-amd64" dir="$STANDIN_WWW/etcd-io/etcd/releases/download/v$STANDIN_ETCD_VERSION"
  staging="$(mktemp -d)"
  mkdir -p "$staging/$name" "$dir"
  local program
  for program in etcdctl etcdutl; do
    printf '#!/bin/sh\n# Stand-in %s (svom-fsgs cluster harness): runs scripts/cluster-standin/standins/%s.py.\nexec /usr/bin/python3 /run/svom-standin/lib/standin.py %s "$@"\n' \
      "$program" "$program" "$program" >"$staging/$name/$program"
  done
  printf '#!/bin/sh\necho "etcd stand-in: the server runs as a static pod, not modelled" >&2\nexit 2\n' >"$staging/$name/etcd"
  chmod 0755 "$staging/$name"/*
  tar --create --gzip --owner=0 --group=0 --numeric-owner --mtime=2026-01-01 --sort=name \
    --file "$dir/$name.tar.gz" --directory "$staging" "$name"
  rm -rf "$staging"
  STANDIN_ETCD_SHA="$(sha256sum "$dir/$name.tar.gz" | cut -d' ' -f1)"

  rm -rf "$STANDIN_DIR/s3" "$STANDIN_DIR/s3-port"
  python3 "$repo/scripts/cluster-day2/s3-standin.py" "$STANDIN_DIR/s3" "$STANDIN_DIR/s3-port" "$STANDIN_S3_BUCKET" default \
    "$STANDIN_S3_ACCESS_KEY" "$STANDIN_S3_SECRET_KEY" 2>"$STANDIN_LOGS/s3.log" &
  standin_s3_pid=$!
  local attempt
  for attempt in $(seq 50); do [[ -s "$STANDIN_DIR/s3-port" ]] && break; sleep 0.1; done
  [[ -s "$STANDIN_DIR/s3-port" ]] || standin_fail "the S3 stand-in did not start (attempt $attempt): $STANDIN_LOGS/s3.log"
  # What the program's EtcdBackupCredentials writes on the bastion, beside the inventory.
  printf '{"access_key": "%s", "secret_key": "%s"}\n' "$STANDIN_S3_ACCESS_KEY" "$STANDIN_S3_SECRET_KEY" \
    >"$(dirname "$STANDIN_INVENTORY")/etcd-backup-credentials.json"
}

standin_s3_url() { echo "http://127.0.0.1:$(cat "$STANDIN_DIR/s3-port")"; }

# Extra-vars entries (each starting with a comma) for standin_extra_vars.
standin_day2_extra_vars() {
  cat <<EOF2
 ,"container_runtime_download_base_url": "http://127.0.0.1:$standin_port"
 ,"container_runtime_containerd_version": "$STANDIN_CONTAINERD_VERSION", "container_runtime_containerd_sha256": "$STANDIN_CONTAINERD_SHA"
 ,"container_runtime_runc_version": "$STANDIN_RUNC_VERSION", "container_runtime_runc_sha256": "$STANDIN_RUNC_SHA"
 ,"etcd_backup_download_base_url": "http://127.0.0.1:$standin_port"
 ,"etcd_backup_etcd_version": "$STANDIN_ETCD_VERSION", "etcd_backup_etcd_sha256": "$STANDIN_ETCD_SHA"
 ,"etcd_backup_endpoint": "$(standin_s3_url)", "etcd_backup_bucket": "$STANDIN_S3_BUCKET", "etcd_backup_region": "default"
EOF2
}

standin_day2_cleanup() {
  if [[ -n "$standin_s3_pid" ]]; then
    kill "$standin_s3_pid" 2>/dev/null || true
    wait "$standin_s3_pid" 2>/dev/null || true
  fi
}
