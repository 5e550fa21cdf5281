#!/usr/bin/env bash
# Static checks of the Ansible side (playbooks/): yamllint, ansible-playbook --syntax-check and
# ansible-lint with the production profile. Runs every check, prints a summary, exits non-zero if
# any check failed. Works offline.
#
# Debian 12 packages it needs:
#   apt-get install -y ansible ansible-lint yamllint
#
# Usage, from anywhere: scripts/check-ansible.sh
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

missing=()
for tool in yamllint ansible-playbook ansible-lint; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
  echo "check-ansible: missing ${missing[*]}; install with: apt-get install -y ansible ansible-lint yamllint" >&2
  exit 2
fi

# Colour codes would only clutter CI logs.
export ANSIBLE_NOCOLOR=1 NO_COLOR=1 PY_COLORS=0

results=()
failures=0

run_check() {
  local name="$1"
  shift
  echo "==> $name"
  echo "    \$ $*"
  local started=$SECONDS
  if "$@"; then
    results+=("PASS  $name ($((SECONDS - started))s)")
  else
    results+=("FAIL  $name ($((SECONDS - started))s)")
    failures=$((failures + 1))
  fi
  echo
}

run_check "yamllint" \
  yamllint --strict --config-file .yamllint playbooks .yamllint .ansible-lint

# The test inventory has the shape of the one the Pulumi program writes (groups bastion,
# control_plane, workers and every contract variable), so the plays' host patterns, control_plane[0]
# and control_plane[1:] included, resolve as they do in a deployment.
run_check "ansible-playbook --syntax-check" \
  ansible-playbook --inventory playbooks/tests/inventory.yml --syntax-check \
  playbooks/site.yml playbooks/converge-chroot.yml playbooks/remove-node.yml playbooks/restore-etcd.yml

# --offline: no schema refresh and no collection install; Debian's build already skips the
# version check. --strict: warnings count as violations too, so "passed" means zero of either.
run_check "ansible-lint --profile production" \
  ansible-lint --offline --nocolor --strict --profile production --config-file .ansible-lint playbooks/

# Captured first: piping these into head can break their pipe and make them print a traceback.
ansible_version="$(ansible --version)"
ansible_lint_version="$(ansible-lint --nocolor --version 2>/dev/null)"
ansible_lint_version="${ansible_lint_version%%$'\n'*}"
echo "==> Summary (${ansible_version%%$'\n'*}, ${ansible_lint_version% using*}, $(yamllint --version))"
printf '    %s\n' "${results[@]}"
if ((failures > 0)); then
  echo "check-ansible: $failures check(s) failed" >&2
  exit 1
fi
echo "check-ansible: all checks passed"
