import { parseStackConfig } from "../components/config/load";
import { StackConfigError } from "../components/config/errors";
import { STACKS, type StackName, configProblems, rawConfig } from "./support/stack-config";

type Raw = Record<string, any>;

const problemsOf = configProblems;

describe("the three stack files", () => {
    it.each(STACKS)("%s is valid", (stack) => {
        expect(() => parseStackConfig(rawConfig(stack))).not.toThrow();
    });

    it("put integration at IJCLab with one control plane, preprod and prod at CC-IN2P3 with three", () => {
        const shape = STACKS.map((stack) => {
            const config = parseStackConfig(rawConfig(stack));
            return [stack, config.site.name, config.cluster.controlPlane.count];
        });
        expect(shape).toEqual([
            ["integration", "ijclab", 1],
            ["preprod", "cc-in2p3", 3],
            ["prod", "cc-in2p3", 3],
        ]);
    });
});

describe("a wrong config is rejected with the key to fix", () => {
    it.each<[string, StackName, (config: Raw) => void, string]>([
        [
            "an even prod control plane",
            "prod",
            (c) => (c.cluster.controlPlane.count = 2),
            "svom-fsgs:cluster.controlPlane.count: prod needs an odd number >= 3 (etcd quorum), got 2",
        ],
        [
            "a single preprod control plane",
            "preprod",
            (c) => (c.cluster.controlPlane.count = 1),
            "svom-fsgs:cluster.controlPlane.count: preprod needs an odd number >= 3 (etcd quorum), got 1",
        ],
        [
            "an even integration control plane",
            "integration",
            (c) => (c.cluster.controlPlane.count = 2),
            "svom-fsgs:cluster.controlPlane.count: expected an odd number",
        ],
        [
            "a worker count written as a word",
            "prod",
            (c) => (c.cluster.workerPools[0].count = "three"),
            'svom-fsgs:cluster.workerPools[0].count: expected a number, got "three"',
        ],
        [
            "a fractional worker count",
            "prod",
            (c) => (c.cluster.workerPools[1].count = 2.5),
            "svom-fsgs:cluster.workerPools[1].count: expected an integer, got 2.5",
        ],
        [
            "a negative data volume",
            "integration",
            (c) => (c.cluster.workerPools[0].dataVolumeSize = -5),
            "svom-fsgs:cluster.workerPools[0].dataVolumeSize: expected a value >= 10, got -5",
        ],
        [
            "too few prod workers",
            "prod",
            (c) => (c.cluster.workerPools = [{ name: "general", count: 2, dataVolumeSize: 100 }]),
            "svom-fsgs:cluster.workerPools: prod needs >= 3 workers",
        ],
        [
            "a world-open admin CIDR in prod",
            "prod",
            (c) => c.access.adminCidrs.push("0.0.0.0/0"),
            "svom-fsgs:access.adminCidrs[1]: prod must not open SSH and the Kubernetes API to the whole Internet",
        ],
        [
            "an IPv6 admin network, which nothing in the stack can serve",
            "preprod",
            (c) => c.access.adminCidrs.push("2001:db8:10::/48"),
            'svom-fsgs:access.adminCidrs[2]: expected an IPv4 block: the bastion, the nodes and the API endpoint have IPv4 addresses only, and Octavia refuses an IPv6 source on an IPv4 listener; got "2001:db8:10::/48"',
        ],
        [
            "an admin network listed twice",
            "prod",
            (c) => c.access.adminCidrs.push(c.access.adminCidrs[0]),
            'svom-fsgs:access.adminCidrs[1]: expected each admin network once (it names the security-group rules that admit it), got "134.158.88.0/24" again (access.adminCidrs[0])',
        ],
        [
            // An IPv6 block is refused on its own (the case above): the stack is IPv4 only.
            "a world-open admin CIDR in preprod",
            "preprod",
            (c) => (c.access.adminCidrs = ["0.0.0.0/0"]),
            "svom-fsgs:access.adminCidrs[0]: preprod must not open",
        ],
        [
            "an address that is not a CIDR",
            "prod",
            (c) => (c.access.adminCidrs[0] = "134.158.88.0"),
            'svom-fsgs:access.adminCidrs[0]: expected a CIDR block like 10.20.0.0/24, got "134.158.88.0"',
        ],
        [
            "a CIDR with host bits",
            "prod",
            (c) => (c.network.nodeCidr = "10.42.10.7/24"),
            "svom-fsgs:network.nodeCidr: expected the network address of the block",
        ],
        [
            "a service CIDR overlapping the nodes",
            "prod",
            (c) => (c.network.serviceCidr = "10.42.0.0/16"),
            "svom-fsgs:network.serviceCidr: expected a block that does not overlap network.nodeCidr (10.42.10.0/24)",
        ],
        [
            "a pod CIDR overlapping the services",
            "preprod",
            (c) => (c.network.podCidr = "10.96.0.0/16"),
            "svom-fsgs:network.serviceCidr: expected a block that does not overlap network.podCidr (10.96.0.0/16)",
        ],
        [
            "a pod CIDR too small for the nodes",
            "prod",
            (c) => (c.network.podCidr = "10.244.0.0/22"),
            'svom-fsgs:network.podCidr: expected room for one /24 per node (10 nodes), got "10.244.0.0/22"',
        ],
        [
            "an unknown site",
            "prod",
            (c) => (c.site.name = "lal"),
            'svom-fsgs:site.name: expected one of "cc-in2p3", "ijclab", got "lal"',
        ],
        [
            "a misspelt key",
            "prod",
            (c) => (c.cluster.workerPool = c.cluster.workerPools),
            "svom-fsgs:cluster.workerPool: unknown key",
        ],
        [
            "a missing key",
            "prod",
            (c) => delete c.site.externalNetwork,
            "svom-fsgs:site.externalNetwork: expected a string, got nothing",
        ],
        [
            "a misspelt top-level key",
            "integration",
            (c) => (c.clustre = {}),
            "svom-fsgs:clustre: unknown key",
        ],
        [
            "an unknown environment",
            "integration",
            (c) => (c.environment = "production"),
            'svom-fsgs:environment: expected one of "integration", "preprod", "prod", got "production"',
        ],
        [
            "an unsupported Kubernetes release",
            "prod",
            (c) => (c.cluster.kubernetesVersion = "1.28.2"),
            'svom-fsgs:cluster.kubernetesVersion: expected a release of a supported minor, 1.',
        ],
        [
            "a Kubernetes version without patch",
            "prod",
            (c) => (c.cluster.kubernetesVersion = "1.35"),
            'svom-fsgs:cluster.kubernetesVersion: expected a full Kubernetes version like 1.36.4, got "1.35"',
        ],
        [
            "a pool name used twice",
            "prod",
            (c) => (c.cluster.workerPools[1].name = "general"),
            'svom-fsgs:cluster.workerPools[1].name: expected a pool name used once (it names the servers), got "general" again',
        ],
        [
            "a pool name that is not a DNS label",
            "prod",
            (c) => (c.cluster.workerPools[1].name = "Stateful_Pool"),
            "svom-fsgs:cluster.workerPools[1].name: expected a lowercase DNS label",
        ],
        [
            "an API endpoint mode that does not exist",
            "prod",
            (c) => (c.cluster.apiEndpoint.mode = "haproxy"),
            'svom-fsgs:cluster.apiEndpoint.mode: expected one of "octavia", "vip", got "haproxy"',
        ],
        [
            "an unknown CNI",
            "prod",
            (c) => (c.cluster.cni = "flannel"),
            'svom-fsgs:cluster.cni: expected one of "calico", "cilium", got "flannel"',
        ],
        [
            "a private key pasted as a public key",
            "prod",
            (c) => (c.access.sshPublicKeys[0] = "-----BEGIN OPENSSH PRIVATE KEY-----"),
            "svom-fsgs:access.sshPublicKeys[0]: expected one OpenSSH public key line",
        ],
        [
            "no DNS server",
            "prod",
            (c) => (c.site.dnsServers = []),
            "svom-fsgs:site.dnsServers: expected at least 1 entry, got []",
        ],
        [
            "a DNS server that is not an address",
            "prod",
            (c) => (c.site.dnsServers = ["ns1.in2p3.fr"]),
            'svom-fsgs:site.dnsServers[0]: expected an IPv4 address, got "ns1.in2p3.fr"',
        ],
    ])("%s", (_, stack, edit, expected) => {
        const problems = problemsOf(stack, edit);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain(expected);
    });

    it("reports every problem at once, malformed keys and rules on the well-formed sections", () => {
        const problems = problemsOf("prod", (c) => {
            c.site.dnsServers = "134.158.88.149";
            c.access.adminCidrs = ["0.0.0.0/0"];
            c.network.serviceCidr = "10.42.0.0/16";
            c.cluster.controlPlane.count = 2;
        });
        expect(problems).toEqual([
            'svom-fsgs:site.dnsServers: expected a list, got "134.158.88.149"',
            "svom-fsgs:cluster.controlPlane.count: prod needs an odd number >= 3 (etcd quorum), got 2",
            'svom-fsgs:access.adminCidrs[0]: prod must not open SSH and the Kubernetes API to the whole Internet; list the admin networks instead, got "0.0.0.0/0"',
            'svom-fsgs:network.serviceCidr: expected a block that does not overlap network.nodeCidr (10.42.10.0/24), got "10.42.0.0/16"',
        ]);
    });

    it("accepts in integration what it refuses in prod", () => {
        expect(problemsOf("integration", (c) => c.access.adminCidrs.push("0.0.0.0/0"))).toEqual([]);
    });

    it("rejects a config that is not a map at all", () => {
        expect(() => parseStackConfig(undefined)).toThrow(StackConfigError);
    });
});
