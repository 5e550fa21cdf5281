import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { GATEWAY_NODE_PORTS } from "../../config/traffic";
import type { GatewayRef } from "../gateway-manifests";
import { alsoAfter, pinnedRelease, type PlatformResourceOptions } from "./release";
import { spreadOverNodes } from "./scheduling";
import { CHARTS } from "./versions";

/** Envoy Gateway's controller namespace; it also runs the Envoy proxies of every Gateway (the default deploy mode). */
export const ENVOY_GATEWAY_NAMESPACE = "envoy-gateway-system";

/** The GatewayClass the cluster's Gateway names. */
export const GATEWAY_CLASS_NAME = "envoy";

/** The EnvoyProxy object holding the proxies' Service, replicas and resources. */
const ENVOY_PROXY_NAME = "fsgs-proxy";

/** Controller name of Envoy Gateway's GatewayClass (charts/gateway-helm values: config.envoyGateway.gateway.controllerName). */
export const ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";

// Fixed NodePorts where there is no Octavia: config/traffic.ts holds them for both layers (the security groups open them).
export { GATEWAY_NODE_PORTS };

/** The Gateway of the cluster, and how its proxy pods are labelled. */
export function clusterGateway(name: string, namespace: string): GatewayRef {
    return {
        name,
        namespace,
        proxyNamespace: ENVOY_GATEWAY_NAMESPACE,
        proxyPodLabels: {
            "app.kubernetes.io/name": "envoy",
            "app.kubernetes.io/component": "proxy",
            "gateway.envoyproxy.io/owning-gateway-name": name,
            "gateway.envoyproxy.io/owning-gateway-namespace": namespace,
        },
    };
}

export interface EnvoyGatewayInput {
    /** Proxy replicas: 1 makes every node drain an outage of the entry point. */
    replicas: number;
    /** Whether the site has Octavia: a LoadBalancer Service with a floating IP, else NodePorts. */
    loadBalancers: boolean;
}

/** Requests and limits of an Envoy proxy and of the controller; the capacity check reads them too. No CPU limit on the proxy: throttling shows as latency on every request. */
export const ENVOY_PROXY_RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } } as const;
export const ENVOY_GATEWAY_RESOURCES = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1024Mi" } } as const;

/** Values of the gateway-crds-helm chart: the standard Gateway API channel and Envoy Gateway's own CRDs. */
export function envoyGatewayCrdValues(): Record<string, unknown> {
    // Standard channel only: experimental CRDs (TCPRoute, UDPRoute...) may change shape between releases.
    return { crds: { gatewayAPI: { enabled: true, channel: "standard" }, envoyGateway: { enabled: true } } };
}

/** Values of the gateway-helm chart (the controller). */
export function envoyGatewayValues(input: EnvoyGatewayInput): Record<string, unknown> {
    return {
        // The CRDs belong to the CRD release, which Helm upgrades; two owners would fight over them.
        crds: { enabled: false },
        deployment: {
            replicas: input.replicas,
            envoyGateway: { resources: ENVOY_GATEWAY_RESOURCES },
        },
        podDisruptionBudget: { minAvailable: input.replicas > 1 ? 1 : 0 },
    };
}

/** The proxies' Service: where client addresses come from decides how it is exposed. */
function envoyService(loadBalancers: boolean): Record<string, unknown> {
    if (!loadBalancers) {
        return {
            type: "NodePort",
            // Local: kube-proxy does not masquerade, so the proxies see the client's address; only nodes that run a
            // proxy answer, which whatever forwards 80/443 must health-check.
            externalTrafficPolicy: "Local",
            // Strategic merge keys Service ports by `port` (k8s.io/api core/v1 types.go, patchMergeKey=port).
            patch: {
                type: "StrategicMerge",
                value: { spec: { ports: [{ port: 80, nodePort: GATEWAY_NODE_PORTS.http }, { port: 443, nodePort: GATEWAY_NODE_PORTS.https }] } },
            },
        };
    }
    return {
        type: "LoadBalancer",
        // Octavia's amphora proxies TCP, so the proxies would see its address, not the client's: it announces the
        // client in a PROXY header (cloud-provider-openstack docs, "loadbalancer.openstack.org/proxy-protocol").
        // The ClientTrafficPolicy below makes Envoy require that header; the two go together. With the header on, the
        // cloud-controller-manager publishes the address with ipMode Proxy (pkg/openstack/loadbalancer.go, v1.36.0),
        // so kube-proxy sends in-cluster clients of the floating IP (cert-manager's HTTP-01 self-check) through
        // Octavia too, and they arrive with the header.
        annotations: { "loadbalancer.openstack.org/proxy-protocol": "true" },
        externalTrafficPolicy: "Cluster",
    };
}

/** Spec of the EnvoyProxy the GatewayClass points at (gateway.envoyproxy.io/v1alpha1, api/v1alpha1/envoyproxy_types.go v1.9.0). */
export function envoyProxySpec(input: EnvoyGatewayInput, gateway: GatewayRef): Record<string, unknown> {
    return {
        provider: {
            type: "Kubernetes",
            kubernetes: {
                envoyDeployment: {
                    replicas: input.replicas,
                    pod: { affinity: spreadOverNodes({ "gateway.envoyproxy.io/owning-gateway-name": gateway.name }) },
                    container: { resources: ENVOY_PROXY_RESOURCES },
                },
                // A budget on a lone pod would block every node drain.
                ...(input.replicas > 1 ? { envoyPDB: { minAvailable: 1 } } : {}),
                envoyService: envoyService(input.loadBalancers),
            },
        },
    };
}

/** Spec of the ClientTrafficPolicy that makes the Gateway's listeners require the PROXY header Octavia sends. */
export function proxyProtocolPolicySpec(gateway: GatewayRef): Record<string, unknown> {
    return {
        targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name }],
        // Required, not optional: a listener that also took bare connections would let anyone who reaches the
        // proxies forge a client address (api/v1alpha1/clienttrafficpolicy_types.go, ProxyProtocolSettings.Optional).
        proxyProtocol: {},
    };
}

/** Envoy Gateway: CRDs, controller, GatewayClass and EnvoyProxy. The Gateway itself is the stack's (gateway.ts). */
export function envoyGateway(
    name: string,
    input: EnvoyGatewayInput & { namespace: pulumi.Input<string>; gateway: GatewayRef },
    opts: PlatformResourceOptions,
): { crds: k8s.helm.v3.Release; controller: k8s.helm.v3.Release; gatewayClass: k8s.apiextensions.CustomResource } {
    const crds = pinnedRelease(
        `${name}-crds`,
        { chart: CHARTS.envoyGatewayCrds, releaseName: "envoy-gateway-crds", namespace: input.namespace, values: envoyGatewayCrdValues(), timeoutSeconds: 300 },
        opts,
    );
    const controller = pinnedRelease(
        name,
        {
            chart: CHARTS.envoyGateway,
            releaseName: "envoy-gateway",
            namespace: input.namespace,
            values: envoyGatewayValues(input),
            timeoutSeconds: 600,
            skipCrds: true,
        },
        alsoAfter(opts, crds),
    );
    const afterController = { parent: opts.parent, dependsOn: [controller] };
    const envoyProxy = new k8s.apiextensions.CustomResource(
        `${name}-proxy-config`,
        {
            apiVersion: "gateway.envoyproxy.io/v1alpha1",
            kind: "EnvoyProxy",
            metadata: { name: ENVOY_PROXY_NAME, namespace: ENVOY_GATEWAY_NAMESPACE },
            spec: envoyProxySpec(input, input.gateway),
        },
        afterController,
    );
    const gatewayClass = new k8s.apiextensions.CustomResource(
        `${name}-class`,
        {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "GatewayClass",
            metadata: { name: GATEWAY_CLASS_NAME },
            spec: {
                controllerName: ENVOY_GATEWAY_CONTROLLER,
                parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: ENVOY_PROXY_NAME, namespace: ENVOY_GATEWAY_NAMESPACE },
            },
        },
        { ...afterController, dependsOn: [controller, envoyProxy] },
    );
    return { crds, controller, gatewayClass };
}
