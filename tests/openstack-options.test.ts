/**
 * Resource options the README promises for the OpenStack components, on each component built alone under
 * Pulumi's mocks. Data safety: a pool protects and keeps its data volumes when asked. OpenStack resources: "a
 * server is deleted before its replacement boots on the same port (Neutron binds a port to one server)", and so is
 * "a security-group rule (Neutron refuses an identical rule, whatever its description)". Data safety: "The API
 * endpoint (load balancer or VIP port and its floating IP) is protected too". Host keys: the key
 * travels to cloud-init "in user data that is itself a secret". A transformation on the parent sees every
 * descendant's resource options (children inherit their parent's transformations, @pulumi/pulumi resource.ts),
 * and a secret input reaches the mocks wrapped as { [specialSigKey]: specialSecretSig, value } (runtime/rpc.js).
 */
import * as pulumi from "@pulumi/pulumi";
import { NodePool } from "../components/openstack/node-pool";
import { SecurityGroups } from "../components/openstack/security-groups";
import { OctaviaApiEndpoint } from "../components/openstack/octavia-api-endpoint";
import { VipApiEndpoint } from "../components/openstack/vip-api-endpoint";
import { createServer } from "../components/openstack/server";

// @pulumi/pulumi runtime/rpc.ts: specialSigKey and specialSecretSig.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const options = new Map<string, pulumi.CustomResourceOptions>();
const inputs = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
    await pulumi.runtime.setMocks({
        newResource: (args) => {
            inputs.set(`${args.type} ${args.name}`, args.inputs as Record<string, unknown>);
            // The tls provider computes the key pair; a stand-in pair of text is enough for the user data.
            const computed = args.type === "tls:index/privateKey:PrivateKey"
                ? { privateKeyOpenssh: "-----BEGIN OPENSSH PRIVATE KEY-----\nstand-in\n-----END OPENSSH PRIVATE KEY-----\n", publicKeyOpenssh: "ssh-ed25519 AAAAstandin\n" }
                : {};
            return { id: `${args.name}-id`, state: { ...args.inputs, ...computed } };
        },
        call: () => ({}),
    }, "project", "prod", false);
    const parent = new pulumi.ComponentResource("test:index:Parent", "parent", {}, {
        transformations: [(args) => {
            options.set(`${args.type} ${args.name}`, args.opts);
            return undefined;
        }],
    });
    createServer("fsgs-prod-worker-1", {
        flavorName: "m1.large",
        imageId: "image-id",
        sshUser: "debian",
        sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEX operator"],
        keyPairName: "fsgs-prod-deploy",
        networkId: "network-id",
        subnetId: "subnet-id",
        securityGroupIds: ["sg-id"],
        availabilityZone: "nova",
        metadata: { fsgs_role: "worker" },
    }, parent);
    for (const [name, protectData] of [["kept", true], ["scratch", false]] as const) {
        new NodePool(name, {
            count: 1,
            availabilityZones: ["nova"],
            antiAffinity: "soft",
            dataVolumeSize: 100,
            protectData,
            flavorName: "m1.large",
            imageId: "image-id",
            sshUser: "debian",
            sshPublicKeys: [],
            keyPairName: "fsgs-prod-deploy",
            networkId: "network-id",
            subnetId: "subnet-id",
            securityGroupIds: ["sg-id"],
            metadata: { fsgs_role: "worker" },
        }, { parent });
    }
    new SecurityGroups("fsgs-prod-sg", {
        rules: [{
            id: "bastion-ssh-admin",
            group: "bastion",
            protocol: "tcp",
            ports: { from: 22, to: 22 },
            source: { kind: "cidr", cidr: "192.0.2.0/24", why: "admin" },
            ethertype: "IPv4",
            description: "SSH from the operators",
        }],
    }, { parent });
    new VipApiEndpoint("fsgs-api", {
        networkId: "network-id",
        subnetId: "subnet-id",
        securityGroupId: "sg-id",
        floatingIpPool: "public",
        routerInterface: parent,
        protect: true,
    }, { parent });
    new OctaviaApiEndpoint("fsgs-lb-api", {
        subnetId: "subnet-id",
        securityGroupId: "sg-id",
        floatingIpPool: "public",
        routerInterface: parent,
        protect: true,
        allowedCidrs: ["192.0.2.0/24"],
        members: [{ name: "cp-1", address: "10.0.0.11" }],
    }, { parent });
    // Let the registrations reach the mocks.
    await new Promise((resolve) => setTimeout(resolve, 300));
});

describe("a server", () => {
    it("is deleted before its replacement boots on the same port", () => {
        expect(options.get("openstack:compute/instance:Instance fsgs-prod-worker-1")?.deleteBeforeReplace).toBe(true);
    });

    it("hands cloud-init its host key in user data that is a secret", () => {
        const userData = inputs.get("openstack:compute/instance:Instance fsgs-prod-worker-1")?.userData as Record<string, unknown> | undefined;
        expect(userData?.[SIG_KEY]).toBe(SECRET_SIG);
    });
});

describe("README, Data safety: a pool's data volumes", () => {
    // README: "data volumes are `protect`ed and `retainOnDelete`: no `up` or `destroy` deletes them, and removing
    // one from the program leaves it in OpenStack" (in prod; integration and preprod delete them with the stack).
    it("are protected and kept on delete when the pool protects its data", () => {
        const volume = options.get("openstack:blockstorage/volume:Volume kept-1-data");
        expect({ protect: volume?.protect, retainOnDelete: volume?.retainOnDelete }).toEqual({ protect: true, retainOnDelete: true });
    });

    it("are neither protected nor kept otherwise", () => {
        const volume = options.get("openstack:blockstorage/volume:Volume scratch-1-data");
        expect({ protect: volume?.protect, retainOnDelete: volume?.retainOnDelete }).toEqual({ protect: false, retainOnDelete: false });
    });
});

describe("README, OpenStack resources: a security-group rule", () => {
    it("is deleted before its replacement is created, which Neutron would refuse as identical", () => {
        expect(options.get("openstack:networking/secGroupRule:SecGroupRule fsgs-prod-sg-bastion-ssh-admin")?.deleteBeforeReplace).toBe(true);
    });
});

describe("README, Data safety: the API endpoint", () => {
    it("in vip mode, keeps its VIP port and its floating IP protected when asked: certificates and kubeconfigs name them", () => {
        expect([
            options.get("openstack:networking/port:Port fsgs-api-vip")?.protect,
            options.get("openstack:networking/floatingIp:FloatingIp fsgs-api-fip")?.protect,
        ]).toEqual([true, true]);
    });

    it("in octavia mode, keeps its load balancer and its floating IP protected when asked", () => {
        expect([
            options.get("openstack:loadbalancer/loadBalancer:LoadBalancer fsgs-lb-api-lb")?.protect,
            options.get("openstack:networking/floatingIp:FloatingIp fsgs-lb-api-fip")?.protect,
        ]).toEqual([true, true]);
    });
});
