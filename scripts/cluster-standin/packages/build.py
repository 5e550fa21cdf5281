"""Builds the stand-in package sources the harness serves on 127.0.0.1 (scripts/cluster-standin/harness.sh):

- www/core:/stable:/v<minor>/deb/: a flat apt repository laid out like pkgs.k8s.io's, with kubeadm, kubelet,
  kubectl and cri-tools at <version>-<revision>, whose programs are launchers of the stand-ins; Release signed
  into InRelease with the harness's key, published as Release.key (the kubernetes_packages role's keyring);
- www/calico/v<calico>/manifests/: the stand-in Calico manifests.

Idempotent: the packages are rebuilt byte for byte; the index covers every package in the directory."""
import argparse
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import time

LAUNCHER = """#!/bin/sh
# Stand-in {program} {version} (svom-fsgs cluster harness, scripts/cluster-standin/README.md): the real
# {program} needs a machine and the network; this one runs scripts/cluster-standin/standins/{module}.py
# against the harness's shared cluster state.
SVOM_STANDIN_VERSION={version} exec /usr/bin/python3 /run/svom-standin/lib/standin.py {module} "$@"
"""
KUBELET_UNIT = """[Unit]
Description=kubelet: The Kubernetes Node Agent (stand-in package of the svom-fsgs cluster harness)
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
"""
# kubeadm's kubelet drop-in, as the kubeadm package installs it (kubernetes/release cmd/krel templates,
# 10-kubeadm.conf): KUBELET_EXTRA_ARGS from /etc/default/kubelet comes last, so it wins.
KUBEADM_DROP_IN = """[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
"""
# The kubelet restarts on its new version after an install or upgrade (the kubeadm_upgrade role restarts it,
# a step the chroot skips): the stand-in reports the version then (standins/kubelet.py, version-skew rules).
KUBELET_POSTINST = """#!/bin/sh
set -e
if [ -e /run/svom-standin/lib/standin.py ]; then
  SVOM_STANDIN_VERSION="$(cat /usr/lib/svom-standin/kubelet-version)" /usr/bin/python3 /run/svom-standin/lib/standin.py kubelet --standin-report-version
fi
"""
# cri-tools is versioned on its own; kubeadm depends on it (pkgs.k8s.io kubeadm control: Depends: cri-tools).
CRI_TOOLS_VERSION = "1.35.0-1.1"


def tar_member(archive, path, data, mode):
    info = tarfile.TarInfo("./" + path.lstrip("/"))
    info.size = len(data)
    info.mode = mode
    info.mtime = 0
    archive.addfile(info, io.BytesIO(data))


def tar_gz(files):
    buffer = io.BytesIO()
    # Uncompressed, then gzip with mtime 0: the same inputs give the same bytes, so rebuilding is harmless.
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        directories = sorted({os.path.dirname(p.rstrip("/")) for p in files})
        seen = set()
        for directory in directories:
            parts = directory.strip("/").split("/")
            for i in range(1, len(parts) + 1):
                sub = "/".join(parts[:i])
                if sub and sub not in seen:
                    seen.add(sub)
                    info = tarfile.TarInfo("./" + sub)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    archive.addfile(info)
        for path, (data, mode) in sorted(files.items()):
            tar_member(archive, path, data, mode)
    return gzip.compress(buffer.getvalue(), mtime=0)


def ar_member(name, data):
    header = f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
    return header + data + (b"\n" if len(data) % 2 else b"")


def build_deb(path, control, files, postinst=None):
    deb = b"!<arch>\n" + ar_member("debian-binary", b"2.0\n")
    control_files = {"control": (control.encode(), 0o644)}
    if postinst:
        control_files["postinst"] = (postinst.encode(), 0o755)
    deb += ar_member("control.tar.gz", tar_gz(control_files))
    deb += ar_member("data.tar.gz", tar_gz(files))
    with open(path, "wb") as handle:
        handle.write(deb)


def control_text(name, version, depends, description):
    lines = [f"Package: {name}", f"Version: {version}", "Architecture: amd64", "Maintainer: svom-fsgs harness <standin@invalid>"]
    if depends:
        lines.append(f"Depends: {depends}")
    lines += ["Priority: optional", "Section: admin", f"Description: {description}"]
    return "\n".join(lines) + "\n"


def packages_for(version, revision):
    full = f"{version}-{revision}"
    launcher = lambda program, module: LAUNCHER.format(program=program, version=version, module=module).encode()
    return {
        f"kubeadm_{full}_amd64.deb": (control_text("kubeadm", full, "cri-tools (>= 1.30.0)", f"stand-in kubeadm {version}"), {
            "/usr/bin/kubeadm": (launcher("kubeadm", "kubeadm"), 0o755),
            "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": (KUBEADM_DROP_IN.encode(), 0o644),
        }),
        f"kubelet_{full}_amd64.deb": (control_text("kubelet", full, "", f"stand-in kubelet {version}"), {
            "/usr/bin/kubelet": (launcher("kubelet", "kubelet"), 0o755),
            "/usr/lib/systemd/system/kubelet.service": (KUBELET_UNIT.encode(), 0o644),
            "/usr/lib/svom-standin/kubelet-version": (f"{version}\n".encode(), 0o644),
        }),
        f"kubectl_{full}_amd64.deb": (control_text("kubectl", full, "", f"stand-in kubectl {version}"), {
            "/usr/bin/kubectl": (launcher("kubectl", "kubectl"), 0o755),
        }),
        f"cri-tools_{CRI_TOOLS_VERSION}_amd64.deb": (control_text("cri-tools", CRI_TOOLS_VERSION, "", "stand-in crictl"), {
            "/usr/bin/crictl": (launcher("crictl", "crictl"), 0o755),
        }),
    }


def control_of(deb_path):
    output = subprocess.run(["dpkg-deb", "--field", deb_path], check=True, capture_output=True, text=True).stdout
    return output.rstrip("\n")


def index(repo, gnupghome):
    entries = []
    for name in sorted(os.listdir(repo)):
        if not name.endswith(".deb"):
            continue
        path = os.path.join(repo, name)
        data = open(path, "rb").read()
        entries.append(control_of(path) + f"\nFilename: ./{name}\nSize: {len(data)}\nSHA256: {hashlib.sha256(data).hexdigest()}\n")
    packages = "\n".join(entries).encode()
    with open(os.path.join(repo, "Packages"), "wb") as handle:
        handle.write(packages)
    with open(os.path.join(repo, "Packages.gz"), "wb") as handle:
        handle.write(gzip.compress(packages, mtime=0))
    lines = ["Origin: svom-fsgs stand-in", "Label: svom-fsgs stand-in", "Architectures: amd64",
             f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S UTC', time.gmtime())}", "SHA256:"]
    for name in ["Packages", "Packages.gz"]:
        data = open(os.path.join(repo, name), "rb").read()
        lines.append(f" {hashlib.sha256(data).hexdigest()} {len(data)} {name}")
    release = os.path.join(repo, "Release")
    with open(release, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    env = dict(os.environ, GNUPGHOME=gnupghome)
    for target in ["InRelease", "Release.key"]:
        try:
            os.remove(os.path.join(repo, target))
        except FileNotFoundError:
            pass
    subprocess.run(["gpg", "--batch", "--yes", "--clearsign", "--output", os.path.join(repo, "InRelease"), release], check=True, env=env)
    key = subprocess.run(["gpg", "--batch", "--armor", "--export"], check=True, env=env, capture_output=True).stdout
    with open(os.path.join(repo, "Release.key"), "wb") as handle:
        handle.write(key)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--www", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--revision", required=True)
    parser.add_argument("--gnupghome", required=True)
    parser.add_argument("--calico-dir", required=True)
    parser.add_argument("--calico-version", required=True)
    args = parser.parse_args()
    minor = ".".join(args.version.split(".")[:2])
    repo = os.path.join(args.www, f"core:/stable:/v{minor}/deb")
    os.makedirs(repo, exist_ok=True)
    for name, (control, files) in packages_for(args.version, args.revision).items():
        build_deb(os.path.join(repo, name), control, files, KUBELET_POSTINST if name.startswith("kubelet_") else None)
    index(repo, args.gnupghome)
    manifests = os.path.join(args.www, "calico", f"v{args.calico_version}", "manifests")
    os.makedirs(manifests, exist_ok=True)
    for name in os.listdir(args.calico_dir):
        shutil.copy(os.path.join(args.calico_dir, name), os.path.join(manifests, name))
    print(f"stand-in packages {args.version}-{args.revision} in {repo}; Calico {args.calico_version} manifests")


if __name__ == "__main__":
    main()
