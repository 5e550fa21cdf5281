import { serverRoleOf } from "../../components/openstack/server-metadata";
import { STRICT_ENVIRONMENTS, type StackRule, type Violation } from "../subject";

const INSTANCE = "openstack:compute/instance:Instance";
const SERVER_GROUP = "openstack:compute/serverGroup:ServerGroup";

/**
 * etcd keeps quorum only with an odd number of members (3 survive one loss), and only if no two of them share
 * a hypervisor: hence one server group with the hard `anti-affinity` policy for all of them.
 */
export const controlPlaneHa: StackRule = {
    kind: "stack",
    name: "control-plane-ha",
    description: "At least 3 and an odd number of control-plane instances, all in one server group with policies [\"anti-affinity\"].",
    appliesTo: STRICT_ENVIRONMENTS,
    check(stack) {
        const violations: Violation[] = [];
        const controlPlanes = stack.resources.filter((r) => r.type === INSTANCE && serverRoleOf(r.props.metadata) === "control-plane");
        const serverGroups = new Map(stack.resources.filter((r) => r.type === SERVER_GROUP).map((r) => [r.urn, r]));
        const count = controlPlanes.length;
        if (count < 3 || count % 2 === 0) {
            violations.push({
                message: `${count} control-plane instance(s) (${controlPlanes.map((r) => r.name).join(", ") || "none"}): etcd needs an odd number, at least 3`,
            });
        }
        const groupsUsed = new Set<string>();
        for (const instance of controlPlanes) {
            const groups = (instance.links.schedulerHints ?? []).filter((urn) => serverGroups.has(urn));
            if (groups.length !== 1) {
                violations.push({
                    message: `control-plane instance ${instance.name} is scheduled in ${groups.length} server groups of this stack, expected exactly 1`,
                    urn: instance.urn,
                });
            }
            groups.forEach((urn) => groupsUsed.add(urn));
        }
        if (groupsUsed.size > 1) {
            const names = [...groupsUsed].map((urn) => serverGroups.get(urn)?.name).join(", ");
            violations.push({ message: `control-plane instances are spread over server groups ${names}, expected one` });
        }
        for (const urn of groupsUsed) {
            const group = serverGroups.get(urn);
            const policies = group?.props.policies;
            if (!(Array.isArray(policies) && policies.length === 1 && policies[0] === "anti-affinity")) {
                violations.push({
                    message: `server group ${group?.name} of the control plane has policies ${JSON.stringify(policies)}, expected ["anti-affinity"]`,
                    urn,
                });
            }
        }
        return violations;
    },
};
