/**
 * The SSH and API connections of the program and what they travel through. Pulumi deletes a resource only
 * after everything that depends on it (pulumi/pulumi pkg/resource/graph DependingOn, transitively, providers
 * included), so a command whose connection needs a rule must depend on it, or `destroy` removes the rule
 * first and the command's own delete (and every Kubernetes delete) can no longer connect.
 */
import type { Render, RenderedResource } from "../scripts/offline/render";
import { dependencyClosure } from "./support/dependencies";
import { type StackName, TYPES, ofType, renderStack } from "./support/stacks";

// integration (vip endpoint, one control plane) and prod (Octavia, three): the two shapes of the program.
const STACKS = ["integration", "prod"] as const satisfies readonly StackName[];

const renders = new Map<StackName, Render>();
beforeAll(async () => {
    for (const stack of STACKS) {
        renders.set(stack, await renderStack(stack));
    }
});

/** Everything a resource depends on, directly or through others, its provider included, by URN. */

/** What every connection needs in this stack: each security-group rule and the bastion's floating IP. */
function connectionPath(render: Render): RenderedResource[] {
    const bastionAddress = ofType(render, TYPES.floatingIp).filter((fip) => fip.name.endsWith("-bastion-fip"));
    expect(bastionAddress).toHaveLength(1);
    const rules = ofType(render, TYPES.secGroupRule);
    expect(rules.length).toBeGreaterThan(10);
    return [...rules, ...bastionAddress];
}

const missing = (needed: RenderedResource[], have: Set<string>) => needed.filter((r) => !have.has(r.urn)).map((r) => r.name);

describe.each(STACKS)("%s: connections and what they travel through", (stack) => {
    it("every remote command depends directly on every security-group rule and on the bastion's floating IP", () => {
        const render = renders.get(stack) as Render;
        const commands = render.resources.filter((resource) => resource.type.startsWith("command:remote:"));
        expect(commands.length).toBeGreaterThanOrEqual(6);
        for (const command of commands) {
            expect([command.name, missing(connectionPath(render), new Set(command.dependsOn))]).toEqual([command.name, []]);
        }
    });

    it("every Kubernetes resource is deleted before the rules and addresses its API connection needs", () => {
        const render = renders.get(stack) as Render;
        const apiAddress = ofType(render, TYPES.floatingIp).filter((fip) => fip.name.endsWith("-api-fip"));
        const kubernetes = render.resources.filter((resource) => resource.custom && resource.type.startsWith("kubernetes:"));
        expect(kubernetes.length).toBeGreaterThan(20);
        for (const resource of kubernetes) {
            const closure = dependencyClosure(render, resource);
            expect([resource.name, missing([...connectionPath(render), ...apiAddress], closure)]).toEqual([resource.name, []]);
        }
    });
});
