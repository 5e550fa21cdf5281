/**
 * Two jest projects. `unit` (`npm test`): pure modules and single components, a few seconds a file.
 * `scenarios` (`npm run test:scenarios`, which scripts/test-all.sh runs after `npm test`): the suites that render
 * whole stacks under the Pulumi mocks, replay lifecycle scenarios, or start a command-line process; each render
 * costs about a second, and they took two thirds of jest's time. `npx jest <file>` runs a file of either.
 * Tests are transpiled file by file (tsconfig's isolatedModules); `npm run typecheck` checks types once.
 */
const { readFileSync, readdirSync } = require("node:fs");
const { join } = require("node:path");

const TESTS = join(__dirname, "tests");

// What makes a suite a scenario suite, read from its text so that a new file lands in the right project:
// rendering a stack (tests/support/stacks.ts renderStack, scripts/offline/render.ts renderProgram), the lifecycle machinery, the GitLab CI job sandbox (prepareSandbox),
// the whole program (index.ts), or the import-swarm command in a process of its own.
const SCENARIO_MARKERS = [/\brenderStack\(/, /\brenderProgram\(/, /support\/lifecycle"/, /\bprepareSandbox\b/, /import\("\.\.\/index"\)/, /scripts\/import-swarm\.ts/];

const testFiles = readdirSync(TESTS).filter((name) => name.endsWith(".test.ts"));
const isScenario = (name) => SCENARIO_MARKERS.some((marker) => marker.test(readFileSync(join(TESTS, name), "utf8")));
const scenarioFiles = testFiles.filter(isScenario);
const unitFiles = testFiles.filter((name) => !isScenario(name));

/** One project; `files` are file names under tests/. */
function project(displayName, files) {
    return {
        displayName,
        rootDir: __dirname,
        testEnvironment: "node",
        roots: ["<rootDir>/tests"],
        testMatch: files.map((name) => `<rootDir>/tests/${name}`),
        transform: { "^.+\\.ts$": ["ts-jest", {}] },
    };
}

const unit = project("unit", unitFiles);

module.exports = {
    projects: [unit, project("scenarios", scenarioFiles)],
    // Rendering a stack under mocks takes about a second on the 2-core CI machine.
    testTimeout: 30000,
    // Jest keeps one core for itself by default; the test files are independent and the machine has two.
    maxWorkers: 2,
    reporters: ["default", "<rootDir>/tests/support/closing-line-reporter.js"],
};
// stryker.config.mjs runs the unit project alone: its suites are fast enough to run once per mutant.
module.exports.unitProject = unit;
