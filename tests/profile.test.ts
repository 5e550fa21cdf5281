/**
 * The environment profile: what each environment means, decided once (components/config/profile.ts). The
 * expected profiles are written out from the README's promises (stack table, data safety, config rules), not
 * computed; the second half checks that the validation rules and the policy pack follow the same decisions.
 */
import { type EnvironmentProfile, environmentProfile } from "../components/config/profile";
import { type EnvironmentName } from "../components/config/schema";
import { RULES, outOfScope } from "../policy/catalog";
import { configProblems } from "./support/stack-config";
import { STACKS } from "./support/stacks";

const EXPECTED: Record<EnvironmentName, EnvironmentProfile> = {
    integration: {
        environment: "integration",
        strictRules: false,
        minimumControlPlanes: 1,
        minimumWorkers: 0,
        minimumWorkerLossTolerance: 0,
        highAvailabilityReplicas: 1,
        minimumServiceReplicas: 1,
        refuseEndOfLifeKubernetes: false,
        protectStoredData: false,
        volumeReclaimPolicy: "Delete",
        databaseInstances: 1,
        brokerNodes: 1,
        backupsRequired: false,
        databaseOperatorReplicas: 1,
    },
    preprod: {
        environment: "preprod",
        strictRules: true,
        minimumControlPlanes: 3,
        minimumWorkers: 3,
        minimumWorkerLossTolerance: 1,
        highAvailabilityReplicas: 2,
        minimumServiceReplicas: 2,
        refuseEndOfLifeKubernetes: true,
        // Rebuilt from scratch: its volumes go with the stack (README, stack table).
        protectStoredData: false,
        volumeReclaimPolicy: "Delete",
        databaseInstances: 3,
        brokerNodes: 3,
        backupsRequired: true,
        databaseOperatorReplicas: 2,
    },
    prod: {
        environment: "prod",
        strictRules: true,
        minimumControlPlanes: 3,
        minimumWorkers: 3,
        minimumWorkerLossTolerance: 1,
        highAvailabilityReplicas: 2,
        minimumServiceReplicas: 2,
        refuseEndOfLifeKubernetes: true,
        protectStoredData: true,
        volumeReclaimPolicy: "Retain",
        databaseInstances: 3,
        brokerNodes: 3,
        backupsRequired: true,
        databaseOperatorReplicas: 2,
    },
};

describe("environment profile", () => {
    it.each(STACKS)("%s: every decision as written out", (stack) => {
        expect(environmentProfile(stack)).toEqual(EXPECTED[stack]);
    });
});

/** The problems of a stack's config changed by `edit`. */
function problems(stack: EnvironmentName, edit: (config: any) => void): string[] {
    return configProblems(stack, edit, new Date("2026-12-03T00:00:00Z"));
}

describe("validation follows the profile", () => {
    it.each(STACKS)("%s: refuses fewer control planes than the profile's minimum, accepts the minimum", (stack) => {
        const minimum = EXPECTED[stack].minimumControlPlanes;
        expect(problems(stack, (c) => (c.cluster.controlPlane.count = minimum))).toEqual([]);
        if (minimum > 1) {
            expect(problems(stack, (c) => (c.cluster.controlPlane.count = minimum - 2))).toEqual([
                `svom-fsgs:cluster.controlPlane.count: ${stack} needs an odd number >= ${minimum} (etcd quorum), got ${minimum - 2}`,
            ]);
        }
    });

    it.each(STACKS)("%s: a world-open admin network is refused exactly where the rules are strict", (stack) => {
        const found = problems(stack, (c) => (c.access.adminCidrs = [...c.access.adminCidrs, "0.0.0.0/0"]));
        expect(found.some((problem) => problem.includes("must not open SSH and the Kubernetes API to the whole Internet"))).toBe(EXPECTED[stack].strictRules);
    });

    it.each(STACKS)("%s: backups are required exactly where the profile says", (stack) => {
        const found = problems(stack, (c) => {
            delete c.data?.backup;
        });
        expect(found.some((problem) => problem.startsWith("svom-fsgs:data.backup:"))).toBe(EXPECTED[stack].backupsRequired);
    });
});

describe("the policy pack follows the profile", () => {
    it.each(STACKS)("%s: the strict rules apply where the profile is strict, volume protection where data is protected", (stack) => {
        const applied = RULES.filter((rule) => outOfScope(rule, stack) === undefined).map((rule) => rule.name);
        const strict = ["control-plane-ha", "no-world-open-admin-ports", "pinned-images", "secret-kubeconfig"];
        const expected = [...(EXPECTED[stack].strictRules ? strict : []), ...(EXPECTED[stack].protectStoredData ? ["protected-volumes"] : [])];
        expect(applied.sort()).toEqual(expected.sort());
    });

    it("applies nothing to a stack that is not an FSGS environment", () => {
        expect(RULES.map((rule) => outOfScope(rule, "dev-alice"))).toEqual(RULES.map(() => expect.stringContaining("not dev-alice")));
    });
});
