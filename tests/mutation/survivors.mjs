// Lists the mutants that survived (or had no covering test) in reports/mutation/mutation.json (or the report named
// on the command line), file by file, with their line and replacement: what `npm run mutation` found the tests do
// not notice. A static mutant (module-level code, run at import) that ran no test is marked: with --testFiles,
// Stryker 9.6.1 hands jest the test files' paths as a test-name filter for static mutants, which matches no test,
// so they count as survived without having been tested (run the module without --testFiles to test them).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const path = process.argv[2] ? resolve(process.argv[2]) : new URL("../../reports/mutation/mutation.json", import.meta.url);
const report = JSON.parse(readFileSync(path, "utf8"));
for (const [file, { mutants }] of Object.entries(report.files)) {
    const open = mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
    if (open.length === 0) continue;
    console.log(`${file}: ${open.length}`);
    for (const m of open.sort((a, b) => a.location.start.line - b.location.start.line)) {
        const replacement = (m.replacement ?? "").replace(/\s+/g, " ").slice(0, 100);
        const untested = m.static && m.status === "Survived" && !m.testsCompleted ? " (static, no test ran)" : "";
        console.log(`  ${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}${untested}: ${replacement}`);
    }
}
