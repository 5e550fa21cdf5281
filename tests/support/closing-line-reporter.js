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
        // scripts/test-all.sh adds these to its own closing line.
        const folder = join(__dirname, "..", "..", "build", "test-results");
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, "jest-counts"), `${results.numPassedTests} ${results.numFailedTests}\n`);
    }
}

module.exports = ClosingLineReporter;
