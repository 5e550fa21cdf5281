import { parseCidr } from "../config/cidr";
import { CNI_METRICS_PORTS, PORTS, apiEndpointPort } from "../config/ports";
import type { ApiEndpointMode, CniName } from "../config/schema";
import type { OutsideNodePort } from "../config/traffic";

/** The security groups of an environment, one per role a port can play. */
export const SECURITY_ROLES = ["bastion", "controlPlane", "worker", "apiEndpoint"] as const;
export type SecurityRole = (typeof SECURITY_ROLES)[number];

/** The roles whose ports are Kubernetes nodes. */
export const NODE_ROLES: readonly SecurityRole[] = ["controlPlane", "worker"];

export type RuleProtocol = "tcp" | "udp" | "icmp" | "ipip" | "vrrp";

/** Where allowed traffic comes from: an address block or the members of one of our groups. */
export type RuleSource =
    | { kind: "cidr"; cidr: string; why: "admin" | "loadBalancer" | "outside" }
    | { kind: "group"; group: SecurityRole };

/** One ingress rule. Egress keeps Neutron's default (allow all), which nodes need for images and updates. */
export interface SecurityRule {
    /** Stable key derived from the rule's content: it names the Neutron rule, so reordering never churns. */
    id: string;
    /** The group the rule is added to. */
    group: SecurityRole;
    protocol: RuleProtocol;
    /** Inclusive port range; absent for protocols without ports. */
    ports?: { from: number; to: number };
    source: RuleSource;
    ethertype: "IPv4" | "IPv6";
    description: string;
}

export interface RuleTableInput {
    /** Networks of the operators, allowed to SSH to the bastion and to reach the Kubernetes API. */
    adminCidrs: readonly string[];
    /** The node subnet; the Octavia amphorae take their member-side addresses from it. */
    nodeCidr: string;
    cni: CniName;
    apiEndpointMode: ApiEndpointMode;
    /**
     * NodePorts reached from outside the cluster, with their allowed networks (`outsideNodePorts` in
     * config/traffic.ts): opened on the workers to those networks in vip mode; with Octavia only their protocols
     * count, as the amphorae relay from the node subnet.
     */
    outsideNodePorts: readonly OutsideNodePort[];
}

interface CniPort {
    protocol: RuleProtocol;
    ports?: { from: number; to: number };
    description: string;
}

const single = (port: number) => ({ from: port, to: port });

/** Node-to-node traffic of each CNI, from the Calico "Network requirements" and Cilium "Firewall rules" pages. */
export const CNI_PORTS: Record<RuleTableInput["cni"], readonly CniPort[]> = {
    calico: [
        // The Installation renders VXLAN encapsulation with BGP disabled, so neither BGP nor IP-in-IP flows.
        { protocol: "udp", ports: single(4789), description: "Calico VXLAN overlay" },
        { protocol: "tcp", ports: single(5473), description: "Calico Typha" },
    ],
    cilium: [
        { protocol: "udp", ports: single(8472), description: "Cilium VXLAN overlay" },
        { protocol: "tcp", ports: single(4240), description: "Cilium health checks" },
        { protocol: "tcp", ports: single(4244), description: "Hubble server" },
    ],
};

function sourceKey(source: RuleSource): string {
    return source.kind === "group" ? source.group : source.cidr.replace(/[^0-9a-fA-F]+/g, "-");
}

function ethertypeOf(source: RuleSource): "IPv4" | "IPv6" {
    return source.kind === "cidr" && parseCidr(source.cidr)?.family === 6 ? "IPv6" : "IPv4";
}

function rule(
    group: SecurityRole,
    protocol: RuleProtocol,
    ports: { from: number; to: number } | undefined,
    source: RuleSource,
    description: string,
): SecurityRule {
    const portKey = ports ? (ports.from === ports.to ? `${ports.from}` : `${ports.from}-${ports.to}`) : "all";
    return {
        id: `${group}-${protocol}-${portKey}-from-${sourceKey(source)}`,
        group,
        protocol,
        ports,
        source,
        ethertype: ethertypeOf(source),
        description,
    };
}

/** The ingress rules of every security group of an environment. */
export function securityRules(input: RuleTableInput): SecurityRule[] {
    const admins: RuleSource[] = input.adminCidrs.map((cidr) => ({ kind: "cidr", cidr, why: "admin" }));
    const nodes: RuleSource[] = NODE_ROLES.map((group) => ({ kind: "group", group }));
    const controlPlane: RuleSource = { kind: "group", group: "controlPlane" };
    const bastion: RuleSource = { kind: "group", group: "bastion" };
    const loadBalancer: RuleSource = { kind: "cidr", cidr: input.nodeCidr, why: "loadBalancer" };
    const rules: SecurityRule[] = [];

    for (const admin of admins) {
        rules.push(rule("bastion", "tcp", single(PORTS.ssh), admin, "SSH to the bastion from an admin network"));
    }
    for (const role of NODE_ROLES) {
        rules.push(rule(role, "tcp", single(PORTS.ssh), bastion, "SSH to nodes only through the bastion"));
        for (const node of nodes) {
            // ICMP carries path-MTU discovery, which overlay networks inside OpenStack tenant networks need.
            rules.push(rule(role, "icmp", undefined, node, "ICMP among nodes"));
            for (const port of CNI_PORTS[input.cni]) {
                rules.push(rule(role, port.protocol, port.ports, node, `${port.description} among nodes`));
            }
        }
    }

    const endpointPort = single(apiEndpointPort(input.apiEndpointMode));
    for (const node of nodes) {
        // Also carries haproxy's forwarding to every API server in vip mode: it runs on the control planes.
        rules.push(rule("controlPlane", "tcp", single(PORTS.kubeApi), node, "Kubernetes API from nodes"));
        rules.push(rule("apiEndpoint", "tcp", endpointPort, node, "Kubernetes API endpoint from nodes"));
    }
    for (const admin of admins) {
        rules.push(rule("apiEndpoint", "tcp", endpointPort, admin, "Kubernetes API endpoint from an admin network"));
    }
    if (input.apiEndpointMode === "octavia") {
        // The amphorae reach the members from their own ports on the node subnet, not from a group of ours.
        rules.push(rule("controlPlane", "tcp", single(PORTS.kubeApi), loadBalancer, "Kubernetes API from the Octavia load balancer"));
        // LoadBalancer Services created by the cloud-controller-manager forward to NodePorts the same way.
        rules.push(rule("worker", "tcp", PORTS.nodePorts, loadBalancer, "NodePorts from Octavia load balancers"));
        // A UDP listener's amphora forwards UDP to the members' NodePorts (cloud-provider-openstack
        // pkg/openstack/loadbalancer.go maps a Service port's protocol to its listener and pool).
        if (input.outsideNodePorts.some((entry) => entry.protocol === "udp")) {
            rules.push(rule("worker", "udp", PORTS.nodePorts, loadBalancer, "UDP NodePorts from Octavia load balancers"));
        }
    } else {
        // keepalived elects the VIP holder over VRRP, which must flow between the control-plane ports.
        rules.push(rule("controlPlane", "vrrp", undefined, controlPlane, "VRRP for the API VIP"));
        // On the workers only: the Services keep the client's address (externalTrafficPolicy Local), so only a node
        // running one of the pods answers, and neither the proxies nor the FSGS services run on the control plane.
        for (const entry of input.outsideNodePorts) {
            for (const cidr of entry.sources) {
                rules.push(rule("worker", entry.protocol, single(entry.port), { kind: "cidr", cidr, why: "outside" }, `${entry.what} NodePort from an allowed outside network`));
            }
        }
    }
    rules.push(rule("controlPlane", "tcp", PORTS.etcd, controlPlane, "etcd peers and clients among control-plane nodes"));
    for (const role of NODE_ROLES) {
        // metrics-server therefore runs on the control plane: workers never call a kubelet.
        rules.push(rule(role, "tcp", single(PORTS.kubelet), controlPlane, "kubelet API from the control plane"));
        // Prometheus runs on the control plane for the same reason, and scrapes every node's node-exporter from there.
        rules.push(rule(role, "tcp", single(PORTS.nodeExporter), controlPlane, "node-exporter metrics from Prometheus on the control plane"));
        // And the CNI agent's (Calico Felix or cilium-agent), which also listens on the node's own addresses.
        rules.push(rule(role, "tcp", single(CNI_METRICS_PORTS[input.cni]), controlPlane, "CNI agent metrics from Prometheus on the control plane"));
    }
    // Prometheus on one control plane scrapes the other control planes' etcd, controller-manager and scheduler metrics.
    for (const port of [PORTS.etcdMetrics, PORTS.controllerManager, PORTS.scheduler]) {
        rules.push(rule("controlPlane", "tcp", single(port), controlPlane, "control-plane metrics from Prometheus on the control plane"));
    }
    return rules;
}
