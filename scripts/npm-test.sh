#!/usr/bin/env bash
# `npm test`: the type check, the lint and jest's unit project. The lint keeps one core busy for most of the run,
# so it runs beside the type check and jest rather than before them (on the two-core machine this took the run
# from 64 s to under a minute); its output is printed whole at the end, and any step failing fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

lint_output=$(mktemp)
trap 'rm -f "$lint_output"' EXIT

npm run --silent lint >"$lint_output" 2>&1 &
lint=$!

npm run --silent typecheck && npm run --silent unit
checks_status=$?

wait "$lint"
lint_status=$?
echo "== npm run lint: exit $lint_status"
cat "$lint_output"
[[ $checks_status -eq 0 && $lint_status -eq 0 ]]
