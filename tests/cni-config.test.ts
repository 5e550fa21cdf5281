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

describe("Calico Installation", () => {
    const documents = parseAllDocuments(renderCalicoManifest("10.244.0.0/16")).map((document) => document.toJS() as Record<string, any>);
    const installation = documents.find((document) => document.kind === "Installation");

    it("states every field the operator defaults in each IP pool, so a re-apply matches what the operator wrote", () => {
        const pools = installation?.spec.calicoNetwork.ipPools as Record<string, unknown>[];
        expect(pools).toHaveLength(1);
        for (const pool of pools) {
            expect(pool).toMatchObject(OPERATOR_IPV4_POOL_DEFAULTS);
        }
    });

    it("keeps VXLAN with BGP off on the stack's pod CIDR (the traffic the security groups allow)", () => {
        expect(installation?.spec.calicoNetwork.bgp).toBe("Disabled");
        expect(installation?.spec.calicoNetwork.ipPools[0]).toMatchObject({ cidr: "10.244.0.0/16", encapsulation: "VXLAN" });
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
