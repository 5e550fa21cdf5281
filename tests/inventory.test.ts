import { parse } from "yaml";
import { type InventoryInput, renderInventory } from "../components/cluster/inventory";

const base: InventoryInput = {
    environment: "preprod",
    clusterName: "fsgs-preprod",
    kubernetesVersion: "1.35.9",
    sshUser: "ubuntu",
    privateKeyFile: "~/.ssh/fsgs-deploy",
    knownHostsFile: "/home/ubuntu/fsgs-ansible/known_hosts",
    bastion: { name: "fsgs-preprod-bastion", privateAddress: "10.41.10.5", publicAddress: "203.0.113.5" },
    controlPlane: [
        { name: "fsgs-preprod-cp-1", privateAddress: "10.41.10.11" },
        { name: "fsgs-preprod-cp-2", privateAddress: "10.41.10.12" },
        { name: "fsgs-preprod-cp-3", privateAddress: "10.41.10.13" },
    ],
    workers: [
        { name: "fsgs-preprod-general-1", privateAddress: "10.41.10.21", pool: "general" },
        { name: "fsgs-preprod-general-2", privateAddress: "10.41.10.22", pool: "general" },
    ],
    endpoint: { mode: "octavia", privateAddress: "10.41.10.10", publicAddress: "203.0.113.10", port: 6443 },
    network: { nodeCidr: "10.41.10.0/24", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12" },
    cni: "calico",
    runsOn: "bastion",
};

const inventory = (input: InventoryInput) => parse(renderInventory(input)).all as Record<string, any>;

describe("the Ansible inventory", () => {
    const all = inventory(base);

    it("has the bastion, control_plane and workers groups with every node at its private address", () => {
        expect(Object.keys(all.children)).toEqual(["bastion", "control_plane", "workers"]);
        expect(all.children.control_plane.hosts["fsgs-preprod-cp-2"]).toMatchObject({ ansible_host: "10.41.10.12", node_ip: "10.41.10.12" });
        expect(Object.keys(all.children.workers.hosts)).toEqual(["fsgs-preprod-general-1", "fsgs-preprod-general-2"]);
    });

    it("keeps the control planes in order, so the first one is the one that runs kubeadm init", () => {
        expect(Object.keys(all.children.control_plane.hosts)).toEqual(["fsgs-preprod-cp-1", "fsgs-preprod-cp-2", "fsgs-preprod-cp-3"]);
        expect(all.children.control_plane.vars.kubeadm_init_config).toContain("advertiseAddress: 10.41.10.11");
    });

    it("runs on the bastion itself and reaches the nodes directly, with the deploy key's path and no key", () => {
        expect(all.children.bastion.hosts["fsgs-preprod-bastion"]).toEqual({ ansible_connection: "local" });
        expect(all.vars.ansible_ssh_private_key_file).toBe("~/.ssh/fsgs-deploy");
        expect(all.vars.ansible_ssh_common_args).not.toContain("ProxyJump");
        expect(renderInventory(base)).not.toMatch(/PRIVATE KEY/);
    });

    it("jumps through the bastion when Ansible runs elsewhere", () => {
        const jumping = inventory({ ...base, runsOn: "jump" });
        expect(jumping.vars.ansible_ssh_common_args).toContain("-W %h:%p ubuntu@203.0.113.5");
        expect(jumping.children.bastion.hosts["fsgs-preprod-bastion"].ansible_host).toBe("203.0.113.5");
    });

    it("hands the roles the endpoint, the versions and the networks", () => {
        expect(all.vars).toMatchObject({
            kubernetes_version: "1.35.9",
            cluster_api_endpoint_mode: "octavia",
            cluster_api_endpoint_address: "10.41.10.10",
            cluster_api_endpoint_port: 6443,
            cluster_cni: "calico",
            cluster_pod_cidr: "10.244.0.0/16",
            cluster_service_cidr: "10.96.0.0/12",
        });
    });

    it("carries the VIP configs only in vip mode: one haproxy.cfg, one keepalived.conf per control plane", () => {
        expect(all.children.control_plane.vars.api_vip_haproxy_cfg).toBeUndefined();
        const vip = inventory({ ...base, endpoint: { ...base.endpoint, mode: "vip", port: 8443 } });
        expect(vip.children.control_plane.vars.api_vip_haproxy_cfg).toContain("bind *:8443");
        const confs = Object.values(vip.children.control_plane.hosts).map((host: any) => host.api_vip_keepalived_conf as string);
        expect(confs).toHaveLength(3);
        expect(confs[0]).toContain("priority 150");
        expect(confs[0]).toContain("unicast_src_ip 10.41.10.11");
        expect(confs[0]).toContain("10.41.10.10/24");
        expect(confs[1]).toContain("priority 149");
        expect(confs[0]).toContain("interface {{ ansible_facts['default_ipv4']['interface'] }}");
    });

    it("gives Cilium its values instead of Calico's resources", () => {
        const cilium = inventory({ ...base, cni: "cilium" }).children.control_plane.vars;
        expect(cilium.kubeadm_cni_manifest).toBeUndefined();
        expect(parse(cilium.cilium_helm_values)).toMatchObject({ ipam: { operator: { clusterPoolIPv4PodCIDRList: ["10.244.0.0/16"] } } });
    });

    it("refuses an inventory without a control plane", () => {
        expect(() => renderInventory({ ...base, controlPlane: [] })).toThrow("at least one control-plane node");
    });
});
