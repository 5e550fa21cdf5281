#!/usr/bin/env bash
# `npm test`'s static checks: the type check and the lint. Each keeps one core busy for its whole run, so on the
# two-core machine they run side by side; their outputs are printed whole, one after the other, and either
# failing fails the step.
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

npm run --silent typecheck >"$out/typecheck" 2>&1 &
typecheck=$!
npm run --silent lint >"$out/lint" 2>&1 &
lint=$!
wait "$typecheck"
typecheck_status=$?
wait "$lint"
lint_status=$?

for step in typecheck lint; do
    status_var="${step}_status"
    echo "== npm run $step: exit ${!status_var}"
    cat "$out/$step"
done
[[ $typecheck_status -eq 0 && $lint_status -eq 0 ]]
