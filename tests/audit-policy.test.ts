import { auditPolicy } from "../components/cluster/audit-policy";

/** A request as the API server's audit policy sees it. */
interface Request {
    user: string;
    groups: string[];
    verb: string;
    group: string;
    resource: string;
    namespace?: string;
}
interface ResourceRule {
    group?: string;
    resources?: string[];
}
interface Rule {
    level: string;
    users?: string[];
    userGroups?: string[];
    verbs?: string[];
    namespaces?: string[];
    resources?: ResourceRule[];
    nonResourceURLs?: string[];
}

/**
 * The API server's evaluation, written from the audit.k8s.io/v1 reference ("Audit policy": rules are
 * evaluated in order, the first matching rule sets the level; an empty list in a rule matches everything),
 * not from the policy under test.
 */
function levelOf(request: Request): string {
    const rules = auditPolicy().rules as Rule[];
    const matches = (rule: Rule) =>
        !rule.nonResourceURLs &&
        (!rule.users || rule.users.includes(request.user)) &&
        (!rule.userGroups || rule.userGroups.some((group) => request.groups.includes(group))) &&
        (!rule.verbs || rule.verbs.includes(request.verb)) &&
        (!rule.namespaces || (request.namespace !== undefined && rule.namespaces.includes(request.namespace))) &&
        (!rule.resources ||
            rule.resources.some((resource) => (resource.group ?? "") === request.group && (!resource.resources || resource.resources.includes(request.resource))));
    return rules.find(matches)?.level ?? "None";
}

const lease = { group: "coordination.k8s.io", resource: "leases" };

describe("audit policy", () => {
    // Every kubelet renews its Lease in kube-node-lease every 10 s, and each controller-manager and scheduler
    // its leader-election Lease every 2 s: at Request level that is most of the audit log, and nothing to audit.
    it("does not record the kubelets' heartbeats", () => {
        const heartbeat = { user: "system:node:fsgs-prod-general-1", groups: ["system:nodes", "system:authenticated"], verb: "update", namespace: "kube-node-lease", ...lease };
        expect(levelOf(heartbeat)).toBe("None");
    });

    it.each(["system:kube-controller-manager", "system:kube-scheduler"])("does not record %s renewing its leader lease", (user) => {
        expect(levelOf({ user, groups: ["system:authenticated"], verb: "update", namespace: "kube-system", ...lease })).toBe("None");
    });

    it("records anyone else's lease change as metadata, not its body", () => {
        expect(levelOf({ user: "alice", groups: ["system:authenticated"], verb: "update", namespace: "kube-system", ...lease })).toBe("Metadata");
    });

    it("still records other changes with their request, and Secrets as metadata only", () => {
        expect(levelOf({ user: "alice", groups: [], verb: "patch", group: "apps", resource: "deployments", namespace: "fsgs" })).toBe("Request");
        expect(levelOf({ user: "alice", groups: [], verb: "create", group: "", resource: "secrets", namespace: "fsgs" })).toBe("Metadata");
    });
});
