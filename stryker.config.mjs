// Mutation testing of the pure modules (issue 15): `npm run mutation` for all of them (long: run it before
// resolving an issue that touched them, not in CI), `npm run mutation -- --mutate <file>` for one module.
// The clear-text table at the end is the per-file score; type errors (the TypeScript checker) are not counted.
// Equivalent mutants are excluded only through `// Stryker disable` comments, each listed with its reason in
// tests/mutation/equivalent-mutants.md (tests/mutation/equivalent-mutants.test.ts keeps the two in step).
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    packageManager: "npm",
    testRunner: "jest",
    jest: {
        projectType: "custom",
        // The unit project of jest.config.js: the scenario suites render whole stacks, a second or more each.
        configFile: "tests/mutation/jest.config.js",
        // Only the test files that import the mutated module (directly or not) run, in the dry run too.
        // With MUTATION_TEST_FILES (tests/mutation/jest.config.js) the test files are given instead.
        enableFindRelatedTests: !process.env.MUTATION_TEST_FILES,
    },
    // Each mutant runs only the tests that executed its code in the dry run.
    coverageAnalysis: "perTest",
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.json",
    // Two cores shared by several people: one jest process at a time.
    concurrency: 1,
    // A mutant that runs past its tests' dry-run time counts as detected (a timeout): leave room for a busy
    // machine, so that a slow run is not taken for an infinite loop the mutant caused.
    timeoutFactor: 3,
    timeoutMS: 20000,
    // A re-run tests only the mutants whose code or covering tests changed since reports/stryker-incremental.json.
    incremental: true,
    incrementalFile: "reports/stryker-incremental.json",
    // The pure modules: renderers, rule tables, manifests, the inventory (components/cluster/inventory.ts), config validation, the swarm importer and
    // the offline lifecycle model. Components that register Pulumi resources are tested through the mocks
    // (tests/support/stacks.ts) and are left out, as are command-line entry points.
    mutate: [
        "components/ansible/known-hosts.ts",
        "components/cluster/*.ts",
        "!components/cluster/kubeadm-cluster.ts",
        "!components/cluster/node-lifecycle.ts",
        "!components/cluster/etcd-backup.ts",
        "components/config/*.ts",
        "!components/config/catalog.ts",
        "!components/config/load.ts",
        "!components/config/secrets.ts",
        "!components/config/deploy-keys.ts",
        "components/kubernetes/capacity.ts",
        "components/kubernetes/domain-manifests.ts",
        "components/kubernetes/gateway-manifests.ts",
        "components/kubernetes/network-policy.ts",
        "components/kubernetes/pod-security.ts",
        "components/kubernetes/reachability.ts",
        "components/kubernetes/reachability-world.ts",
        "components/kubernetes/service-defaults.ts",
        "components/kubernetes/workload-manifests.ts",
        "components/kubernetes/data/cnpg.ts",
        "components/kubernetes/data/postgres-manifests.ts",
        "components/kubernetes/platform/observability-alerts.ts",
        "components/kubernetes/platform/scheduling.ts",
        "components/openstack/rules.ts",
        "components/openstack/user-data.ts",
        "scripts/ci/gitlab-context.ts",
        "scripts/ci/gitlab-pipeline.ts",
        "scripts/ci/stack-secrets.ts",
        "scripts/offline/compare.ts",
        "scripts/offline/diagram.ts",
        "scripts/offline/report.ts",
        "scripts/offline/lifecycle/*.ts",
        "scripts/swarm-import/*.ts",
    ],
    ignorePatterns: ["build", "reports", "coverage", ".stryker-tmp"],
    reporters: ["clear-text", "json", "progress"],
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    clearTextReporter: { allowColor: false, reportMutants: false, reportTests: false, skipFull: false },
    thresholds: { high: 90, low: 80, break: null },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
};
