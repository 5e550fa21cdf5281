import { stringify } from "yaml";

/**
 * The API server's audit policy. Who did what is recorded for every request; request bodies only where they
 * carry no secret, so the audit log never becomes a copy of the Secrets it audits.
 */
export function auditPolicy(): Record<string, unknown> {
    return {
        apiVersion: "audit.k8s.io/v1",
        kind: "Policy",
        // The RequestReceived stage repeats what ResponseComplete says.
        omitStages: ["RequestReceived"],
        rules: [
            // Health probes and the kubelets' and kube-proxy's own watches are noise at this volume.
            { level: "None", nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics"] },
            { level: "None", users: ["system:kube-proxy"], verbs: ["watch"], resources: [{ group: "", resources: ["endpoints", "services", "services/status"] }] },
            { level: "None", userGroups: ["system:nodes"], verbs: ["get"], resources: [{ group: "", resources: ["nodes", "nodes/status"] }] },
            { level: "None", resources: [{ group: "", resources: ["events"] }, { group: "events.k8s.io", resources: ["events"] }] },
            // Leases are heartbeats: every kubelet renews its own every 10 s (kube-node-lease), and the
            // controller-manager and scheduler their leader-election ones every 2 s. At Request level they would
            // be most of the log; anyone else touching a lease (a hijacked leader election) stays visible below.
            { level: "None", userGroups: ["system:nodes"], verbs: ["get", "update"], resources: [{ group: "coordination.k8s.io", resources: ["leases"] }] },
            {
                level: "None",
                users: ["system:kube-controller-manager", "system:kube-scheduler"],
                verbs: ["get", "update"],
                namespaces: ["kube-system"],
                resources: [{ group: "coordination.k8s.io", resources: ["leases"] }],
            },
            { level: "Metadata", resources: [{ group: "coordination.k8s.io", resources: ["leases"] }] },
            // Secrets, ConfigMaps and token reviews hold credentials: metadata only.
            {
                level: "Metadata",
                resources: [
                    { group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"] },
                    { group: "authentication.k8s.io", resources: ["tokenreviews"] },
                ],
            },
            // Reads are frequent and change nothing: metadata is enough.
            { level: "Metadata", verbs: ["get", "list", "watch"] },
            // Every change, with its request, so an incident can be replayed.
            { level: "Request", verbs: ["create", "update", "patch", "delete", "deletecollection"] },
            { level: "Metadata" },
        ],
    };
}

export function renderAuditPolicy(): string {
    // Stryker disable next-line ObjectLiteral: lineWidth 0 only keeps long scalars on one line; the API server's YAML parser reads a folded scalar back unchanged
    return stringify(auditPolicy(), { lineWidth: 0 });
}
