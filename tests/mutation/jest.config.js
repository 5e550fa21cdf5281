/**
 * The jest config of `npm run mutation` (stryker.config.mjs): the unit project of jest.config.js alone (tests/support/jest-projects.js). Its
 * suites are fast enough to run once per mutant; a mutant that only a scenario suite reaches counts as not
 * covered, so the scores are those of the unit tests.
 */
const { unit } = require("../support/jest-projects");

// The modules' folders are roots too: Stryker's findRelatedTests follows imports only through files jest's map
// holds, so with tests/ alone a test that reaches the module through another one (inventory.test.ts through
// inventory.ts to keepalived-config.ts) would not run.
module.exports = {
    ...unit,
    roots: ["<rootDir>/tests", "<rootDir>/components", "<rootDir>/scripts", "<rootDir>/deployments", "<rootDir>/policy"],
    testTimeout: 30000,
    reporters: [],
};
