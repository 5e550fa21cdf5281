/**
 * The Gateway, its HTTPRoutes and the NetworkPolicies of its namespace (components/kubernetes/gateway-manifests.ts),
 * called directly, every field written out. Field meanings are the Gateway API v1's (gateway-api.sigs.k8s.io/reference/spec:
 * Listener.allowedRoutes, ParentReference.sectionName, HTTPRequestRedirectFilter, BackendRef) and cert-manager's
 * gateway-shim (cert-manager.io/docs/usage/gateway: one Certificate per listener with a hostname and a Secret
 * certificateRef, issued by the ClusterIssuer the annotation names).
 */
import {
    ACME_SOLVER,
    certificateSecretName,
    type GatewayRef,
    gatewayManifest,
    gatewayNamespacePolicies,
    HTTP_LISTENER,
    httpRouteManifest,
    httpsListenerName,
    httpsRedirectRoute,
} from "../components/kubernetes/gateway-manifests";

const GATEWAY: GatewayRef = {
    name: "fsgs",
    namespace: "gateway",
    proxyNamespace: "envoy-gateway-system",
    proxyPodLabels: { "app.kubernetes.io/name": "envoy", "gateway.envoyproxy.io/owning-gateway-name": "fsgs" },
};

const fromNamespace = (namespace: string) => ({
    namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } },
    kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
});

describe("the Gateway", () => {
    it("has a plain-HTTP listener for its own namespace and one HTTPS listener a routed service, sorted, each open to that service's namespace only", () => {
        const gateway = gatewayManifest({
            gateway: GATEWAY,
            gatewayClassName: "envoy",
            clusterIssuer: "letsencrypt-prod",
            routes: [
                { service: "portal", namespace: "fsgs-web", host: "portal.example.org" },
                { service: "api", namespace: "fsgs-core", host: "api.example.org" },
            ],
        });
        expect(gateway).toEqual({
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { name: "fsgs", namespace: "gateway", annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-prod" } },
            spec: {
                gatewayClassName: "envoy",
                listeners: [
                    { name: "http", protocol: "HTTP", port: 80, allowedRoutes: fromNamespace("gateway") },
                    {
                        name: "https-api",
                        protocol: "HTTPS",
                        port: 443,
                        hostname: "api.example.org",
                        tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "api-tls" }] },
                        allowedRoutes: fromNamespace("fsgs-core"),
                    },
                    {
                        name: "https-portal",
                        protocol: "HTTPS",
                        port: 443,
                        hostname: "portal.example.org",
                        tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "portal-tls" }] },
                        allowedRoutes: fromNamespace("fsgs-web"),
                    },
                ],
            },
        });
    });

    it("has only the plain-HTTP listener when nothing is routed", () => {
        const gateway = gatewayManifest({ gateway: GATEWAY, gatewayClassName: "envoy", clusterIssuer: "selfsigned", routes: [] });
        expect(gateway.spec.listeners).toEqual([{ name: "http", protocol: "HTTP", port: 80, allowedRoutes: fromNamespace("gateway") }]);
    });

    it("refuses two services on one host: a listener and its certificate serve one service", () => {
        expect(() =>
            gatewayManifest({
                gateway: GATEWAY,
                gatewayClassName: "envoy",
                clusterIssuer: "letsencrypt-prod",
                routes: [
                    { service: "portal", namespace: "fsgs-web", host: "www.example.org" },
                    { service: "docs", namespace: "fsgs-web", host: "api.example.org" },
                    { service: "blog", namespace: "fsgs-web", host: "www.example.org" },
                ],
            }),
        ).toThrow("two services route the host www.example.org: a listener and its certificate serve one service");
    });

    it("names listeners and certificate Secrets after the service", () => {
        expect(HTTP_LISTENER).toBe("http");
        expect(httpsListenerName("vhf-portal")).toBe("https-vhf-portal");
        expect(certificateSecretName("vhf-portal")).toBe("vhf-portal-tls");
    });
});

describe("the HTTPRoutes", () => {
    it("redirect every plain-HTTP request to HTTPS with a 301, on the plain listener of the Gateway's namespace", () => {
        expect(httpsRedirectRoute(GATEWAY)).toEqual({
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "https-redirect", namespace: "gateway" },
            spec: {
                parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "fsgs", sectionName: "http" }],
                rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
            },
        });
    });

    it("send a service's host and path prefix to its Service port, through its own HTTPS listener", () => {
        const labels = { "app.kubernetes.io/name": "portal" };
        expect(httpRouteManifest({ service: "portal", namespace: "fsgs-web", host: "portal.example.org", path: "/app", port: 8000, labels }, GATEWAY)).toEqual({
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "HTTPRoute",
            metadata: { name: "portal", namespace: "fsgs-web", labels: { "app.kubernetes.io/name": "portal" } },
            spec: {
                parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "fsgs", namespace: "gateway", sectionName: "https-portal" }],
                hostnames: ["portal.example.org"],
                rules: [
                    {
                        matches: [{ path: { type: "PathPrefix", value: "/app" } }],
                        backendRefs: [{ group: "", kind: "Service", name: "portal", port: 8000 }],
                    },
                ],
            },
        });
    });
});

describe("the NetworkPolicies of the Gateway's namespace", () => {
    it("deny everything in and out of every pod there, and let the proxies reach the HTTP-01 solver on 8089 only", () => {
        expect(ACME_SOLVER).toEqual({ labels: { "acme.cert-manager.io/http01-solver": "true" }, port: 8089 });
        expect(gatewayNamespacePolicies(GATEWAY)).toEqual([
            {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "default-deny", namespace: "gateway" },
                // The empty podSelector: every pod of the namespace, on purpose here.
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            },
            {
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "acme-http01-solver", namespace: "gateway" },
                spec: {
                    podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [
                                {
                                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" } },
                                    podSelector: { matchLabels: { "app.kubernetes.io/name": "envoy", "gateway.envoyproxy.io/owning-gateway-name": "fsgs" } },
                                },
                            ],
                            ports: [{ protocol: "TCP", port: 8089 }],
                        },
                    ],
                },
            },
        ]);
    });
});
