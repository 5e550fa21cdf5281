/**
 * Rotating the deploy key over a stack's life, simulated (scripts/offline/lifecycle/): the fake OpenStack gives each
 * server the keypair's key at creation only, as Nova does, and refuses a login with a key the server does not
 * accept. The keys are real, made by ssh-keygen. These scenarios were written against the program before the
 * rotation existed: there, the one-step rotation went through the simulator unnoticed (the fake cloud had no keys),
 * and the two-phase one could not even be configured (no deployPreviousPrivateKey).
 */
import { planSteps } from "../scripts/offline/lifecycle/engine";
import { predict } from "../scripts/offline/lifecycle/predict";
import { parseSetting } from "../scripts/offline/lifecycle/settings";
import { authorizedKeysOf } from "../scripts/offline/lifecycle/reachability";
import type { Deployment } from "../scripts/offline/lifecycle/deploy";
import { RenderCache, deployed, isOpenStack, stepLines } from "./support/lifecycle";
import { ROOT } from "./support/stacks";
import { sshKeygen } from "./support/ssh-keygen";

const cache = new RenderCache();
const STACK = "integration";
const SERVERS = ["fsgs-integration-bastion", "fsgs-integration-cp-1", "fsgs-integration-general-1", "fsgs-integration-general-2", "fsgs-integration-general-3"];
const oldKey = sshKeygen(["-t", "ed25519"], "fsgs-integration-deploy");
const newKey = sshKeygen(["-t", "ed25519"], "fsgs-integration-deploy-2027");

type Edit = (config: Record<string, unknown>) => void;
const withPublicKey =
    (publicKey: string, more: Edit = () => undefined): Edit =>
    (config) => {
        (config.access as { deployPublicKey: string }).deployPublicKey = publicKey;
        more(config);
    };
const addWorker: Edit = (config) => {
    (config.cluster as { workerPools: { count: number }[] }).workerPools[0].count += 1;
};

/** The stack as it runs today: deployed with the old key. */
const before = () => cache.get(STACK, "old key", withPublicKey(oldKey.publicKey), { deployPrivateKey: oldKey.privateKey });
/** The rotation done in one step: the new key in place of the old. */
const newKeyOnly = () => cache.get(STACK, "new key only", withPublicKey(newKey.publicKey), { deployPrivateKey: newKey.privateKey });
/** Phase 1: the new key, and the old one as the retiring key. */
const phase1 = (name = "phase 1", edit?: Edit) =>
    cache.get(STACK, name, withPublicKey(newKey.publicKey, edit), { deployPrivateKey: newKey.privateKey, deployPreviousPrivateKey: oldKey.privateKey });
/** Phase 2: the retiring key removed. */
const phase2 = (name = "phase 2", edit?: Edit) => cache.get(STACK, name, withPublicKey(newKey.publicKey, edit), { deployPrivateKey: newKey.privateKey });

/** The deploy keys each server accepts, by server name, as fingerprints. */
function acceptedKeys(deployment: Deployment): Record<string, string[]> {
    return Object.fromEntries(
        deployment.cloud
            .live("server")
            .map((server) => [server.name, authorizedKeysOf(server).map((line) => line.fingerprint).sort()])
            .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
}
const everyServer = (names: readonly string[], keys: string[]) => Object.fromEntries(names.map((name) => [name, [...keys].sort()]));

test("the stack before the rotation: every server accepts the old key alone", async () => {
    const { deployment, outcome } = deployed(STACK, await before());
    expect(outcome.error).toBeUndefined();
    expect(acceptedKeys(deployment)).toEqual(everyServer(SERVERS, [oldKey.fingerprint]));
});

describe("rotate the deploy key the wrong way: the new key only, in one up", () => {
    test("locks the program out of every server, bastion first, with SSH's publickey refusal", async () => {
        const { deployment } = deployed(STACK, await before());
        const after = await newKeyOnly();
        const plan = planSteps(await before(), after);
        const outcome = deployment.apply(plan);
        expect(outcome.ok).toBe(false);
        expect(outcome.error).toMatch(/^ssh: .*fsgs-integration-authorized-deploy-keys-fsgs-integration-bastion: .*Permission denied \(publickey\): fsgs-integration-bastion does not accept the key SHA256:/);
        expect(outcome.error).toContain(newKey.fingerprint);
        // Every command of the new program presents the new key, which no existing server accepts.
        expect(deployment.lockedOut(after.resources)).toEqual(SERVERS);
    });
});

test("npm run plan --set access.deployPublicKey=<new key> tells a reviewer which servers the up would lock out", async () => {
    const prediction = await predict(ROOT, STACK, { settings: [parseSetting(`access.deployPublicKey=${newKey.publicKey}`)], replace: [], destroy: false });
    expect(prediction.rejected).toBe(true);
    expect(prediction.lines).toEqual(expect.arrayContaining([`LOCKED OUT: 5 server(s) would refuse the deploy key the program logs in with: ${SERVERS.join(", ")}.`]));
});

describe("rotate the deploy key in two phases", () => {
    test("phase 1 (new key + deployPreviousPrivateKey) touches no OpenStack resource and rewrites every server's keys", async () => {
        const plan = planSteps(await before(), await phase1());
        expect(stepLines(plan, isOpenStack)).toEqual([]);
        expect(stepLines(plan).filter((line) => line.includes("authorized-deploy-keys-"))).toEqual(SERVERS.map((name) => `replace fsgs-integration-authorized-deploy-keys-${name}`));
    });

    test("every step stays connectable, and each server ends phase 1 accepting both keys", async () => {
        const { deployment } = deployed(STACK, await before());
        expect(deployment.apply(planSteps(await before(), await phase1())).error).toBeUndefined();
        expect(acceptedKeys(deployment)).toEqual(everyServer(SERVERS, [oldKey.fingerprint, newKey.fingerprint]));
        expect(deployment.lockedOut((await phase1()).resources)).toEqual([]);
    });

    test("phase 2 (retiring key removed) replaces the keypair and ends with the new key alone on every server", async () => {
        const { deployment } = deployed(STACK, await before());
        expect(deployment.apply(planSteps(await before(), await phase1())).error).toBeUndefined();
        const plan = planSteps(await phase1(), await phase2());
        expect(stepLines(plan, isOpenStack)).toEqual(["replace fsgs-integration-keypair"]);
        expect(deployment.apply(plan).error).toBeUndefined();
        expect(acceptedKeys(deployment)).toEqual(everyServer(SERVERS, [newKey.fingerprint]));
    });

    test("a second up after phase 2 has no step, and Ansible, a new worker and a destroy all still get in", async () => {
        const { deployment } = deployed(STACK, await before());
        deployment.apply(planSteps(await before(), await phase1()));
        deployment.apply(planSteps(await phase1(), await phase2()));
        const again = await cache.get(STACK, "phase 2 rendered again", withPublicKey(newKey.publicKey), { deployPrivateKey: newKey.privateKey });
        expect(planSteps(await phase2(), again).steps).toEqual([]);
        const grown = await phase2("phase 2 + a worker", addWorker);
        const outcome = deployment.apply(planSteps(await phase2(), grown));
        expect(outcome.error).toBeUndefined();
        // Ansible ran from the bastion with the new key and every node let it in: the cluster-wide run twice (the first
        // up's, and phase 1's: a command whose connection changed runs again, pulumi-command v1.2.1), and the new
        // worker's own join command.
        expect(deployment.runs.get("fsgs-integration-ansible-run")).toBe(2);
        expect(deployment.runs.get("fsgs-integration-ansible-join-fsgs-integration-general-4")).toBe(1);
        expect(acceptedKeys(deployment)["fsgs-integration-general-4"]).toEqual([newKey.fingerprint]);
        const destroyed = deployment.apply(planSteps(grown, undefined));
        expect([destroyed.error, deployment.leftovers()]).toEqual([undefined, []]);
    });

    test("a worker added during phase 1 boots with the retiring key, is reached, and ends phase 2 with the new key alone", async () => {
        const { deployment } = deployed(STACK, await before());
        const grown1 = await phase1("phase 1 + a worker", addWorker);
        expect(deployment.apply(planSteps(await before(), grown1)).error).toBeUndefined();
        expect(acceptedKeys(deployment)["fsgs-integration-general-4"]).toEqual([oldKey.fingerprint, newKey.fingerprint].sort());
        expect(deployment.apply(planSteps(grown1, await phase2("phase 2 + a worker", addWorker))).error).toBeUndefined();
        expect(acceptedKeys(deployment)).toEqual(everyServer([...SERVERS, "fsgs-integration-general-4"], [newKey.fingerprint]));
    });
});
