import { PORTS } from "../config/ports";

export interface HaproxyInput {
    /** Port haproxy listens on, on every address of the control-plane node (the VIP among them). */
    port: number;
    /** The API servers. */
    backends: readonly { name: string; address: string }[];
}

// Watches, `logs -f` and `exec` hold a connection open without traffic for long stretches.
const STREAM_IDLE_TIMEOUT = "1h";

/**
 * haproxy in TCP mode in front of every API server, health-checked on /readyz over TLS, after kubeadm's
 * "HA considerations" guide. It runs on each control plane; keepalived moves the VIP between them.
 */
export function renderHaproxyConfig(input: HaproxyInput): string {
    const lines = [
        "# Rendered by the svom-fsgs Pulumi program (components/cluster/haproxy-config.ts); do not edit.",
        "global",
        "    log /dev/log local0",
        "    daemon",
        "",
        "defaults",
        "    mode tcp",
        "    log global",
        "    option tcplog",
        "    option dontlognull",
        "    retries 1",
        "    timeout connect 5s",
        `    timeout client ${STREAM_IDLE_TIMEOUT}`,
        `    timeout server ${STREAM_IDLE_TIMEOUT}`,
        "",
        "frontend kube-apiserver",
        `    bind *:${input.port}`,
        "    default_backend kube-apiserver",
        "",
        "backend kube-apiserver",
        "    option httpchk",
        "    http-check send meth GET uri /readyz",
        "    http-check expect status 200",
        // Long-lived watches: balance on open connections.
        "    balance leastconn",
        "    default-server inter 5s downinter 5s rise 2 fall 2 slowstart 30s maxconn 250 maxqueue 256",
        ...input.backends.map(
            (backend) => `    server ${backend.name} ${backend.address}:${PORTS.kubeApi} check check-ssl verify none`,
        ),
        "",
    ];
    return lines.join("\n");
}
