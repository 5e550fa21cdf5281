/** Tests are transpiled file by file (tsconfig's isolatedModules); `npm run typecheck` checks types once. */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", {}] },
    // Rendering a stack under mocks takes about a second on the 2-core CI machine.
    testTimeout: 30000,
    // Jest keeps one core for itself by default; the test files are independent and the machine has two.
    maxWorkers: 2,
    reporters: ["default", "<rootDir>/tests/support/closing-line-reporter.js"],
};
