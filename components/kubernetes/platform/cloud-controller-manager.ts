import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CLOUD_CONFIG_CHECKSUM_ANNOTATION, CLOUD_CONFIG_SECRET } from "./cloud-config";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { CONTROL_PLANE_NODE_SELECTOR, CONTROL_PLANE_TOLERATION, UNINITIALIZED_TOLERATION } from "./scheduling";
import { CHARTS } from "./versions";

/** The cloud-controller-manager's secure port (k8s.io/cloud-provider CloudControllerManagerPort, 10258). */
const CCM_SECURE_PORT = 10258;

export interface CloudControllerManagerInput {
    /** Prefix of the names of the load balancers it creates (kube_service_<cluster>_...); never change it. */
    clusterName: string;
    /** Whether the site has Octavia. */
    loadBalancers: boolean;
    /** SHA-256 of the cloud config: a new credential changes the pod template, which rolls the pods. */
    configChecksum: string;
}

/** Values of the openstack-cloud-controller-manager chart. */
export function cloudControllerManagerValues(input: CloudControllerManagerInput): Record<string, unknown> {
    return {
        // The chart mounts the Secret only with enabled; create: false leaves the credential out of chart values.
        secret: { enabled: true, create: false, name: CLOUD_CONFIG_SECRET.name },
        cluster: { name: input.clusterName },
        // No "route": pod traffic is the CNI's overlay, not Neutron routes. "service" only where Octavia can serve it.
        enabledControllers: ["cloud-node", "cloud-node-lifecycle", ...(input.loadBalancers ? ["service"] : [])],
        // It initialises the nodes, so it runs before any of them is ready for ordinary pods: on the control plane,
        // tolerating the taint it is there to remove.
        nodeSelector: CONTROL_PLANE_NODE_SELECTOR,
        tolerations: [UNINITIALIZED_TOLERATION, CONTROL_PLANE_TOLERATION],
        priorityClassName: "system-cluster-critical",
        resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        // The chart leaves both probes empty (values.yaml livenessProbe/readinessProbe {}). The secure port 10258
        // serves /healthz without authentication (k8s.io/cloud-provider options: --authorization-always-allow-paths
        // defaults to /healthz,/readyz,/livez); the pod is on the host network, so the kubelet reaches it there.
        livenessProbe: { httpGet: { path: "/healthz", port: CCM_SECURE_PORT, scheme: "HTTPS" }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
        readinessProbe: { httpGet: { path: "/healthz", port: CCM_SECURE_PORT, scheme: "HTTPS" }, periodSeconds: 10 },
        podAnnotations: { [CLOUD_CONFIG_CHECKSUM_ANNOTATION]: input.configChecksum },
    };
}

/** The OpenStack cloud-controller-manager: node initialisation (provider IDs, addresses) and LoadBalancer Services. */
export function cloudControllerManager(
    name: string,
    input: Omit<CloudControllerManagerInput, "configChecksum"> & { configChecksum: pulumi.Output<string> },
    opts: PlatformResourceOptions,
): k8s.helm.v3.Release {
    return pinnedRelease(
        name,
        {
            chart: CHARTS.cloudControllerManager,
            releaseName: "openstack-cloud-controller-manager",
            // The chart mounts the Secret from its own namespace.
            namespace: CLOUD_CONFIG_SECRET.namespace,
            values: input.configChecksum.apply((configChecksum) => cloudControllerManagerValues({ ...input, configChecksum })),
            timeoutSeconds: 600,
        },
        opts,
    );
}
