/**
 * Two jest projects. `unit` (`npm test`): pure modules and single components, a few seconds a file.
 * `scenarios` (`npm run test:scenarios`, which scripts/test-all.sh runs after `npm test`): the suites that render
 * whole stacks under the Pulumi mocks, replay lifecycle scenarios, or start a command-line process; each render
 * costs about a second, and they took two thirds of jest's time. Which file goes where:
 * tests/support/jest-projects.js. `npx jest <file>` runs a file of either.
 * Tests are transpiled file by file (tsconfig's isolatedModules); `npm run typecheck` checks types once.
 */
const { unit, scenarios } = require("./tests/support/jest-projects");

module.exports = {
    projects: [unit, scenarios],
    // Rendering a stack under mocks takes about a second on the 2-core CI machine.
    testTimeout: 30000,
    // Jest keeps one core for itself by default; the test files are independent and the machine has two.
    maxWorkers: 2,
    reporters: ["default", "<rootDir>/tests/support/closing-line-reporter.js"],
};
