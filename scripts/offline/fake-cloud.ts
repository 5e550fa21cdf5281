import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { parseCidr } from "../../components/config/cidr";

type Inputs = Record<string, unknown>;

// TEST-NET-3 (RFC 5737): plainly not a real public address in a plan someone reads.
const FLOATING_IP_BLOCK = "203.0.113.0/24";
// Neutron hands out the first addresses to the router and the DHCP agents.
const FIRST_FAKE_HOST = 10;

/** `openstack:networking/port:Port` -> `port`. */
function shortType(type: string): string {
    return (type.split(":").pop() ?? type).toLowerCase();
}

function fakeId(kind: string, name: string): string {
    return `${kind}-${createHash("sha256").update(`${kind}/${name}`).digest("hex").slice(0, 12)}`;
}

function ipv4(value: bigint): string {
    return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 255n).toString()).join(".");
}

/** Addresses handed out in order, like Neutron's allocator does in an empty subnet. */
class AddressPool {
    private next: bigint;
    constructor(cidr: string) {
        const block = parseCidr(cidr);
        if (!block || block.family !== 4) {
            throw new Error(`fake cloud: ${cidr} is not an IPv4 block`);
        }
        this.next = block.network + BigInt(FIRST_FAKE_HOST);
    }
    take(): string {
        const address = ipv4(this.next);
        this.next += 1n;
        return address;
    }
}

/**
 * A deterministic stand-in for OpenStack: IDs derive from resource names and addresses are allocated in
 * registration order, so two renders of one config are identical. An invoke it does not know is an error,
 * so the program cannot silently depend on a lookup the offline plan does not model.
 */
export class FakeCloud implements pulumi.runtime.Mocks {
    private readonly subnets = new Map<string, AddressPool>();
    private readonly floatingIps = new AddressPool(FLOATING_IP_BLOCK);

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const inputs = args.inputs as Inputs;
        switch (args.token) {
            case "openstack:networking/getNetwork:getNetwork":
                return { ...inputs, id: fakeId("network", String(inputs.name)), region: "RegionOne" };
            case "openstack:images/getImage:getImage":
                return { ...inputs, id: fakeId("image", String(inputs.name)), region: "RegionOne" };
            default:
                throw new Error(`fake cloud: unexpected invoke ${args.token}; model it in scripts/offline/fake-cloud.ts`);
        }
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Inputs } {
        const inputs = args.inputs as Inputs;
        if (!args.custom) {
            return { id: undefined, state: inputs };
        }
        const id = fakeId(shortType(args.type), args.name);
        return { id, state: { ...inputs, ...this.computed(args.type, id, inputs) } };
    }

    /** The outputs OpenStack would compute for a resource. */
    private computed(type: string, id: string, inputs: Inputs): Inputs {
        switch (type) {
            case "openstack:networking/subnet:Subnet":
                this.subnets.set(id, new AddressPool(String(inputs.cidr)));
                return {};
            case "openstack:networking/port:Port": {
                const fixedIps = (inputs.fixedIps as { subnetId: string }[] | undefined) ?? [];
                return { allFixedIps: fixedIps.map((fixedIp) => this.subnet(fixedIp.subnetId).take()) };
            }
            case "openstack:loadbalancer/loadBalancer:LoadBalancer":
                return {
                    vipAddress: this.subnet(String(inputs.vipSubnetId)).take(),
                    vipPortId: fakeId("port", `${id}-vip`),
                };
            case "openstack:networking/floatingIp:FloatingIp":
                return { address: this.floatingIps.take() };
            default:
                return {};
        }
    }

    private subnet(id: string): AddressPool {
        const pool = this.subnets.get(id);
        if (!pool) {
            throw new Error(`fake cloud: port on unknown subnet ${id}`);
        }
        return pool;
    }
}
