import { parse, parseAllDocuments } from "yaml";
import { renderCalicoManifest, renderCiliumValues } from "../components/cluster/cni-config";

/**
 * The Tigera operator writes its defaults back into the Installation (tigera/operator
 * pkg/controller/ippool/pool_controller.go fillDefaults, operator 1.36+ / Calico 3.30+) with a merge patch, and
 * spec.calicoNetwork.ipPools has no x-kubernetes-list-type, so it is an atomic list: when the list the cni role
 * applies lacks a defaulted field, every `kubectl apply --server-side` replaces the operator's list, the
 * server-side diff reports a difference on every run, and site.yml is never changed=0. Written out from the
 * operator's code, not from the renderer.
 */
const OPERATOR_IPV4_POOL_DEFAULTS = {
    allowedUses: ["Workload", "Tunnel"],
    natOutgoing: "Enabled",
    nodeSelector: "all()",
    blockSize: 26,
    disableNewAllocations: false,
    assignmentMode: "Automatic",
};

// Rendered inside each test, not at import: Stryker then runs, for a mutant, only the tests that reach it.
const calico = (podCidr = "10.244.0.0/16") => parseAllDocuments(renderCalicoManifest(podCidr)).map((document) => document.toJS() as Record<string, any>);

describe("Calico Installation", () => {
    const installation = () => calico().find((document) => document.kind === "Installation");

    it("states every field the operator defaults in each IP pool, so a re-apply matches what the operator wrote", () => {
        const pools = installation()?.spec.calicoNetwork.ipPools as Record<string, unknown>[];
        expect(pools).toHaveLength(1);
        for (const pool of pools) {
            expect(pool).toMatchObject(OPERATOR_IPV4_POOL_DEFAULTS);
        }
    });

    it("keeps VXLAN with BGP off on the stack's pod CIDR (the traffic the security groups allow)", () => {
        expect(installation()?.spec.calicoNetwork.bgp).toBe("Disabled");
        expect(installation()?.spec.calicoNetwork.ipPools[0]).toMatchObject({ cidr: "10.244.0.0/16", encapsulation: "VXLAN" });
    });
});

describe("the CNI agents' metrics", () => {
    it("turn Felix's Prometheus metrics on through the Installation, on 9091, with no FelixConfiguration to share with calico-node", () => {
        const documents = parseAllDocuments(renderCalicoManifest("10.244.0.0/16")).map((document) => document.toJS() as Record<string, any>);
        // tigera/operator v1.40.3 api/v1/installation_types.go: "NodeMetricsPort specifies which port calico/node serves
        // prometheus metrics on. By default, metrics are not enabled."
        expect(documents.find((document) => document.kind === "Installation")?.spec.nodeMetricsPort).toBe(9091);
        expect(documents.map((document) => `${document.apiVersion} ${document.kind}`)).toEqual(["operator.tigera.io/v1 Installation", "operator.tigera.io/v1 APIServer"]);
    });

    it("turn cilium-agent's metrics on, on 9962 (docs.cilium.io 1.19 \"Monitoring & Metrics\")", () => {
        const values = parse(renderCiliumValues("10.244.0.0/16", { address: "10.42.10.5", port: 6443 })) as Record<string, any>;
        expect(values.prometheus).toEqual({ enabled: true, port: 9962 });
    });
});

describe("the Calico operator's objects", () => {
    it("are both named default, the only name the Tigera operator reconciles", () => {
        // tigera/operator pkg/controller/utils/utils.go: DefaultInstanceKey = client.ObjectKey{Name: "default"}, the key
        // the installation and apiserver controllers read; an object of any other name is ignored and Calico never installed.
        expect(calico().map((document) => [document.kind, document.metadata])).toEqual([
            ["Installation", { name: "default" }],
            ["APIServer", { name: "default" }],
        ]);
    });

    it("name the pool as the operator names its default IPv4 pool, on the CIDR given", () => {
        // "default-ipv4-ippool" is the name Calico gives the default IPv4 pool it creates itself (calico-node startup,
        // the operator's defaults); the pool the cni role applies takes its place instead of standing beside it.
        const pools = calico("10.50.0.0/16").find((document) => document.kind === "Installation")?.spec.calicoNetwork.ipPools;
        expect(pools).toEqual([expect.objectContaining({ name: "default-ipv4-ippool", cidr: "10.50.0.0/16" })]);
    });

    it("renders two YAML documents, Installation then APIServer", () => {
        const text = renderCalicoManifest("10.244.0.0/16");
        expect(text.split(/^---$/m).map((part) => /^kind: (\w+)$/m.exec(part)?.[1])).toEqual(["Installation", "APIServer"]);
    });
});

describe("Cilium's chart values", () => {
    const values = () => parse(renderCiliumValues("10.50.0.0/16", { address: "10.42.10.5", port: 8443 })) as Record<string, any>;

    it("tunnel pod traffic in VXLAN (UDP 8472, which the security groups open for Cilium, rules.ts) rather than routing it natively", () => {
        // Cilium 1.19 values.yaml: routingMode "tunnel" | "native", tunnelProtocol "vxlan" | "geneve"; VXLAN's port 8472.
        expect(values()).toMatchObject({ routingMode: "tunnel", tunnelProtocol: "vxlan" });
    });

    it("hand out pod addresses from the stack's pod CIDR, a /24 per node", () => {
        expect(values().ipam).toEqual({ mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: ["10.50.0.0/16"], clusterPoolIPv4MaskSize: 24 } });
    });

    it("reach the API server through the endpoint given, since no Service exists before the CNI", () => {
        expect([values().k8sServiceHost, values().k8sServicePort]).toEqual(["10.42.10.5", 8443]);
    });

    it("leave kube-proxy in charge of Services, and turn Hubble and its relay on", () => {
        // kubeadm installs kube-proxy; with kubeProxyReplacement on, both would program Services.
        expect(values().kubeProxyReplacement).toBe(false);
        expect(values().hubble).toEqual({ enabled: true, relay: { enabled: true } });
    });
});
