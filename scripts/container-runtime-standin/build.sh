#!/usr/bin/env bash
# Builds STAND-IN release artifacts for the container_runtime role's converge test, in the folder
# layout of the upstream downloads, so that the role's URL templates resolve against a local server:
#   <out>/containerd/containerd/releases/download/v<V>/containerd-<V>-linux-amd64.tar.gz
#   <out>/opencontainers/runc/releases/download/v<R>/runc.amd64
# The containerd in the tarball is ./containerd (a Python stand-in), the shim, ctr and runc are
# scripts that refuse to run. Prints "<containerd sha256> <runc sha256>": the checksums the test
# pins instead of the real ones. Usage: build.sh <out> <containerd version> <runc version>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1" containerd_version="$2" runc_version="$3"

refusing() { printf '#!/bin/sh\necho "%s stand-in (test only): not simulated" >&2\nexit 2\n' "$1"; }

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/bin"
install -m 0755 "$here/containerd" "$staging/bin/containerd"
refusing containerd-shim-runc-v2 >"$staging/bin/containerd-shim-runc-v2"
refusing ctr >"$staging/bin/ctr"
chmod 0755 "$staging/bin/"*
# Makes each version's tarball (and checksum) its own, as real releases are.
echo "containerd stand-in $containerd_version" >"$staging/STANDIN-VERSION"

containerd_dir="$out/containerd/containerd/releases/download/v$containerd_version"
runc_dir="$out/opencontainers/runc/releases/download/v$runc_version"
mkdir -p "$containerd_dir" "$runc_dir"
# Fixed owner and mtime: the same inputs give the same bytes, so the same checksum on every build.
tar --create --gzip --owner=0 --group=0 --numeric-owner --mtime=2026-01-01 --sort=name \
  --file "$containerd_dir/containerd-$containerd_version-linux-amd64.tar.gz" --directory "$staging" bin STANDIN-VERSION
refusing runc >"$runc_dir/runc.amd64"

sha() { sha256sum "$1" | cut -d' ' -f1; }
echo "$(sha "$containerd_dir/containerd-$containerd_version-linux-amd64.tar.gz") $(sha "$runc_dir/runc.amd64")"
