import type { ApiEndpointMode } from "./schema";

/**
 * The cluster's well-known ports, one source for every layer: the security groups (openstack/rules.ts), the
 * kubeadm and haproxy configs (cluster/), the NetworkPolicies (kubernetes/) and the policy pack.
 * Kubernetes "Ports and Protocols" (kubernetes.io/docs/reference/networking/ports-and-protocols/).
 */
export const PORTS = {
    ssh: 22,
    // kube-apiserver's secure port as kubeadm configures it (localAPIEndpoint.bindPort default).
    kubeApi: 6443,
    // haproxy on the control planes in vip mode: 6443 is the local API server's (kubeadm "HA considerations").
    haproxyApi: 8443,
    etcd: { from: 2379, to: 2380 },
    kubelet: 10250,
    controllerManager: 10257,
    scheduler: 10259,
    nodePorts: { from: 30000, to: 32767 },
} as const;

/** Port of the API endpoint: the Octavia listener forwards 6443; in vip mode haproxy listens beside the API server. */
export function apiEndpointPort(mode: ApiEndpointMode): number {
    return mode === "octavia" ? PORTS.kubeApi : PORTS.haproxyApi;
}
