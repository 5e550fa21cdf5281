import type * as k8s from "@pulumi/kubernetes";
import type { WithSpec } from "./workload-manifests";

/**
 * The cluster's one Gateway (Gateway API v1, gateway.networking.k8s.io) and the HTTPRoutes that attach to it, as
 * plain data. Field rules are those of the Gateway API v1.6 reference (gateway-api.sigs.k8s.io/reference/spec).
 */

/** Where the Gateway lives and how the proxies that serve it are recognised by NetworkPolicies. */
export interface GatewayRef {
    name: string;
    namespace: string;
    /** Namespace of the Envoy proxy pods: Envoy Gateway runs them in its own namespace, not the Gateway's. */
    proxyNamespace: string;
    /** Labels Envoy Gateway v1.9 puts on the proxy pods of this Gateway (internal/infrastructure/kubernetes/proxy/resource.go). */
    proxyPodLabels: Record<string, string>;
}

/** A service the Gateway routes to: one HTTPS listener (and certificate) per host. */
export interface RoutedHost {
    service: string;
    namespace: string;
    host: string;
}

/** The plain-HTTP listener: redirects to HTTPS, and serves cert-manager's ACME HTTP-01 challenges. */
export const HTTP_LISTENER = "http";

/** The listener of one routed service; a section name is a DNS label of at most 253 characters. */
export function httpsListenerName(service: string): string {
    return `https-${service}`;
}

/** The Secret of a listener's certificate, in the Gateway's namespace, where cert-manager writes it. */
export function certificateSecretName(service: string): string {
    return `${service}-tls`;
}

export interface GatewaySpecInput {
    gateway: GatewayRef;
    gatewayClassName: string;
    /** The ClusterIssuer named in the `cert-manager.io/cluster-issuer` annotation. */
    clusterIssuer: string;
    routes: readonly RoutedHost[];
}

type GatewayManifest = WithSpec<{ gatewayClassName: string; listeners: Record<string, unknown>[] }>;

/**
 * The Gateway. cert-manager's gateway-shim (enabled by `config.enableGatewayAPI`) reads the cluster-issuer annotation
 * and makes one Certificate per HTTPS listener that has a hostname and a certificateRef in the Gateway's namespace
 * (cert-manager.io/docs/usage/gateway). Each HTTPS listener accepts routes only from the namespace of its service, so
 * no other domain can take over a host.
 */
export function gatewayManifest(input: GatewaySpecInput): GatewayManifest {
    const hosts = new Set<string>();
    for (const route of input.routes) {
        if (hosts.has(route.host)) {
            throw new Error(`two services route the host ${route.host}: a listener and its certificate serve one service`);
        }
        hosts.add(route.host);
    }
    const sameNamespaceAs = (namespace: string) => ({
        namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } },
        kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
    });
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: {
            name: input.gateway.name,
            namespace: input.gateway.namespace,
            annotations: { "cert-manager.io/cluster-issuer": input.clusterIssuer },
        },
        spec: {
            gatewayClassName: input.gatewayClassName,
            listeners: [
                // Routes of this namespace only: the redirect, and the solver routes cert-manager creates beside the
                // Certificates, which live in the Gateway's namespace.
                { name: HTTP_LISTENER, protocol: "HTTP", port: 80, allowedRoutes: sameNamespaceAs(input.gateway.namespace) },
                ...[...input.routes]
                    .sort((a, b) => a.service.localeCompare(b.service))
                    .map((route) => ({
                        name: httpsListenerName(route.service),
                        protocol: "HTTPS",
                        port: 443,
                        hostname: route.host,
                        tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: certificateSecretName(route.service) }] },
                        allowedRoutes: sameNamespaceAs(route.namespace),
                    })),
            ],
        },
    };
}

/** Sends every plain-HTTP request to HTTPS; cert-manager's solver routes match longer paths and win (Gateway API route precedence). */
export function httpsRedirectRoute(gateway: GatewayRef): WithSpec<Record<string, unknown>> {
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "https-redirect", namespace: gateway.namespace },
        spec: {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name, sectionName: HTTP_LISTENER }],
            rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        },
    };
}

export interface HttpRouteInput {
    service: string;
    namespace: string;
    host: string;
    path: string;
    /** The Service port number: a backendRef names a port by number only. */
    port: number;
    labels: Record<string, string>;
}

/** The HTTPRoute of one service, attached to its own HTTPS listener of the Gateway. */
export function httpRouteManifest(input: HttpRouteInput, gateway: GatewayRef): WithSpec<Record<string, unknown>> {
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: input.service, namespace: input.namespace, labels: input.labels },
        spec: {
            parentRefs: [
                {
                    group: "gateway.networking.k8s.io",
                    kind: "Gateway",
                    name: gateway.name,
                    namespace: gateway.namespace,
                    sectionName: httpsListenerName(input.service),
                },
            ],
            hostnames: [input.host],
            rules: [
                {
                    matches: [{ path: { type: "PathPrefix", value: input.path } }],
                    // Same namespace as the route: no ReferenceGrant needed.
                    backendRefs: [{ group: "", kind: "Service", name: input.service, port: input.port }],
                },
            ],
        },
    };
}

/** Labels and port of cert-manager's HTTP-01 solver pods (cert-manager pkg/issuer/acme/http/pod.go: `acmesolver --listen-port=8089`). */
export const ACME_SOLVER = { labels: { "acme.cert-manager.io/http01-solver": "true" }, port: 8089 } as const;

type PolicyManifest = WithSpec<k8s.types.input.networking.v1.NetworkPolicySpec>;

/**
 * The NetworkPolicies of the Gateway's namespace: nothing in or out by default; the proxies may reach the HTTP-01
 * solver pods cert-manager starts here, on the solver port only.
 */
export function gatewayNamespacePolicies(gateway: GatewayRef): PolicyManifest[] {
    return [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny", namespace: gateway.namespace },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "acme-http01-solver", namespace: gateway.namespace },
            spec: {
                podSelector: { matchLabels: { ...ACME_SOLVER.labels } },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": gateway.proxyNamespace } },
                                podSelector: { matchLabels: gateway.proxyPodLabels },
                            },
                        ],
                        ports: [{ protocol: "TCP", port: ACME_SOLVER.port }],
                    },
                ],
            },
        },
    ];
}
