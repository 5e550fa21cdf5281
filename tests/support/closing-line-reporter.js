/**
 * Ends a jest run with the plain `N passed, N failed` line that CI reads to tell a run that tested nothing
 * from one that passed.
 */
const { mkdirSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

class ClosingLineReporter {
    onRunComplete(_contexts, results) {
        const skipped = results.numPendingTests + results.numTodoTests;
        const tail = skipped > 0 ? `, ${skipped} skipped` : "";
        process.stdout.write(`jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}\n`);
        // scripts/test-all.sh adds these to its own closing line: jest-counts from `npm test` (the unit project),
        // jest-scenario-counts from `npm run test:scenarios`, which names its file in SVOM_JEST_COUNTS.
        const folder = join(__dirname, "..", "..", "build", "test-results");
        mkdirSync(folder, { recursive: true });
        const file = process.env.SVOM_JEST_COUNTS || "jest-counts";
        writeFileSync(join(folder, file), `${results.numPassedTests} ${results.numFailedTests}\n`);
    }
}

module.exports = ClosingLineReporter;
