import { parse } from "yaml";
import { renderAuditPolicy } from "../components/cluster/audit-policy";

/** A request as the API server's audit policy sees it: a resource request, or a non-resource one (`path`). */
interface Request {
    user: string;
    groups: string[];
    verb: string;
    group?: string;
    resource?: string;
    subresource?: string;
    namespace?: string;
    path?: string;
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

const some = (list: readonly unknown[] | undefined): list is unknown[] => list !== undefined && list.length > 0;

/**
 * The API server's evaluation, ported from k8s.io/apiserver pkg/audit/policy/checker.go (ruleMatches,
 * ruleMatchesResource, ruleMatchesNonResource, pathMatches; resourceNames and the wildcard subresource patterns are
 * left out, the policy uses none), not from the policy under test: rules in order, the first match sets the level,
 * an empty list matches everything, no match is level None (DefaultAuditLevel).
 */
function ruleMatches(rule: Rule, request: Request): boolean {
    if (some(rule.users) && !rule.users.includes(request.user)) return false;
    if (some(rule.userGroups) && !rule.userGroups.some((group) => request.groups.includes(group))) return false;
    if (some(rule.verbs) && !rule.verbs.includes(request.verb)) return false;
    const isResourceRequest = request.path === undefined;
    if (some(rule.namespaces) || some(rule.resources)) {
        if (!isResourceRequest) return false;
        // Non-namespaced resources use the empty string.
        if (some(rule.namespaces) && !rule.namespaces.includes(request.namespace ?? "")) return false;
        if (!some(rule.resources)) return true;
        const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
        return rule.resources.some(
            (entry) => (entry.group ?? "") === (request.group ?? "") && (!some(entry.resources) || entry.resources.some((resource) => resource === combined || resource === "*")),
        );
    }
    if (some(rule.nonResourceURLs)) {
        const path = request.path;
        if (path === undefined) return false;
        return rule.nonResourceURLs.some((spec) => spec === "*" || spec === path || (spec.endsWith("*") && path.startsWith(spec.replace(/\*+$/, ""))));
    }
    return true;
}

/** The policy as the API server reads it: the rendered file (--audit-policy-file). */
const renderedPolicy = (): { apiVersion: string; kind: string; omitStages: string[]; rules: Rule[] } => parse(renderAuditPolicy());

function levelOf(request: Request): string {
    return renderedPolicy().rules.find((rule) => ruleMatches(rule, request))?.level ?? "None";
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

    const alice = { user: "alice", groups: ["system:authenticated"] };
    const node = { user: "system:node:fsgs-prod-general-1", groups: ["system:nodes", "system:authenticated"] };
    const kubeProxy = { user: "system:kube-proxy", groups: ["system:authenticated"] };

    it.each([
        ["/healthz", "None"],
        ["/livez", "None"],
        ["/readyz/etcd", "None"],
        ["/version", "None"],
        ["/metrics", "None"],
        // Not a probe: a read like any other.
        ["/openapi/v3", "Metadata"],
    ])("treats a GET of %s as %s", (path, level) => {
        expect(levelOf({ ...alice, verb: "get", path })).toBe(level);
    });

    it("records a non-resource write nobody listed as metadata, the policy's last rule", () => {
        expect(levelOf({ ...alice, verb: "post", path: "/logs" })).toBe("Metadata");
    });

    it.each([
        ["kube-proxy watching Endpoints", "None", { ...kubeProxy, verb: "watch", group: "", resource: "endpoints", namespace: "fsgs" }],
        ["kube-proxy watching Services", "None", { ...kubeProxy, verb: "watch", group: "", resource: "services", namespace: "fsgs" }],
        ["kube-proxy watching a Service's status", "None", { ...kubeProxy, verb: "watch", group: "", resource: "services", subresource: "status", namespace: "fsgs" }],
        ["kube-proxy listing Endpoints", "Metadata", { ...kubeProxy, verb: "list", group: "", resource: "endpoints", namespace: "fsgs" }],
        ["kube-proxy watching Pods", "Metadata", { ...kubeProxy, verb: "watch", group: "", resource: "pods", namespace: "fsgs" }],
        ["someone else watching Endpoints", "Metadata", { ...alice, verb: "watch", group: "", resource: "endpoints", namespace: "fsgs" }],
        ["a kubelet reading its Node", "None", { ...node, verb: "get", group: "", resource: "nodes" }],
        ["a kubelet reading its Node's status", "None", { ...node, verb: "get", group: "", resource: "nodes", subresource: "status" }],
        ["a kubelet updating its Node's status", "Request", { ...node, verb: "patch", group: "", resource: "nodes", subresource: "status" }],
        ["a kubelet reading a Pod", "Metadata", { ...node, verb: "get", group: "", resource: "pods", namespace: "fsgs" }],
        ["someone reading a Node", "Metadata", { ...alice, verb: "get", group: "", resource: "nodes" }],
        ["a core Event", "None", { ...alice, verb: "create", group: "", resource: "events", namespace: "fsgs" }],
        ["an events.k8s.io Event", "None", { ...alice, verb: "create", group: "events.k8s.io", resource: "events", namespace: "fsgs" }],
        ["a kubelet creating its Lease", "Metadata", { ...node, verb: "create", group: "coordination.k8s.io", resource: "leases", namespace: "kube-node-lease" }],
        ["the scheduler renewing a Lease outside kube-system", "Metadata", { user: "system:kube-scheduler", groups: [], verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: "fsgs" }],
        ["the controller-manager deleting its Lease", "Metadata", { user: "system:kube-controller-manager", groups: [], verb: "delete", group: "coordination.k8s.io", resource: "leases", namespace: "kube-system" }],
        ["a Secret read", "Metadata", { ...alice, verb: "get", group: "", resource: "secrets", namespace: "fsgs" }],
        ["a ConfigMap change", "Metadata", { ...alice, verb: "update", group: "", resource: "configmaps", namespace: "fsgs" }],
        ["a ServiceAccount token request", "Metadata", { ...alice, verb: "create", group: "", resource: "serviceaccounts", subresource: "token", namespace: "fsgs" }],
        ["a TokenReview", "Metadata", { ...alice, verb: "create", group: "authentication.k8s.io", resource: "tokenreviews" }],
        ["a Deployment list", "Metadata", { ...alice, verb: "list", group: "apps", resource: "deployments", namespace: "fsgs" }],
        ["a Pod watch", "Metadata", { ...alice, verb: "watch", group: "", resource: "pods", namespace: "fsgs" }],
        ["a Pod creation", "Request", { ...alice, verb: "create", group: "", resource: "pods", namespace: "fsgs" }],
        ["a ServiceAccount update", "Request", { ...alice, verb: "update", group: "", resource: "serviceaccounts", namespace: "fsgs" }],
        ["a Deployment deletion", "Request", { ...alice, verb: "delete", group: "apps", resource: "deployments", namespace: "fsgs" }],
        ["a deletecollection of Pods", "Request", { ...alice, verb: "deletecollection", group: "", resource: "pods", namespace: "fsgs" }],
        ["an exec into a Pod", "Request", { ...alice, verb: "create", group: "", resource: "pods", subresource: "exec", namespace: "fsgs" }],
        ["a kubelet reading its Lease", "None", { ...node, verb: "get", group: "coordination.k8s.io", resource: "leases", namespace: "kube-node-lease" }],
        ["the controller-manager reading its leader Lease", "None", { user: "system:kube-controller-manager", groups: [], verb: "get", group: "coordination.k8s.io", resource: "leases", namespace: "kube-system" }],
        ["a SelfSubjectReview, which holds no credential", "Request", { ...alice, verb: "create", group: "authentication.k8s.io", resource: "selfsubjectreviews" }],
        ["an impersonation check", "Metadata", { ...alice, verb: "impersonate", group: "", resource: "users" }],
    ] as [string, string, Request][])("records %s at level %s", (_what, level, request) => {
        expect(levelOf(request)).toBe(level);
    });

    it("is an audit.k8s.io/v1 Policy that leaves out the RequestReceived stage, which ResponseComplete repeats", () => {
        expect(renderedPolicy()).toMatchObject({ apiVersion: "audit.k8s.io/v1", kind: "Policy", omitStages: ["RequestReceived"] });
    });
});
