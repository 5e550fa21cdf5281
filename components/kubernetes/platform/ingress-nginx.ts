import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { spreadOverNodes } from "./scheduling";
import { CHARTS } from "./versions";

/** The IngressClass applications name in `spec.ingressClassName`. */
export const INGRESS_CLASS_NAME = "nginx";

/** Namespace of the controller pods: NetworkPolicies of applications admit traffic from it. */
export const INGRESS_NAMESPACE = "ingress-nginx";

const RELEASE_NAME = "ingress-nginx";

/**
 * Fixed NodePorts where there is no Octavia, so whatever forwards 80 and 443 to the nodes has a stable target.
 * Inside the NodePort range the security groups know (PORTS.nodePorts in components/openstack/rules.ts).
 */
export const INGRESS_NODE_PORTS = { http: 30080, https: 30443 } as const;

export interface IngressNginxInput {
    environment: "integration" | "preprod" | "prod";
    /** Whether the site has Octavia: a LoadBalancer Service with a floating IP, else NodePorts. */
    loadBalancers: boolean;
}

function serviceValues(loadBalancers: boolean): Record<string, unknown> {
    if (!loadBalancers) {
        return { type: "NodePort", nodePorts: INGRESS_NODE_PORTS, externalTrafficPolicy: "Cluster" };
    }
    return {
        type: "LoadBalancer",
        // Octavia's amphora proxies TCP, so the pods see its address, not the client's: it must announce the client
        // in a PROXY header. The cloud-controller-manager then publishes the IP with ipMode Proxy (Kubernetes 1.32+),
        // so in-cluster clients of the floating IP (cert-manager's HTTP-01 self-check) also go through Octavia.
        annotations: { "loadbalancer.openstack.org/proxy-protocol": "true" },
        // The client address travels in the PROXY header, so every node may forward: no need for Local.
        externalTrafficPolicy: "Cluster",
    };
}

/** Values of the ingress-nginx chart. */
export function ingressNginxValues(input: IngressNginxInput): Record<string, unknown> {
    return {
        controller: {
            replicaCount: input.environment === "integration" ? 1 : 2,
            // The chart renders the PodDisruptionBudget only above one replica: a budget on a lone pod would block
            // every node drain.
            minAvailable: 1,
            affinity: spreadOverNodes({
                "app.kubernetes.io/name": "ingress-nginx",
                "app.kubernetes.io/instance": RELEASE_NAME,
                "app.kubernetes.io/component": "controller",
            }),
            ingressClass: INGRESS_CLASS_NAME,
            ingressClassResource: { name: INGRESS_CLASS_NAME, enabled: true, default: true, controllerValue: "k8s.io/ingress-nginx" },
            // Snippet annotations let whoever writes an Ingress inject nginx configuration (CVE-2021-25742 and others).
            allowSnippetAnnotations: false,
            // Must match the load balancer: nginx refuses connections without the PROXY header once it expects one.
            config: input.loadBalancers ? { "use-proxy-protocol": "true" } : {},
            service: serviceValues(input.loadBalancers),
            // No CPU limit: CFS throttling of the nginx workers shows as latency on every request (the chart's own
            // advice); memory is limited so a leak restarts one pod instead of starving the node.
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        },
    };
}

/** ingress-nginx, the cluster's HTTP(S) entry point. */
export function ingressNginx(
    name: string,
    input: IngressNginxInput & { namespace: pulumi.Input<string> },
    opts: PlatformResourceOptions,
): k8s.helm.v3.Release {
    return pinnedRelease(
        name,
        {
            chart: CHARTS.ingressNginx,
            releaseName: RELEASE_NAME,
            namespace: input.namespace,
            values: ingressNginxValues(input),
            // Helm waits for the LoadBalancer Service's address: Octavia boots an amphora, which takes minutes.
            timeoutSeconds: input.loadBalancers ? 900 : 600,
        },
        opts,
    );
}
