/**
 * The jest config of `npm run mutation` (stryker.config.mjs): the unit project of jest.config.js alone (tests/support/jest-projects.js). Its
 * suites are fast enough to run once per mutant; a mutant that only a scenario suite reaches counts as not
 * covered, so the scores are those of the unit tests.
 */
const { unit } = require("../support/jest-projects");

module.exports = { ...unit, testTimeout: 30000, reporters: [] };
