/** Kubernetes scheduling terms shared by the add-ons that must run on the control plane. */

/** kubeadm labels its control-plane nodes with this key and an empty value. */
export const CONTROL_PLANE_NODE_SELECTOR: Readonly<Record<string, string>> = { "node-role.kubernetes.io/control-plane": "" };

/** kubeadm taints its control-plane nodes so that ordinary workloads stay off them. */
export const CONTROL_PLANE_TOLERATION = {
    key: "node-role.kubernetes.io/control-plane",
    operator: "Exists",
    effect: "NoSchedule",
} as const;

/**
 * A kubelet started with `--cloud-provider=external` taints its node until the cloud-controller-manager has
 * initialised it; only the cloud-controller-manager itself may ignore that.
 */
export const UNINITIALIZED_TOLERATION = {
    key: "node.cloudprovider.kubernetes.io/uninitialized",
    value: "true",
    effect: "NoSchedule",
} as const;

/** Prefer spreading a workload's replicas over nodes; preferred, so that a single node still runs them all. */
export function spreadOverNodes(matchLabels: Record<string, string>): Record<string, unknown> {
    return {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { labelSelector: { matchLabels }, topologyKey: "kubernetes.io/hostname" } },
            ],
        },
    };
}
