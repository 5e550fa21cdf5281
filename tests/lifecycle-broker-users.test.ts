/**
 * The broker's per-client users over a stack's life (components/kubernetes/data/rabbitmq-cluster.ts): a password
 * rotated with `up --replace`, and a destroy that removes each user while its broker is still there (the Topology
 * Operator's finalizer deletes the user from RabbitMQ through it).
 */
import { planSteps } from "../scripts/offline/lifecycle/engine";
import { RenderCache, change, deployed, stepLines } from "./support/lifecycle";

const cache = new RenderCache();

describe("rotate a client's broker password", () => {
    test("up --replace of vhf-listener's password replaces it and updates its two Secrets, and touches nothing else", async () => {
        const { plan } = await change(cache, "integration", "as committed", () => undefined, { replace: ["message-broker-vhf-listener-password"] });
        expect(stepLines(plan)).toEqual([
            "replace message-broker-vhf-listener-password",
            "update message-broker-vhf-listener-client-credentials",
            "update message-broker-vhf-listener-credentials",
        ]);
        const { deployment } = deployed("integration", await cache.get("integration"));
        expect(deployment.apply(plan).error).toBeUndefined();
    });
});

describe("destroy integration", () => {
    // That the User waits for the cluster, the Secret it imports and the Topology Operator is asserted on the render
    // (tests/rabbitmq-broker.test.ts): the simulator happens to delete those after the users even without the
    // dependency (each break was tried), so only the Permission's own dependency on its User shows here.
    test("deletes each client's Permission before its User, and leaves nothing", async () => {
        const first = await cache.get("integration");
        const plan = planSteps(first, undefined);
        const order = stepLines(plan);
        const at = (name: string) => {
            const index = order.indexOf(`delete ${name}`);
            expect([name, index >= 0]).toEqual([name, true]);
            return index;
        };
        for (const client of ["alert-broadcaster", "burst-advocate-tools", "monitoring-web", "vhf-listener"]) {
            const user = at(`message-broker-${client}-user`);
            expect([client, at(`message-broker-${client}-permission`) < user]).toEqual([client, true]);
        }
        const { deployment } = deployed("integration", first);
        const outcome = deployment.apply(plan);
        expect([outcome.error, deployment.leftovers()]).toEqual([undefined, []]);
    });
});
