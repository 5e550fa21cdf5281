/**
 * The admin networks reach the bastion (security-group rules) and the API (Octavia's listener allowed CIDRs).
 * Octavia refuses a source of another IP family than the listener's VIP; Neutron refuses an identical second
 * rule; Octavia reads allowed CIDRs back in its own (sorted) order, which a no-op `up` must match.
 */
import { StackConfigError } from "../components/config/errors";
import { parseStackConfig } from "../components/config/load";
import type { Render } from "../scripts/offline/render";
import { type StackName, TYPES, ofType, rawConfig, renderStack } from "./support/stacks";

type Raw = { access: { adminCidrs: string[] } };

function problemsOf(stack: StackName, edit: (config: Raw) => void): string[] {
    const config = rawConfig(stack) as unknown as Raw;
    edit(config);
    try {
        parseStackConfig(config);
    } catch (error) {
        if (error instanceof StackConfigError) {
            return [...error.problems];
        }
        throw error;
    }
    return [];
}

describe("admin networks in the stack config", () => {
    it("refuses an IPv6 admin network, naming the key and the reason", () => {
        expect(problemsOf("preprod", (c) => c.access.adminCidrs.push("2001:db8:10::/48"))).toEqual([
            expect.stringMatching(/^svom-fsgs:access\.adminCidrs\[2\]: expected an IPv4 block: .*Octavia refuses an IPv6 source on an IPv4 listener; got "2001:db8:10::\/48"$/),
        ]);
    });

    it("refuses the same network listed twice, naming the repeated entry", () => {
        expect(problemsOf("prod", (c) => c.access.adminCidrs.push(c.access.adminCidrs[0]))).toEqual([
            'svom-fsgs:access.adminCidrs[1]: expected each admin network once (it names the security-group rules that admit it), got "134.158.88.0/24" again (access.adminCidrs[0])',
        ]);
    });

    it("accepts distinct IPv4 networks", () => {
        expect(problemsOf("prod", (c) => c.access.adminCidrs.push("192.0.2.0/24"))).toEqual([]);
    });
});

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
