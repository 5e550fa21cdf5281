import * as k8s from "@pulumi/kubernetes";
import { type GatewayRef, type RoutedHost, gatewayManifest, gatewayNamespacePolicies, httpsRedirectRoute } from "../gateway-manifests";
import { proxyProtocolPolicySpec } from "./envoy-gateway";
import { addOnNamespace } from "./namespace";
import { alsoAfter, type PlatformResourceOptions } from "./release";

export interface ClusterGatewayInput {
    gateway: GatewayRef;
    gatewayClassName: string;
    clusterIssuer: string;
    routes: readonly RoutedHost[];
    /** With Octavia the load balancer sends a PROXY header, which the listeners must then require. */
    loadBalancers: boolean;
}

/** The stack's one Gateway, in a namespace of its own with its NetworkPolicies, and the HTTP-to-HTTPS redirect. */
export function gatewayResources(name: string, input: ClusterGatewayInput, opts: PlatformResourceOptions): k8s.apiextensions.CustomResource {
    const namespace = addOnNamespace(`${name}-ns`, input.gateway.namespace, "restricted", { parent: opts.parent });
    const inNamespace = alsoAfter(opts, namespace);
    for (const policy of gatewayNamespacePolicies(input.gateway)) {
        new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${policy.metadata.name}`, { metadata: policy.metadata, spec: policy.spec }, inNamespace);
    }
    const manifest = gatewayManifest(input);
    const gateway = new k8s.apiextensions.CustomResource(
        name,
        { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: manifest.metadata, spec: manifest.spec },
        inNamespace,
    );
    const redirect = httpsRedirectRoute(input.gateway);
    new k8s.apiextensions.CustomResource(`${name}-https-redirect`, { apiVersion: redirect.apiVersion, kind: redirect.kind, metadata: redirect.metadata, spec: redirect.spec }, inNamespace);
    if (input.loadBalancers) {
        new k8s.apiextensions.CustomResource(
            `${name}-proxy-protocol`,
            {
                apiVersion: "gateway.envoyproxy.io/v1alpha1",
                kind: "ClientTrafficPolicy",
                metadata: { name: "proxy-protocol", namespace: input.gateway.namespace },
                spec: proxyProtocolPolicySpec(input.gateway),
            },
            inNamespace,
        );
    }
    return gateway;
}
