import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { READ_ADMIN_KUBECONFIG } from "../../components/cluster/kubeadm-cluster";
import { parseCidr } from "../../components/config/cidr";

type Inputs = Record<string, unknown>;

// TEST-NET-3 (RFC 5737): plainly not a real public address in a plan someone reads.
const FLOATING_IP_BLOCK = "203.0.113.0/24";
// Neutron gives the first addresses to the router and the DHCP agents.
const FIRST_FAKE_HOST = 10;

/** What kubeadm writes to admin.conf, with the credentials left out. */
const FAKE_ADMIN_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: kubernetes
    cluster:
      server: https://10.0.0.1:6443
      certificate-authority-data: ZmFrZQ==
contexts:
  - name: kubernetes-admin@kubernetes
    context: { cluster: kubernetes, user: kubernetes-admin }
current-context: kubernetes-admin@kubernetes
users:
  - name: kubernetes-admin
    user: { client-certificate-data: ZmFrZQ==, client-key-data: ZmFrZQ== }
`;

// PKCS#8 prefix of an Ed25519 private key (RFC 8410 section 7), followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** An SSH string (RFC 4251 section 5): a 32-bit length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
}

/**
 * What the tls provider computes for an ED25519 `tls.PrivateKey`, derived from the resource name so renders are
 * stable: a real public key in OpenSSH form (RFC 8709), which ssh-keygen and pulumi-command parse, and a
 * private key that says it is a stand-in (an offline render never boots a server with it).
 */
function fakeEd25519(name: string): Inputs {
    const seed = createHash("sha256").update(`host-key/${name}`).digest();
    const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
    const raw = Buffer.from(String(createPublicKey(privateKey).export({ format: "jwk" }).x), "base64url");
    const blob = Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(raw)]);
    return {
        publicKeyOpenssh: `ssh-ed25519 ${blob.toString("base64")}\n`,
        privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\noffline-render stand-in for ${name}\n-----END OPENSSH PRIVATE KEY-----\n`,
    };
}

/**
 * What the random provider returns for a `random.RandomPassword` of letters and digits, derived from the resource name
 * as the provider's stays in the state: two renders of one program give one password, so an `up` after an `up`
 * changes nothing. A stand-in: an offline render never reaches a broker with it.
 */
function fakePassword(name: string, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const bytes = createHash("sha512").update(`password/${name}`).digest();
    return Array.from({ length }, (_, index) => alphabet[bytes[index % bytes.length] % alphabet.length]).join("");
}

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

/**
 * Addresses drawn from a hash of the resource name, so adding a server leaves the others' addresses as they
 * are, as Neutron does; a collision takes the next free address.
 */
class AddressPool {
    private readonly first: bigint;
    private readonly size: bigint;
    private readonly taken = new Set<bigint>();

    constructor(cidr: string) {
        const block = parseCidr(cidr);
        if (!block || block.family !== 4) {
            throw new Error(`fake cloud: ${cidr} is not an IPv4 block`);
        }
        this.first = block.network + BigInt(FIRST_FAKE_HOST);
        // Leaves the broadcast address and a few at the top, like the first ones at the bottom.
        this.size = 2n ** BigInt(32 - block.prefix) - BigInt(FIRST_FAKE_HOST) - 5n;
    }

    take(name: string): string {
        let offset = BigInt(`0x${createHash("sha256").update(name).digest("hex").slice(0, 8)}`) % this.size;
        while (this.taken.has(offset)) {
            offset = (offset + 1n) % this.size;
        }
        this.taken.add(offset);
        return ipv4(this.first + offset);
    }
}

/**
 * A deterministic stand-in for OpenStack: IDs and addresses derive from resource names, so two renders of one
 * config are identical. An invoke it does not know is an error,
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
        return { id, state: { ...inputs, ...this.computed(args.type, args.name, id, inputs) } };
    }

    /** The outputs OpenStack would compute for a resource. */
    private computed(type: string, name: string, id: string, inputs: Inputs): Inputs {
        switch (type) {
            case "openstack:networking/subnet:Subnet":
                this.subnets.set(id, new AddressPool(String(inputs.cidr)));
                return {};
            case "openstack:networking/port:Port": {
                const fixedIps = (inputs.fixedIps as { subnetId: string }[] | undefined) ?? [];
                return { allFixedIps: fixedIps.map((fixedIp, index) => this.subnet(fixedIp.subnetId).take(`${name}/${index}`)) };
            }
            case "openstack:loadbalancer/loadBalancer:LoadBalancer":
                return {
                    vipAddress: this.subnet(String(inputs.vipSubnetId)).take(name),
                    vipPortId: fakeId("port", `${id}-vip`),
                };
            case "openstack:networking/floatingIp:FloatingIp":
                return { address: this.floatingIps.take(name) };
            case "tls:index/privateKey:PrivateKey":
                return fakeEd25519(name);
            case "random:index/randomPassword:RandomPassword":
                return { result: fakePassword(name, Number(inputs.length)) };
            case "command:remote:Command":
                return { stdout: inputs.create === READ_ADMIN_KUBECONFIG ? FAKE_ADMIN_KUBECONFIG : "", stderr: "" };
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
