/**
 * How replacements are ordered. Pulumi creates a replacement before deleting the old resource unless
 * `deleteBeforeReplace` is set; OpenStack refuses the new one while the old one holds what it needs:
 * - Nova: a keypair name is unique per user (409 Conflict, nova/api/openstack/compute/keypairs.py);
 * - Neutron: a port is bound to one server at a time (PortInUse, nova/network/neutron.py);
 * - Neutron: a rule identical to an existing one is refused whatever its description (409
 *   SecurityGroupRuleExists, neutron/db/securitygroups_db.py `_check_for_duplicate_rules`).
 */
import type { Render } from "../scripts/offline/render";
import { type StackName, TYPES, ofType, renderStack } from "./support/stacks";

// integration (vip endpoint, one control plane) and prod (Octavia, three): the two shapes of the program.
const STACKS = ["integration", "prod"] as const satisfies readonly StackName[];

const renders = new Map<StackName, Render>();
beforeAll(async () => {
    for (const stack of STACKS) {
        renders.set(stack, await renderStack(stack));
    }
});

describe.each(STACKS)("%s: a replacement never collides with what it replaces", (stack) => {
    it("deletes a server before booting its replacement on the same pre-created port", () => {
        const render = renders.get(stack) as Render;
        const instances = ofType(render, TYPES.instance);
        for (const instance of instances) {
            const networks = instance.inputs.networks as { port?: string }[];
            expect(networks.every((network) => typeof network.port === "string")).toBe(true);
            expect([instance.name, instance.deleteBeforeReplace]).toEqual([instance.name, true]);
        }
    });

    it("deletes the deploy keypair before creating the one with the same name", () => {
        const keypairs = ofType(renders.get(stack) as Render, "openstack:compute/keypair:Keypair");
        expect(keypairs).toHaveLength(1);
        expect(keypairs[0].deleteBeforeReplace).toBe(true);
    });

    it("deletes a security-group rule before creating its identical replacement", () => {
        const rules = ofType(renders.get(stack) as Render, TYPES.secGroupRule);
        expect(rules.length).toBeGreaterThan(10);
        expect(rules.filter((rule) => !rule.deleteBeforeReplace).map((rule) => rule.name)).toEqual([]);
    });

    it("never replaces a data volume for a new volume type (ForceNew; protected in prod, so `up` would stop)", () => {
        const volumes = ofType(renders.get(stack) as Render, TYPES.volume);
        expect(volumes.length).toBeGreaterThan(0);
        for (const volume of volumes) {
            expect([volume.name, volume.ignoreChanges]).toEqual([volume.name, expect.arrayContaining(["volumeType", "availabilityZone"])]);
        }
    });
});
