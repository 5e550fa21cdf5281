#!/usr/bin/env bash
# Sourced, not run. `check DESCRIPTION COMMAND...`: one named check of a converge or a scenario. The command runs
# quietly; `ok` or `FAIL` is printed with the description, and each failure is counted in `failures`, which the
# sourcing script reports at its end and turns into its exit status (so one run shows every failed check).
# shellcheck disable=SC2034 # failures is read by the scripts that source this file
failures=0
check() {
  local description="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    echo "    ok    $description"
  else
    echo "    FAIL  $description"
    failures=$((failures + 1))
  fi
}
