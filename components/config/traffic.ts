import type { StackConfig } from "./schema";

/**
 * Where a stack's HTTPS certificates come from. ACME HTTP-01 needs the ACME server to reach the Gateway on port 80
 * from the Internet: with Octavia the Gateway has a floating IP on a load balancer. Without it (vip mode) the
 * proxies sit on NodePorts of the private node subnet, unreachable by the ACME server, and DNS-01 would need write
 * access to the svom.eu zone, which the project does not hold; there the stack's own CA signs, and users trust its
 * root once (README, "Certificates").
 */
export function certificateSource(config: Pick<StackConfig, "cluster">): "acme-http01" | "internal-ca" {
    return config.cluster.apiEndpoint.mode === "octavia" ? "acme-http01" : "internal-ca";
}
