/**
 * The cluster's well-known ports (components/config/ports.ts), written out from their upstream sources: every layer
 * (security groups, kubeadm/haproxy configs, NetworkPolicies, the policy pack) takes them from there, so a wrong
 * number there is wrong everywhere at once and no layer's test can see it by comparing with the others.
 */
import { CNI_METRICS_PORTS, PORTS, apiEndpointPort } from "../components/config/ports";

describe("the well-known ports", () => {
    it("are the Kubernetes \"Ports and Protocols\" page's, kubeadm's and node-exporter's", () => {
        expect(PORTS).toEqual({
            ssh: 22,
            kubeApi: 6443,
            haproxyApi: 8443,
            etcd: { from: 2379, to: 2380 },
            kubelet: 10250,
            controllerManager: 10257,
            scheduler: 10259,
            etcdMetrics: 2381,
            nodeExporter: 9100,
            // kube-apiserver's default --service-node-port-range.
            nodePorts: { from: 30000, to: 32767 },
        });
    });

    it("put each CNI agent's metrics on its upstream port: Felix 9091 (Calico 3.31), cilium-agent 9962 (Cilium 1.19)", () => {
        expect(CNI_METRICS_PORTS).toEqual({ calico: 9091, cilium: 9962 });
    });

    it("put the API endpoint on 6443 behind Octavia and on haproxy's 8443 beside the API server in vip mode", () => {
        expect(apiEndpointPort("octavia")).toBe(6443);
        expect(apiEndpointPort("vip")).toBe(8443);
    });
});
