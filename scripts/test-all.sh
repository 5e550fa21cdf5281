#!/usr/bin/env bash
# Every check of the project, on a fresh Debian 12 machine: installs what is missing (Debian packages,
# then npm ci), then runs the TypeScript checks and tests, the Ansible static checks, and the converge of
# the node roles on a Debian root, twice. Run as root (apt-get, debootstrap and chroot need it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# ansible, ansible-lint, yamllint: the playbook checks; debootstrap: the converge target;
# haproxy, keepalived, cloud-init: the validators of the configs the program renders; openssh-client: ssh-keygen
# loads the deploy key and the known_hosts file the program writes; gnupg, curl: the cluster harness's
# signed package repository and its server check; prometheus, prometheus-alertmanager: promtool and amtool, which
# check the alert rules and the Alertmanager configuration the program renders.
packages=(ansible ansible-lint yamllint debootstrap haproxy keepalived cloud-init openssh-client gnupg curl prometheus prometheus-alertmanager)

started=$SECONDS
# npm ci and the Debian packages' install are independent downloads: on a fresh machine they run side by side.
# The Pulumi packages' install hooks download provider plugins; nothing here needs them.
npm_log=$(mktemp)
npm ci --ignore-scripts --no-audit --no-fund >"$npm_log" 2>&1 &
npm_pid=$!

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  if ((EUID != 0)); then
    echo "test-all: missing Debian packages ${missing[*]}; run as root, or apt-get install them first" >&2
    exit 2
  fi
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  # Installing haproxy and keepalived must not start them on this machine: policy-rc.d forbids it.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if ((own_policy)); then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
fi

echo "== npm ci"
npm_status=0
wait "$npm_pid" || npm_status=$?
cat "$npm_log"
rm -f "$npm_log"
((npm_status == 0)) || { echo "test-all: npm ci failed (exit $npm_status)" >&2; exit "$npm_status"; }

# The cluster harness is the longest step (about 10 minutes) and mostly waits on one Ansible process, while jest
# keeps one worker busy on a 2-core runner: run the harness beside the other checks, in its own directories
# (/var/tmp/svom-standin; the converges use their own), and report it at the end. It needs node_modules, so it
# starts after npm ci.
mkdir -p build/test-results
harness_log=build/test-results/cluster-scenarios.log
echo "== site.yml on several hosts against the stand-in cluster: formation and day-2 scenarios (in the background, log: $harness_log)"
bash scripts/cluster-standin/run-scenarios.sh >"$harness_log" 2>&1 &
harness_pid=$!
trap 'kill "$harness_pid" 2>/dev/null || true' EXIT

echo "== npm test (tsc, eslint, jest's unit project)"
npm test

echo "== jest's scenario project (whole stacks under mocks, lifecycle scenarios, command-line runs)"
npm run test:scenarios

echo "== the lint step refuses an import across layers and an import loop"
bash scripts/check-layering.sh

echo "== Ansible static checks"
bash scripts/check-ansible.sh

echo "== the day-2 scripts (etcd backup, certificate renewal) against stand-ins"
bash scripts/cluster-day2/test-day2-scripts.sh

echo "== converge of the node roles on a Debian 12 root, twice"
bash scripts/converge-chroot.sh

echo "== converge of the data_volumes role on a loop device, twice"
bash scripts/converge-data-volumes.sh

echo "== site.yml on several hosts against the stand-in cluster: waiting for the background run"
harness_status=0
wait "$harness_pid" || harness_status=$?
trap - EXIT
cat "$harness_log"
if ((harness_status != 0)); then
  echo "test-all: the cluster scenarios failed (exit $harness_status); log above and in $harness_log" >&2
  exit "$harness_status"
fi

# Each step above stops the script on failure, so reaching here means every check passed: the
# Ansible static checks (3), the day-2 scripts (1), the converges (2) and the cluster scenarios (1, the day-2
# chain included) count beside jest's tests (its unit and scenario projects).
read -r unit_passed unit_failed < build/test-results/jest-counts
read -r scenario_passed scenario_failed < build/test-results/jest-scenario-counts
jest_passed=$((unit_passed + scenario_passed))
jest_failed=$((unit_failed + scenario_failed))
echo "== all checks passed in $((SECONDS - started)) s: jest ${jest_passed} (unit ${unit_passed}, scenarios ${scenario_passed}), Ansible static checks 3, day-2 scripts 1, converges 2, cluster scenarios 1"
echo "test-all: $((jest_passed + 7)) passed, ${jest_failed} failed"
