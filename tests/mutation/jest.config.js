/**
 * The jest config of `npm run mutation` (stryker.config.mjs): the unit project of jest.config.js alone. Its
 * suites are fast enough to run once per mutant; a mutant that only a scenario suite reaches counts as not
 * covered, so the scores are those of the unit tests.
 */
const { unitProject } = require("../../jest.config");

module.exports = { ...unitProject, testTimeout: 30000, reporters: [] };
