import { parseCatalog, readCatalog } from "../components/config/catalog";
import { parseStackConfig } from "../components/config/load";
import type { StackConfig } from "../components/config/schema";
import { PORTS, apiEndpointPort } from "../components/config/ports";
import { outsideNodePorts } from "../components/config/traffic";
import { NODE_ROLES, SECURITY_ROLES, type SecurityRule, securityRules } from "../components/openstack/rules";
import { ROOT, STACKS, rawConfig } from "./support/stack-config";

const catalog = parseCatalog(readCatalog(ROOT));

const rulesOf = (config: StackConfig) =>
    securityRules({
        adminCidrs: config.access.adminCidrs,
        nodeCidr: config.network.nodeCidr,
        cni: config.cluster.cni,
        apiEndpointMode: config.cluster.apiEndpoint.mode,
        outsideNodePorts: outsideNodePorts(config, catalog),
    });

const opens = (rule: SecurityRule, port: number) =>
    (rule.protocol === "tcp" || rule.protocol === "udp") && rule.ports !== undefined && rule.ports.from <= port && port <= rule.ports.to;

const sourceOf = (rule: SecurityRule) => (rule.source.kind === "group" ? `group:${rule.source.group}` : `cidr:${rule.source.cidr}`);

const variants: [string, StackConfig][] = STACKS.flatMap((stack) => {
    const config = parseStackConfig(rawConfig(stack));
    const flip = (edit: (c: StackConfig) => void): StackConfig => {
        const copy = structuredClone(config);
        edit(copy);
        return copy;
    };
    return [
        [stack, config],
        [`${stack} with cilium`, flip((c) => (c.cluster.cni = "cilium"))],
        [`${stack} in ${config.cluster.apiEndpoint.mode === "vip" ? "octavia" : "vip"} mode`, flip((c) => (c.cluster.apiEndpoint.mode = c.cluster.apiEndpoint.mode === "vip" ? "octavia" : "vip"))],
    ];
});

describe.each(variants)("the security rules of %s", (_, config) => {
    // Computed in each test, so that mutation testing's per-test coverage applies (tests/mutation/).
    let rules: SecurityRule[];
    beforeEach(() => {
        rules = rulesOf(config);
    });
    const admin = new Set(config.access.adminCidrs.map((cidr) => `cidr:${cidr}`));
    const nodes = new Set(["group:controlPlane", "group:worker"]);
    const loadBalancer = `cidr:${config.network.nodeCidr}`;

    it("never open an admin port to the whole Internet", () => {
        const sensitive = [PORTS.ssh, PORTS.kubeApi, PORTS.haproxyApi, PORTS.etcd.from, PORTS.etcd.to, PORTS.kubelet, PORTS.controllerManager, PORTS.scheduler];
        const worldOpen = rules.filter(
            (rule) => rule.source.kind === "cidr" && rule.source.cidr.endsWith("/0") && sensitive.some((port) => opens(rule, port)),
        );
        expect(worldOpen).toEqual([]);
    });

    it("let SSH reach the bastion only from admin networks, and the nodes only from the bastion", () => {
        const ssh = rules.filter((rule) => opens(rule, PORTS.ssh));
        for (const rule of ssh) {
            if (rule.group === "bastion") {
                expect(admin.has(sourceOf(rule))).toBe(true);
            } else {
                expect(["controlPlane", "worker"]).toContain(rule.group);
                expect(sourceOf(rule)).toBe("group:bastion");
            }
        }
        expect(ssh.filter((rule) => rule.group === "bastion").map(sourceOf).sort()).toEqual([...admin].sort());
    });

    it("let the API servers' 6443 in only from nodes and the load balancer", () => {
        const allowed = new Set([...nodes, loadBalancer]);
        for (const rule of rules.filter((r) => opens(r, PORTS.kubeApi) && r.group !== "apiEndpoint")) {
            expect([rule.group, allowed.has(sourceOf(rule))]).toEqual(["controlPlane", true]);
        }
    });

    it("let the API endpoint's port in only from admin networks and nodes", () => {
        const port = apiEndpointPort(config.cluster.apiEndpoint.mode);
        const endpointRules = rules.filter((rule) => rule.group === "apiEndpoint");
        expect(endpointRules.every((rule) => rule.protocol === "tcp" && rule.ports?.from === port && rule.ports.to === port)).toBe(true);
        expect(endpointRules.map(sourceOf).sort()).toEqual([...admin, ...nodes].sort());
    });

    it("keep etcd among control-plane nodes", () => {
        const etcd = rules.filter((rule) => opens(rule, PORTS.etcd.from) || opens(rule, PORTS.etcd.to));
        expect(etcd.length).toBeGreaterThan(0);
        expect(etcd.map((rule) => [rule.group, sourceOf(rule)])).toEqual(etcd.map(() => ["controlPlane", "group:controlPlane"]));
    });

    it("let only the control plane call a kubelet", () => {
        const kubelet = rules.filter((rule) => opens(rule, PORTS.kubelet));
        expect(kubelet.map(sourceOf)).toEqual(kubelet.map(() => "group:controlPlane"));
        expect(kubelet.map((rule) => rule.group).sort()).toEqual(["controlPlane", "worker"]);
    });

    it("open the control-plane metrics ports (controller-manager, scheduler, etcd metrics) to control planes only, for Prometheus", () => {
        for (const port of [PORTS.controllerManager, PORTS.scheduler, PORTS.etcdMetrics]) {
            const open = rules.filter((rule) => opens(rule, port));
            expect([port, open.map((rule) => `${rule.group}<-${sourceOf(rule)}`)]).toEqual([port, ["controlPlane<-group:controlPlane"]]);
        }
    });

    it("let node-exporter be scraped on every node from the control plane only", () => {
        const open = rules.filter((rule) => opens(rule, PORTS.nodeExporter));
        expect(open.map((rule) => `${rule.group}<-${sourceOf(rule)}`).sort()).toEqual(["controlPlane<-group:controlPlane", "worker<-group:controlPlane"]);
    });

    it("let the CNI agent's metrics (Felix 9091, cilium-agent 9962) be scraped on every node from the control plane only", () => {
        const port = { calico: 9091, cilium: 9962 }[config.cluster.cni];
        const open = rules.filter((rule) => opens(rule, port));
        expect(open.map((rule) => `${rule.group}<-${sourceOf(rule)} ${rule.protocol}`).sort()).toEqual(["controlPlane<-group:controlPlane tcp", "worker<-group:controlPlane tcp"]);
    });

    it("let NodePorts in only on workers: the whole range from the load balancer with Octavia, the Gateway's and vhf-listener's own from their declared networks in vip mode", () => {
        const inRange = rules.filter((rule) => rule.ports !== undefined && rule.ports.from >= PORTS.nodePorts.from && rule.ports.to <= PORTS.nodePorts.to);
        expect(inRange.every((rule) => rule.group === "worker")).toBe(true);
        const vhf = config.services["vhf-listener"]?.exposeSourceRanges ?? [];
        const expected =
            config.cluster.apiEndpoint.mode === "octavia"
                ? [["tcp", "30000-32767", loadBalancer], ...(vhf.length > 0 ? [["udp", "30000-32767", loadBalancer]] : [])]
                : [
                      ...config.access.adminCidrs.flatMap((cidr) => [["tcp", "30080", `cidr:${cidr}`], ["tcp", "30443", `cidr:${cidr}`]]),
                      ...vhf.flatMap((cidr) => [["tcp", "30900", `cidr:${cidr}`], ["udp", "30900", `cidr:${cidr}`]]),
                  ];
        const seen = inRange.map((rule) => [rule.protocol, rule.ports!.from === rule.ports!.to ? `${rule.ports!.from}` : `${rule.ports!.from}-${rule.ports!.to}`, sourceOf(rule)]);
        const order = (rows: string[][]) => rows.map((row) => row.join(" ")).sort();
        expect(order(seen)).toEqual(order(expected));
    });

    it("carry the CNI's overlay only among nodes", () => {
        const overlay = config.cluster.cni === "calico" ? { protocol: "udp", port: 4789 } : { protocol: "udp", port: 8472 };
        const rulesForOverlay = rules.filter((rule) => rule.protocol === overlay.protocol && opens(rule, overlay.port));
        expect(rulesForOverlay).toHaveLength(4);
        for (const rule of rulesForOverlay) {
            expect(nodes.has(sourceOf(rule))).toBe(true);
            expect(["controlPlane", "worker"]).toContain(rule.group);
        }
    });

    it("let keepalived's VRRP flow between control planes exactly in vip mode", () => {
        const vrrp = rules.filter((rule) => rule.protocol === "vrrp");
        expect(vrrp.map((rule) => [rule.group, sourceOf(rule)])).toEqual(
            config.cluster.apiEndpoint.mode === "vip" ? [["controlPlane", "group:controlPlane"]] : [],
        );
    });

    it("name every rule uniquely", () => {
        expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
    });
});

describe("rule names", () => {
    it("do not change when the admin networks are listed in another order", () => {
        const config = parseStackConfig(rawConfig("integration"));
        const reordered = structuredClone(config);
        reordered.access.adminCidrs.reverse();
        const ids = (c: StackConfig) => rulesOf(c).map((rule) => rule.id).sort();
        expect(ids(reordered)).toEqual(ids(config));
    });

    it("give an IPv6 admin network an IPv6 rule", () => {
        const config = parseStackConfig(rawConfig("prod"));
        config.access.adminCidrs = ["2001:660:3001::/48"];
        const ssh = rulesOf(config).find((rule) => rule.group === "bastion");
        expect(ssh?.ethertype).toBe("IPv6");
    });
});

/** A rule as one line: its Neutron name, then what it lets in, from where, and its description. */
const line = (rule: SecurityRule): string => {
    const ports = rule.ports ? `${rule.ports.from}-${rule.ports.to}` : "-";
    const source = rule.source.kind === "group" ? `group ${rule.source.group}` : `${rule.source.cidr} (${rule.source.why})`;
    return `${rule.id}: ${rule.group} ${rule.protocol} ${ports} from ${source} ${rule.ethertype}; ${rule.description}`;
};

describe("the whole rule table, written out", () => {
    it("of a vip-mode Calico stack with one admin network", () => {
        const rules = securityRules({
            adminCidrs: ["192.0.2.0/24"],
            nodeCidr: "10.42.10.0/24",
            cni: "calico",
            apiEndpointMode: "vip",
            outsideNodePorts: [
                { what: "Gateway HTTPS", protocol: "tcp", port: 30443, sources: ["198.51.100.0/24", "2001:db8::/32"] },
                { what: "vhf-listener", protocol: "udp", port: 30900, sources: ["203.0.113.0/24"] },
            ],
        });
        expect(rules.map(line)).toEqual([
            "bastion-tcp-22-from-192-0-2-0-24: bastion tcp 22-22 from 192.0.2.0/24 (admin) IPv4; SSH to the bastion from an admin network",
            "controlPlane-tcp-22-from-bastion: controlPlane tcp 22-22 from group bastion IPv4; SSH to nodes only through the bastion",
            "controlPlane-icmp-all-from-controlPlane: controlPlane icmp - from group controlPlane IPv4; ICMP among nodes",
            "controlPlane-udp-4789-from-controlPlane: controlPlane udp 4789-4789 from group controlPlane IPv4; Calico VXLAN overlay among nodes",
            "controlPlane-tcp-5473-from-controlPlane: controlPlane tcp 5473-5473 from group controlPlane IPv4; Calico Typha among nodes",
            "controlPlane-icmp-all-from-worker: controlPlane icmp - from group worker IPv4; ICMP among nodes",
            "controlPlane-udp-4789-from-worker: controlPlane udp 4789-4789 from group worker IPv4; Calico VXLAN overlay among nodes",
            "controlPlane-tcp-5473-from-worker: controlPlane tcp 5473-5473 from group worker IPv4; Calico Typha among nodes",
            "worker-tcp-22-from-bastion: worker tcp 22-22 from group bastion IPv4; SSH to nodes only through the bastion",
            "worker-icmp-all-from-controlPlane: worker icmp - from group controlPlane IPv4; ICMP among nodes",
            "worker-udp-4789-from-controlPlane: worker udp 4789-4789 from group controlPlane IPv4; Calico VXLAN overlay among nodes",
            "worker-tcp-5473-from-controlPlane: worker tcp 5473-5473 from group controlPlane IPv4; Calico Typha among nodes",
            "worker-icmp-all-from-worker: worker icmp - from group worker IPv4; ICMP among nodes",
            "worker-udp-4789-from-worker: worker udp 4789-4789 from group worker IPv4; Calico VXLAN overlay among nodes",
            "worker-tcp-5473-from-worker: worker tcp 5473-5473 from group worker IPv4; Calico Typha among nodes",
            "controlPlane-tcp-6443-from-controlPlane: controlPlane tcp 6443-6443 from group controlPlane IPv4; Kubernetes API from nodes",
            "apiEndpoint-tcp-8443-from-controlPlane: apiEndpoint tcp 8443-8443 from group controlPlane IPv4; Kubernetes API endpoint from nodes",
            "controlPlane-tcp-6443-from-worker: controlPlane tcp 6443-6443 from group worker IPv4; Kubernetes API from nodes",
            "apiEndpoint-tcp-8443-from-worker: apiEndpoint tcp 8443-8443 from group worker IPv4; Kubernetes API endpoint from nodes",
            "apiEndpoint-tcp-8443-from-192-0-2-0-24: apiEndpoint tcp 8443-8443 from 192.0.2.0/24 (admin) IPv4; Kubernetes API endpoint from an admin network",
            "controlPlane-vrrp-all-from-controlPlane: controlPlane vrrp - from group controlPlane IPv4; VRRP for the API VIP",
            "worker-tcp-30443-from-198-51-100-0-24: worker tcp 30443-30443 from 198.51.100.0/24 (outside) IPv4; Gateway HTTPS NodePort from an allowed outside network",
            "worker-tcp-30443-from-2001-db8-32: worker tcp 30443-30443 from 2001:db8::/32 (outside) IPv6; Gateway HTTPS NodePort from an allowed outside network",
            "worker-udp-30900-from-203-0-113-0-24: worker udp 30900-30900 from 203.0.113.0/24 (outside) IPv4; vhf-listener NodePort from an allowed outside network",
            "controlPlane-tcp-2379-2380-from-controlPlane: controlPlane tcp 2379-2380 from group controlPlane IPv4; etcd peers and clients among control-plane nodes",
            "controlPlane-tcp-10250-from-controlPlane: controlPlane tcp 10250-10250 from group controlPlane IPv4; kubelet API from the control plane",
            "controlPlane-tcp-9100-from-controlPlane: controlPlane tcp 9100-9100 from group controlPlane IPv4; node-exporter metrics from Prometheus on the control plane",
            "controlPlane-tcp-9091-from-controlPlane: controlPlane tcp 9091-9091 from group controlPlane IPv4; CNI agent metrics from Prometheus on the control plane",
            "worker-tcp-10250-from-controlPlane: worker tcp 10250-10250 from group controlPlane IPv4; kubelet API from the control plane",
            "worker-tcp-9100-from-controlPlane: worker tcp 9100-9100 from group controlPlane IPv4; node-exporter metrics from Prometheus on the control plane",
            "worker-tcp-9091-from-controlPlane: worker tcp 9091-9091 from group controlPlane IPv4; CNI agent metrics from Prometheus on the control plane",
            "controlPlane-tcp-2381-from-controlPlane: controlPlane tcp 2381-2381 from group controlPlane IPv4; control-plane metrics from Prometheus on the control plane",
            "controlPlane-tcp-10257-from-controlPlane: controlPlane tcp 10257-10257 from group controlPlane IPv4; control-plane metrics from Prometheus on the control plane",
            "controlPlane-tcp-10259-from-controlPlane: controlPlane tcp 10259-10259 from group controlPlane IPv4; control-plane metrics from Prometheus on the control plane",
        ]);
    });

    it("of an Octavia Cilium stack with an IPv4 and an IPv6 admin network", () => {
        const rules = securityRules({
            adminCidrs: ["192.0.2.0/24", "2001:db8::/32"],
            nodeCidr: "10.42.10.0/24",
            cni: "cilium",
            apiEndpointMode: "octavia",
            // With Octavia only the protocol counts: the amphorae relay from the node subnet.
            outsideNodePorts: [{ what: "vhf-listener", protocol: "udp", port: 30900, sources: ["203.0.113.0/24"] }],
        });
        const nodeRules = (role: string, from: string) => [
            `${role}-icmp-all-from-${from}: ${role} icmp - from group ${from} IPv4; ICMP among nodes`,
            `${role}-udp-8472-from-${from}: ${role} udp 8472-8472 from group ${from} IPv4; Cilium VXLAN overlay among nodes`,
            `${role}-tcp-4240-from-${from}: ${role} tcp 4240-4240 from group ${from} IPv4; Cilium health checks among nodes`,
            `${role}-tcp-4244-from-${from}: ${role} tcp 4244-4244 from group ${from} IPv4; Hubble server among nodes`,
        ];
        expect(rules.map(line)).toEqual([
            "bastion-tcp-22-from-192-0-2-0-24: bastion tcp 22-22 from 192.0.2.0/24 (admin) IPv4; SSH to the bastion from an admin network",
            "bastion-tcp-22-from-2001-db8-32: bastion tcp 22-22 from 2001:db8::/32 (admin) IPv6; SSH to the bastion from an admin network",
            "controlPlane-tcp-22-from-bastion: controlPlane tcp 22-22 from group bastion IPv4; SSH to nodes only through the bastion",
            ...nodeRules("controlPlane", "controlPlane"),
            ...nodeRules("controlPlane", "worker"),
            "worker-tcp-22-from-bastion: worker tcp 22-22 from group bastion IPv4; SSH to nodes only through the bastion",
            ...nodeRules("worker", "controlPlane"),
            ...nodeRules("worker", "worker"),
            "controlPlane-tcp-6443-from-controlPlane: controlPlane tcp 6443-6443 from group controlPlane IPv4; Kubernetes API from nodes",
            "apiEndpoint-tcp-6443-from-controlPlane: apiEndpoint tcp 6443-6443 from group controlPlane IPv4; Kubernetes API endpoint from nodes",
            "controlPlane-tcp-6443-from-worker: controlPlane tcp 6443-6443 from group worker IPv4; Kubernetes API from nodes",
            "apiEndpoint-tcp-6443-from-worker: apiEndpoint tcp 6443-6443 from group worker IPv4; Kubernetes API endpoint from nodes",
            "apiEndpoint-tcp-6443-from-192-0-2-0-24: apiEndpoint tcp 6443-6443 from 192.0.2.0/24 (admin) IPv4; Kubernetes API endpoint from an admin network",
            "apiEndpoint-tcp-6443-from-2001-db8-32: apiEndpoint tcp 6443-6443 from 2001:db8::/32 (admin) IPv6; Kubernetes API endpoint from an admin network",
            "controlPlane-tcp-6443-from-10-42-10-0-24: controlPlane tcp 6443-6443 from 10.42.10.0/24 (loadBalancer) IPv4; Kubernetes API from the Octavia load balancer",
            "worker-tcp-30000-32767-from-10-42-10-0-24: worker tcp 30000-32767 from 10.42.10.0/24 (loadBalancer) IPv4; NodePorts from Octavia load balancers",
            "worker-udp-30000-32767-from-10-42-10-0-24: worker udp 30000-32767 from 10.42.10.0/24 (loadBalancer) IPv4; UDP NodePorts from Octavia load balancers",
            "controlPlane-tcp-2379-2380-from-controlPlane: controlPlane tcp 2379-2380 from group controlPlane IPv4; etcd peers and clients among control-plane nodes",
            "controlPlane-tcp-10250-from-controlPlane: controlPlane tcp 10250-10250 from group controlPlane IPv4; kubelet API from the control plane",
            "controlPlane-tcp-9100-from-controlPlane: controlPlane tcp 9100-9100 from group controlPlane IPv4; node-exporter metrics from Prometheus on the control plane",
            "controlPlane-tcp-9962-from-controlPlane: controlPlane tcp 9962-9962 from group controlPlane IPv4; CNI agent metrics from Prometheus on the control plane",
            "worker-tcp-10250-from-controlPlane: worker tcp 10250-10250 from group controlPlane IPv4; kubelet API from the control plane",
            "worker-tcp-9100-from-controlPlane: worker tcp 9100-9100 from group controlPlane IPv4; node-exporter metrics from Prometheus on the control plane",
            "worker-tcp-9962-from-controlPlane: worker tcp 9962-9962 from group controlPlane IPv4; CNI agent metrics from Prometheus on the control plane",
            "controlPlane-tcp-2381-from-controlPlane: controlPlane tcp 2381-2381 from group controlPlane IPv4; control-plane metrics from Prometheus on the control plane",
            "controlPlane-tcp-10257-from-controlPlane: controlPlane tcp 10257-10257 from group controlPlane IPv4; control-plane metrics from Prometheus on the control plane",
            "controlPlane-tcp-10259-from-controlPlane: controlPlane tcp 10259-10259 from group controlPlane IPv4; control-plane metrics from Prometheus on the control plane",
        ]);
    });

    it("makes one security group per role a port plays, and counts the control planes and workers as nodes", () => {
        // security-groups.ts creates one Neutron group per entry: a missing role leaves its ports without a group.
        expect([...SECURITY_ROLES]).toEqual(["bastion", "controlPlane", "worker", "apiEndpoint"]);
        expect([...NODE_ROLES]).toEqual(["controlPlane", "worker"]);
    });
    // The ports themselves are written out in tests/ports.test.ts.
});

describe("traffic from outside in vip mode", () => {
    const integration = parseStackConfig(rawConfig("integration"));

    it("opens exactly what integration's stack file declares, written out: the Gateway to the two admin networks, vhf-listener to its one network", () => {
        const outside = rulesOf(integration).filter((rule) => rule.source.kind === "cidr" && rule.source.why === "outside");
        expect(outside.map((rule) => rule.id).sort()).toEqual([
            "worker-tcp-30080-from-134-158-64-0-20",
            "worker-tcp-30080-from-134-158-88-0-24",
            "worker-tcp-30443-from-134-158-64-0-20",
            "worker-tcp-30443-from-134-158-88-0-24",
            "worker-tcp-30900-from-192-0-2-0-24",
            "worker-udp-30900-from-192-0-2-0-24",
        ]);
    });

    it("keeps the name of every rule that existed before outside traffic was opened (their URNs)", () => {
        const before = securityRules({ adminCidrs: integration.access.adminCidrs, nodeCidr: integration.network.nodeCidr, cni: "calico", apiEndpointMode: "vip", outsideNodePorts: [] });
        const after = rulesOf(integration);
        const kept = after.filter((rule) => before.some((old) => old.id === rule.id));
        expect(kept.map((rule) => rule.id).sort()).toEqual(before.map((rule) => rule.id).sort());
        expect(after.length - before.length).toBe(6);
    });

    it("gives an IPv6 source network an IPv6 rule", () => {
        const config = structuredClone(integration);
        config.services["vhf-listener"] = { ...config.services["vhf-listener"], exposeSourceRanges: ["2001:660:3001::/48"] };
        const udp = rulesOf(config).find((rule) => rule.protocol === "udp" && rule.ports?.from === 30900);
        expect([udp?.ethertype, udp?.id]).toEqual(["IPv6", "worker-udp-30900-from-2001-660-3001-48"]);
    });

    it("opens nothing from outside when the stack keeps vhf-listener closed and is in octavia mode", () => {
        const config = structuredClone(integration);
        config.cluster.apiEndpoint.mode = "octavia";
        config.services["vhf-listener"] = { ...config.services["vhf-listener"], exposeSourceRanges: [] };
        expect(rulesOf(config).filter((rule) => rule.source.kind === "cidr" && rule.source.why === "outside")).toEqual([]);
        expect(rulesOf(config).filter((rule) => rule.protocol === "udp" && rule.ports?.from === PORTS.nodePorts.from)).toEqual([]);
    });
});
