import { DEDICATED_TAINT } from "../config/pools";
import { quantity } from "./domain-manifests";
import { CHARTS } from "./platform/versions";

/**
 * The DaemonSets of a cluster and what each takes from every node it runs on, read from what the program renders:
 * its Helm releases' values (or the chart's default where it sets none), raw DaemonSet objects, the CNI documents
 * and kubeadm's kube-proxy. The capacity check subtracts them per node (capacity.ts).
 */

/** One DaemonSet's requests per node (CPU in cores, memory in bytes) and the worker groups it lands on. */
export interface DaemonSetShare {
    what: string;
    cpu: number;
    memory: number;
    /** On ordinary workers (false for one kept on the control plane by a node selector). */
    general: boolean;
    /** On the stateful pool too: it tolerates the pool's dedicated taint. */
    stateful: boolean;
    /** Where its requests were read. */
    source: string;
}

/** A registered resource as the offline render records it. */
export interface RenderedObject {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** What the check read, and the releases whose DaemonSets it cannot know: it does not claim a headroom past those. */
export interface DaemonSetReading {
    shares: DaemonSetShare[];
    unknown: string[];
}

type Values = Record<string, unknown>;
interface Toleration {
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
}
interface Placement {
    nodeSelector?: Record<string, string>;
    tolerations?: readonly Toleration[];
}

const at = (values: unknown, path: readonly string[]): unknown =>
    path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Values)[key] : undefined), values);

/** Sum of containers' requests; a container without requests asks the scheduler for nothing (NodeResourcesFit). */
export function requestsOf(resources: readonly unknown[]): { cpu: number; memory: number } {
    return resources.reduce<{ cpu: number; memory: number }>(
        (sum, entry) => {
            const requests = at(entry, ["requests"]) as { cpu?: string | number; memory?: string | number } | undefined;
            return {
                cpu: sum.cpu + (requests?.cpu !== undefined ? quantity(String(requests.cpu)) : 0),
                memory: sum.memory + (requests?.memory !== undefined ? quantity(String(requests.memory)) : 0),
            };
        },
        { cpu: 0, memory: 0 },
    );
}

/**
 * Taint and toleration matching (Kubernetes "Taints and Tolerations"): operator Exists with no key matches every
 * taint; an empty effect matches every effect; Equal needs the key and value.
 */
function tolerates(tolerations: readonly Toleration[], taint: { key: string; value: string; effect: string }): boolean {
    return tolerations.some((toleration) => {
        const effectOk = !toleration.effect || toleration.effect === taint.effect;
        if (toleration.operator === "Exists") {
            return effectOk && (!toleration.key || toleration.key === taint.key);
        }
        return effectOk && toleration.key === taint.key && (toleration.value ?? "") === taint.value;
    });
}

/** Which worker groups a DaemonSet with this placement lands on. */
function placed(what: string, placement: Placement, requests: { cpu: number; memory: number }, source: string): DaemonSetShare {
    const selector = placement.nodeSelector ?? {};
    // Workers carry no node-role.kubernetes.io/control-plane label (kubeadm sets it on control planes only).
    const general = !("node-role.kubernetes.io/control-plane" in selector);
    return { what, ...requests, general, stateful: general && tolerates(placement.tolerations ?? [], DEDICATED_TAINT), source };
}

/** A value the program sets, or else the chart's default. */
const valueOr = (values: Values, path: readonly string[], chartDefault: unknown): unknown => at(values, path) ?? chartDefault;

/**
 * The DaemonSets of each chart the platform installs, at the version whose defaults are written here. A release of
 * a chart missing here, or at another version, is reported unknown rather than counted as nothing.
 */
const CHART_DAEMONSETS: Record<string, { version: string; daemonSets(values: Values): DaemonSetShare[] }> = {
    // charts/cinder-csi-plugin at cloud-provider-openstack v1.36.0: templates/nodeplugin-daemonset.yaml runs
    // node-driver-registrar, liveness-probe and cinder-csi-plugin with csi.nodeDriverRegistrar.resources,
    // csi.livenessprobe.resources and csi.plugin.resources, all `{}` in values.yaml; tolerations `- operator: Exists`.
    [CHARTS.cinderCsi.chart]: {
        version: "2.36.0",
        daemonSets: (values) => [
            placed(
                "cinder-csi-nodeplugin",
                {
                    nodeSelector: valueOr(values, ["csi", "plugin", "nodePlugin", "nodeSelector"], {}) as Record<string, string>,
                    tolerations: valueOr(values, ["csi", "plugin", "nodePlugin", "tolerations"], [{ operator: "Exists" }]) as Toleration[],
                },
                requestsOf([
                    valueOr(values, ["csi", "nodeDriverRegistrar", "resources"], {}),
                    valueOr(values, ["csi", "livenessprobe", "resources"], {}),
                    valueOr(values, ["csi", "plugin", "resources"], {}),
                ]),
                "openstack-cinder-csi 2.36.0 values (chart default resources {})",
            ),
        ],
    },
    // charts/openstack-cloud-controller-manager at v1.36.0: one DaemonSet with `resources` and `nodeSelector` values.
    [CHARTS.cloudControllerManager.chart]: {
        version: "2.36.0",
        daemonSets: (values) => [
            placed(
                "openstack-cloud-controller-manager",
                { nodeSelector: at(values, ["nodeSelector"]) as Record<string, string> | undefined, tolerations: at(values, ["tolerations"]) as Toleration[] | undefined },
                requestsOf([valueOr(values, ["resources"], {})]),
                "openstack-cloud-controller-manager 2.36.0 values",
            ),
        ],
    },
    // kube-prometheus-stack 88.5.3: its one DaemonSet is the prometheus-node-exporter subchart's (4.56.1: resources
    // `{}`, tolerations `- effect: NoSchedule, operator: Exists`, values.yaml vendored by the observability add-on).
    "kube-prometheus-stack": {
        version: "88.5.3",
        daemonSets: (values) => [
            placed(
                "prometheus-node-exporter",
                {
                    nodeSelector: valueOr(values, ["prometheus-node-exporter", "nodeSelector"], {}) as Record<string, string>,
                    tolerations: valueOr(values, ["prometheus-node-exporter", "tolerations"], [{ effect: "NoSchedule", operator: "Exists" }]) as Toleration[],
                },
                requestsOf([valueOr(values, ["prometheus-node-exporter", "resources"], {})]),
                "kube-prometheus-stack 88.5.3 values (prometheus-node-exporter)",
            ),
        ],
    },
    // alloy 1.11.1 (grafana/alloy operations/helm/charts/alloy): controller.type daemonset runs the alloy container
    // (alloy.resources, `{}` by default) and the config reloader (configReloader.resources, 10m / 50Mi by default);
    // controller.nodeSelector and controller.tolerations, `{}` and `[]` by default.
    [CHARTS.alloy.chart]: {
        version: CHARTS.alloy.version,
        daemonSets: (values) =>
            valueOr(values, ["controller", "type"], "daemonset") === "daemonset"
                ? [
                      placed(
                          "alloy",
                          {
                              nodeSelector: valueOr(values, ["controller", "nodeSelector"], {}) as Record<string, string>,
                              tolerations: valueOr(values, ["controller", "tolerations"], []) as Toleration[],
                          },
                          requestsOf([
                              valueOr(values, ["alloy", "resources"], {}),
                              valueOr(values, ["configReloader", "enabled"], true) === false ? {} : valueOr(values, ["configReloader", "resources"], { requests: { cpu: "10m", memory: "50Mi" } }),
                          ]),
                          `alloy ${CHARTS.alloy.version} values`,
                      ),
                  ]
                : [],
    },
    // Charts without a DaemonSet (their templates/ at the pinned versions hold Deployments, Jobs and CRDs only).
    // loki 18.11.0 in Monolithic mode: a StatefulSet (single binary); its canary DaemonSet is off (lokiCanary.enabled).
    [CHARTS.loki.chart]: { version: CHARTS.loki.version, daemonSets: () => [] },
    [CHARTS.envoyGatewayCrds.chart]: { version: CHARTS.envoyGatewayCrds.version, daemonSets: () => [] },
    [CHARTS.envoyGateway.chart]: { version: CHARTS.envoyGateway.version, daemonSets: () => [] },
    [CHARTS.certManager.chart]: { version: "v1.21.1", daemonSets: () => [] },
    [CHARTS.metricsServer.chart]: { version: "3.13.1", daemonSets: () => [] },
    [CHARTS.cloudNativePg.chart]: { version: "0.29.0", daemonSets: () => [] },
};

/** Containers' resources of a raw DaemonSet object. */
function rawDaemonSet(resource: RenderedObject): DaemonSetShare {
    const pod = at(resource.inputs, ["spec", "template", "spec"]) as (Placement & { containers?: { resources?: unknown }[] }) | undefined;
    return placed(resource.name, pod ?? {}, requestsOf((pod?.containers ?? []).map((container) => container.resources ?? {})), "DaemonSet registered by the program");
}

/** What the cluster layer renders for its CNI (components/cluster/cni-config.ts), handed over by the caller. */
export type CniRendering = { cni: "calico"; documents: readonly Record<string, unknown>[] } | { cni: "cilium"; values: Values };

/** The DaemonSets the cluster layer installs outside Pulumi's Kubernetes provider: the CNI's and kube-proxy. */
export function clusterDaemonSets(rendering: CniRendering): DaemonSetShare[] {
    // kubeadm's kube-proxy DaemonSet sets no resources and tolerates everything
    // (cmd/kubeadm/app/phases/addons/proxy/manifests.go: `tolerations: - operator: Exists`).
    const kubeProxy = placed("kube-proxy", { tolerations: [{ operator: "Exists" }] }, { cpu: 0, memory: 0 }, "kubeadm manifest (no resources)");
    if (rendering.cni === "calico") {
        // The Tigera operator gives calico-node the Installation's calicoNodeDaemonSet (or componentResources)
        // requests, none by default (tigera/operator pkg/render/node.go nodeResources); it tolerates every taint.
        const installation = rendering.documents.find((document) => document.kind === "Installation");
        const containers = (at(installation, ["spec", "calicoNodeDaemonSet", "spec", "template", "spec", "containers"]) as { resources?: unknown }[] | undefined) ?? [];
        return [
            kubeProxy,
            placed("calico-node", { tolerations: [{ operator: "Exists" }] }, requestsOf(containers.map((c) => c.resources ?? {})), "the Calico Installation the program renders"),
        ];
    }
    // Cilium 1.19 chart: the agent's `resources` and, since 1.16, the cilium-envoy DaemonSet's `envoy.resources`,
    // both `{}` by default; both tolerate every taint (`- operator: Exists`).
    const everywhere = { tolerations: [{ operator: "Exists" }] };
    return [
        kubeProxy,
        placed("cilium-agent", everywhere, requestsOf([rendering.values.resources ?? {}]), "the Cilium values the program renders"),
        placed("cilium-envoy", everywhere, requestsOf([at(rendering.values, ["envoy", "resources"]) ?? {}]), "the Cilium values the program renders"),
    ];
}

/** Every DaemonSet the rendered program and its cluster run, with the releases whose DaemonSets are unknown. */
export function readDaemonSets(resources: readonly RenderedObject[], cni: CniRendering): DaemonSetReading {
    const shares: DaemonSetShare[] = [...clusterDaemonSets(cni)];
    const unknown: string[] = [];
    for (const resource of resources) {
        if (resource.type === "kubernetes:apps/v1:DaemonSet") {
            shares.push(rawDaemonSet(resource));
        } else if (resource.type === "kubernetes:helm.sh/v3:Release") {
            // An OCI reference names the chart by its last path segment.
            const chart = String(resource.inputs.chart).split("/").pop() ?? "";
            const version = String(resource.inputs.version);
            const known = CHART_DAEMONSETS[chart];
            if (!known || known.version !== version) {
                unknown.push(`${resource.name} (chart ${chart} ${version})`);
            } else {
                shares.push(...known.daemonSets((resource.inputs.values ?? {}) as Values));
            }
        }
    }
    return { shares, unknown };
}
