import { PORTS } from "../../components/config/ports";
import { STRICT_ENVIRONMENTS, type ResourceRule } from "../subject";

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/** The administration ports of rules.ts, every one but the NodePorts (which Services publish on purpose). */
export const ADMIN_PORTS: readonly { name: string; from: number; to: number }[] = Object.entries(PORTS)
    .filter(([name]) => name !== "nodePorts")
    .map(([name, port]) => (typeof port === "number" ? { name, from: port, to: port } : { name, ...port }));

// Neutron reads a missing or "any" protocol as every protocol.
const ANY_PROTOCOL = new Set([undefined, null, "", "any"]);
// UDP too: a daemon listening there on UDP (none does today) must not become reachable by accident.
const PORT_PROTOCOLS = new Set(["tcp", "6", "udp", "17"]);

function describe(port: { name: string; from: number; to: number }): string {
    return `${port.from === port.to ? port.from : `${port.from}-${port.to}`} (${port.name})`;
}

export const worldOpenAdminPorts: ResourceRule = {
    kind: "resource",
    name: "no-world-open-admin-ports",
    description: "No ingress security group rule opens SSH, the Kubernetes API, etcd or the kubelet/controller ports to 0.0.0.0/0 or ::/0.",
    appliesTo: STRICT_ENVIRONMENTS,
    types: ["openstack:networking/secGroupRule:SecGroupRule"],
    check(rule) {
        const props = rule.props;
        if (props.direction === "egress") {
            return [];
        }
        const prefix = props.remoteIpPrefix as string | undefined;
        // Without a remote prefix or group, Neutron matches every source.
        const fromWorld = prefix === undefined || prefix === "" ? props.remoteGroupId === undefined : WORLD.has(prefix);
        if (!fromWorld) {
            return [];
        }
        const source = prefix || "anywhere (no remote prefix or group)";
        const protocol = props.protocol as string | null | undefined;
        if (ANY_PROTOCOL.has(protocol)) {
            return [`security group rule ${rule.name} allows every protocol from ${source}`];
        }
        if (!PORT_PROTOCOLS.has(String(protocol))) {
            return [];
        }
        const from = typeof props.portRangeMin === "number" && props.portRangeMin > 0 ? props.portRangeMin : 1;
        const to = typeof props.portRangeMax === "number" && props.portRangeMax > 0 ? props.portRangeMax : 65535;
        const opened = ADMIN_PORTS.filter((port) => port.from <= to && from <= port.to);
        return opened.length === 0
            ? []
            : [`security group rule ${rule.name} opens ${opened.map(describe).join(", ")} to ${source}`];
    },
};
