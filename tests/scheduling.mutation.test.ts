/**
 * The scheduling terms of the add-ons that run on the control plane (components/kubernetes/platform/scheduling.ts),
 * checked against the labels and taints kubeadm and the external cloud provider really put on nodes, with the
 * scheduler's matching rules (a stand-in for the scheduler's TaintToleration and NodeAffinity checks).
 */
import { CONTROL_PLANE_NODE_SELECTOR, CONTROL_PLANE_TOLERATION, UNINITIALIZED_TOLERATION, spreadOverNodes } from "../components/kubernetes/platform/scheduling";

interface Taint {
    key: string;
    value?: string;
    effect: string;
}
interface Toleration {
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
}

/**
 * Toleration.ToleratesTaint (k8s.io/api core/v1/toleration.go, v0.35): an empty effect or key matches every
 * effect or key (validation allows an empty key with Exists only); Exists ignores the value, Equal and the empty
 * operator compare it.
 */
function tolerates(toleration: Toleration, taint: Taint): boolean {
    if (toleration.effect && toleration.effect !== taint.effect) return false;
    if (toleration.key && toleration.key !== taint.key) return false;
    switch (toleration.operator ?? "") {
        case "":
        case "Equal":
            return (toleration.value ?? "") === (taint.value ?? "");
        case "Exists":
            return true;
        default:
            return false;
    }
}

/** A nodeSelector matches a node that has every one of its labels with the same value. */
const selects = (selector: Readonly<Record<string, string>>, labels: Record<string, string>) =>
    Object.entries(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

// kubeadm's control-plane label and taint (cmd/kubeadm/app/constants: LabelNodeRoleControlPlane, ControlPlaneTaint).
const KUBEADM_CONTROL_PLANE_LABELS = { "kubernetes.io/hostname": "fsgs-prod-cp-1", "node-role.kubernetes.io/control-plane": "" };
const KUBEADM_CONTROL_PLANE_TAINT: Taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };
// kubelet --cloud-provider=external, until the cloud-controller-manager initialises the node
// (k8s.io/cloud-provider api.TaintExternalCloudProvider).
const UNINITIALIZED_TAINT: Taint = { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" };
// The stateful pool's taint (components/config/pools.ts), which the control-plane add-ons must not tolerate.
const STATEFUL_TAINT: Taint = { key: "fsgs.svom.eu/dedicated", value: "stateful", effect: "NoSchedule" };

describe("the control-plane scheduling terms", () => {
    it("select kubeadm's control planes and no worker", () => {
        expect(selects(CONTROL_PLANE_NODE_SELECTOR, KUBEADM_CONTROL_PLANE_LABELS)).toBe(true);
        expect(selects(CONTROL_PLANE_NODE_SELECTOR, { "kubernetes.io/hostname": "fsgs-prod-general-1", "fsgs.svom.eu/pool": "general" })).toBe(false);
    });

    it("tolerate kubeadm's control-plane taint and nothing else", () => {
        expect(tolerates(CONTROL_PLANE_TOLERATION, KUBEADM_CONTROL_PLANE_TAINT)).toBe(true);
        expect(tolerates(CONTROL_PLANE_TOLERATION, { ...KUBEADM_CONTROL_PLANE_TAINT, effect: "NoExecute" })).toBe(false);
        expect(tolerates(CONTROL_PLANE_TOLERATION, UNINITIALIZED_TAINT)).toBe(false);
        expect(tolerates(CONTROL_PLANE_TOLERATION, STATEFUL_TAINT)).toBe(false);
    });

    it("let the cloud-controller-manager onto a node it has not initialised yet, and nothing else", () => {
        expect(tolerates(UNINITIALIZED_TOLERATION, UNINITIALIZED_TAINT)).toBe(true);
        expect(tolerates(UNINITIALIZED_TOLERATION, { ...UNINITIALIZED_TAINT, value: "false" })).toBe(false);
        expect(tolerates(UNINITIALIZED_TOLERATION, { ...UNINITIALIZED_TAINT, effect: "NoExecute" })).toBe(false);
        expect(tolerates(UNINITIALIZED_TOLERATION, KUBEADM_CONTROL_PLANE_TAINT)).toBe(false);
    });
});

describe("spreadOverNodes", () => {
    it("prefers, at full weight, one replica a node, selecting the workload's own pods only", () => {
        expect(spreadOverNodes({ "app.kubernetes.io/name": "cloudnative-pg" })).toEqual({
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } }, topologyKey: "kubernetes.io/hostname" } },
                ],
            },
        });
    });
});
