import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { CONTROL_PLANE_NODE_SELECTOR, CONTROL_PLANE_TOLERATION, spreadOverNodes } from "./scheduling";
import { CHARTS } from "./versions";

const RELEASE_NAME = "metrics-server";

export interface MetricsServerInput {
    /** The profile's highAvailabilityReplicas: `kubectl top` and autoscalers survive a node drain with two. */
    replicas: number;
}

/** Values of the metrics-server chart. */
export function metricsServerValues(input: MetricsServerInput): Record<string, unknown> {
    const replicas = input.replicas;
    return {
        replicas,
        podDisruptionBudget: replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
        // The security groups let only the control plane reach the kubelets' port 10250 (rules.ts): metrics-server
        // scrapes every kubelet, so it must run there.
        nodeSelector: CONTROL_PLANE_NODE_SELECTOR,
        tolerations: [CONTROL_PLANE_TOLERATION],
        affinity: spreadOverNodes({ "app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/instance": RELEASE_NAME }),
        // The chart's defaults, but only InternalIP: the node-subnet address the cloud-controller-manager records and
        // the security groups open; a Hostname may not resolve, an ExternalIP would leave through the router.
        defaultArgs: [
            "--cert-dir=/tmp",
            "--kubelet-preferred-address-types=InternalIP",
            "--kubelet-use-node-status-port",
            "--metric-resolution=15s",
        ],
        // kubeadm's kubelets serve a self-signed certificate (serverTLSBootstrap is off in the KubeletConfiguration),
        // which no CA can verify. What is lost is only the kubelet's identity on the project's private node subnet:
        // the kubelet still authenticates and authorises metrics-server's token. To drop this flag: set
        // serverTLSBootstrap: true, approve the kubelet-serving CSRs (e.g. kubelet-csr-approver), then remove it.
        args: ["--kubelet-insecure-tls"],
        // The chart's default requests (100m, 200Mi) with a memory limit it leaves out: a leak stays on its pod.
        resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "512Mi" } },
    };
}

/** metrics-server: the resource metrics API behind `kubectl top` and HorizontalPodAutoscalers. */
export function metricsServer(
    name: string,
    input: MetricsServerInput & { namespace: pulumi.Input<string> },
    opts: PlatformResourceOptions,
): k8s.helm.v3.Release {
    return pinnedRelease(
        name,
        {
            chart: CHARTS.metricsServer,
            releaseName: RELEASE_NAME,
            namespace: input.namespace,
            values: metricsServerValues(input),
            timeoutSeconds: 300,
        },
        opts,
    );
}
