/** The two jest projects of jest.config.js, also read by tests/mutation/jest.config.js. */
const { readFileSync, readdirSync } = require("node:fs");
const { join } = require("node:path");

const ROOT = join(__dirname, "..", "..");
const TESTS = join(ROOT, "tests");

// What makes a suite a scenario suite, read from its text so that a new file lands in the right project:
// rendering a stack or program under mocks (renderStack of tests/support/stacks.ts, renderProgram of
// scripts/offline/render.ts), the lifecycle machinery, the GitLab CI job sandbox, the whole program (index.ts),
// or the import-swarm command in a process of its own.
const SCENARIO_MARKERS = [/\brenderStack\(/, /\brenderProgram\(/, /support\/lifecycle"/, /\bprepareSandbox\b/, /import\("\.\.\/index"\)/, /scripts\/import-swarm\.ts/];

const testFiles = readdirSync(TESTS).filter((name) => name.endsWith(".test.ts"));
const isScenario = (name) => SCENARIO_MARKERS.some((marker) => marker.test(readFileSync(join(TESTS, name), "utf8")));
const scenarioFiles = testFiles.filter(isScenario);
const unitFiles = testFiles.filter((name) => !isScenario(name));

/** One project; `files` are file names under tests/. */
function project(displayName, files) {
    return {
        displayName,
        rootDir: ROOT,
        testEnvironment: "node",
        roots: ["<rootDir>/tests"],
        testMatch: files.map((name) => `<rootDir>/tests/${name}`),
        transform: { "^.+\\.ts$": ["ts-jest", {}] },
        setupFiles: ["<rootDir>/tests/support/stack-trace-limit.js"],
    };
}

module.exports = { unit: project("unit", unitFiles), scenarios: project("scenarios", scenarioFiles) };
