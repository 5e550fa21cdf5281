/**
 * The admin networks reach the bastion (security-group rules) and the API (Octavia's listener allowed CIDRs).
 * Octavia refuses a source of another IP family than the listener's VIP; Neutron refuses an identical second
 * rule; Octavia reads allowed CIDRs back in its own (sorted) order, which a no-op `up` must match.
 */
import type { Render } from "../scripts/offline/render";
import { TYPES, ofType, renderStack } from "./support/stacks";

// The config check that refuses IPv6 and repeated admin networks is in tests/config.test.ts.
type Raw = { access: { adminCidrs: string[] } };

let preprod: Render;
beforeAll(async () => {
    preprod = await renderStack("preprod");
});

describe("the API listener's allowed CIDRs", () => {
    const allowed = async (edit?: (config: Record<string, unknown>) => void) => {
        const [listener] = ofType(edit ? await renderStack("preprod", edit) : preprod, TYPES.listener);
        return listener.inputs.allowedCidrs;
    };

    it("are sorted as Octavia returns them, whatever the order of access.adminCidrs", async () => {
        const asWritten = await allowed();
        expect(asWritten).toEqual(["10.41.10.0/24", "134.158.64.0/20", "134.158.88.0/24"]);
        const reversed = await allowed((config) => (config as unknown as Raw).access.adminCidrs.reverse());
        expect(reversed).toEqual(asWritten);
    });
});

describe("the Octavia load balancer", () => {
    it("leaves the VIP port's security groups to Octavia, filtering by the listener's allowed CIDRs", () => {
        const [loadBalancer] = ofType(preprod, TYPES.loadBalancer);
        expect(loadBalancer.inputs.loadbalancerProvider).toBe("amphora");
        expect(loadBalancer.inputs.securityGroupIds).toBeUndefined();
        const [listener] = ofType(preprod, TYPES.listener);
        expect(listener.inputs.allowedCidrs).toEqual(["10.41.10.0/24", "134.158.64.0/20", "134.158.88.0/24"]);
    });
});
