/**
 * The jest config of `npm run mutation` (stryker.config.mjs): the unit project of jest.config.js alone (tests/support/jest-projects.js). Its
 * suites are fast enough to run once per mutant; a mutant that only a scenario suite reaches counts as not
 * covered, so the scores are those of the unit tests.
 */
const { unit } = require("../support/jest-projects");

// The modules' folders are roots too: Stryker's findRelatedTests follows imports only through files jest's map
// holds, so with tests/ alone a test that reaches the module through another one (inventory.test.ts through
// inventory.ts to keepalived-config.ts) would not run.
// MUTATION_TEST_FILES (comma-separated paths under tests/) runs one module against those files only, in every mutant
// run (stryker.config.mjs then turns findRelatedTests off). Stryker's own --testFiles limits the dry run alone: each
// mutant run still loads every related test file to filter tests by name (20 s a mutant for workload-manifests.ts),
// and a static mutant gets the files' paths as a test-name filter, which matches no test.
const only = (process.env.MUTATION_TEST_FILES ?? "").split(",").map((file) => file.trim()).filter((file) => file !== "");

module.exports = {
    ...unit,
    ...(only.length > 0 ? { testMatch: only.map((file) => `<rootDir>/${file}`) } : {}),
    roots: ["<rootDir>/tests", "<rootDir>/components", "<rootDir>/scripts", "<rootDir>/deployments", "<rootDir>/policy"],
    testTimeout: 30000,
    reporters: [],
};
