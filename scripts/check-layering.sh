#!/usr/bin/env bash
# Shows that the lint step enforces the house's layering (README "Which folder may import which"): three
# deliberate violations, each written to a scratch module inside the tree, must each fail eslint with the rule
# that forbids it. A lint configuration that stopped resolving TypeScript imports would pass all three silently.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=(components/kubernetes/zz-layering-probe.ts components/config/zz-cycle-a.ts components/config/zz-cycle-b.ts components/zz-outside-probe.ts)
cleanup() { rm -f "${scratch[@]}"; }
trap cleanup EXIT

# kubernetes/ reaching sideways into openstack/.
printf 'import { securityRules } from "../openstack/rules";\nexport const probe = securityRules;\n' > components/kubernetes/zz-layering-probe.ts
# Two modules that import each other.
printf 'import { b } from "./zz-cycle-b";\nexport const a = (): number => b() + 1;\n' > components/config/zz-cycle-a.ts
printf 'import { a } from "./zz-cycle-a";\nexport const b = (): number => (a.length > 0 ? 0 : 1);\n' > components/config/zz-cycle-b.ts
# The program reaching into the tools that use it.
printf 'import { renderProgram } from "../scripts/offline/render";\nexport const probe = renderProgram;\n' > components/zz-outside-probe.ts

report=$(mktemp)
scratch+=("$report")
set +e
npx eslint --no-warn-ignored --format json "${scratch[@]:0:4}" > "$report"
status=$?
set -e
output=$(node -e 'for (const f of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))) for (const m of f.messages) console.log(`${f.filePath}:${m.line}: ${m.ruleId} ${m.message}`)' "$report")
echo "$output"
fail=0
expect() {
    if grep -q "$1.*$2" <<<"$output"; then echo "ok: $1 fails with $2"; else echo "MISSING: $1 should fail with $2"; fail=1; fi
}
expect "zz-layering-probe.ts" "import-x/no-restricted-paths"
expect "zz-cycle-a.ts" "import-x/no-cycle"
expect "zz-outside-probe.ts" "import-x/no-restricted-paths"
if [ "$status" -eq 0 ]; then echo "MISSING: eslint accepted the violations"; fail=1; fi
exit "$fail"
