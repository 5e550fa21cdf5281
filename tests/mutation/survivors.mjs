// Lists the mutants that survived (or had no covering test) in reports/mutation/mutation.json, file by file,
// with their line and replacement: what `npm run mutation` found the tests do not notice.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(new URL("../../reports/mutation/mutation.json", import.meta.url), "utf8"));
for (const [file, { mutants }] of Object.entries(report.files)) {
    const open = mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
    if (open.length === 0) continue;
    console.log(`${file}: ${open.length}`);
    for (const m of open.sort((a, b) => a.location.start.line - b.location.start.line)) {
        const replacement = (m.replacement ?? "").replace(/\s+/g, " ").slice(0, 100);
        console.log(`  ${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${replacement}`);
    }
}
