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
    // Rendered in each test, so that mutation testing's per-test coverage applies (tests/mutation/).
    let all: Record<string, any>;
    beforeEach(() => {
        all = inventory(base);
    });

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

const vipInput: InventoryInput = { ...base, endpoint: { ...base.endpoint, mode: "vip", port: 8443 } };

/** keepalived.conf's `keyword value` lines and the addresses listed in its unicast_peer block. */
function keepalivedFacts(conf: string) {
    const value = (keyword: string) => new RegExp(`^\\s*${keyword} (.+)$`, "m").exec(conf)?.[1];
    const peers = /unicast_peer \{\n([^}]*)\}/.exec(conf)?.[1].trim().split(/\s+/) ?? [];
    const vip = /virtual_ipaddress \{\n\s*(\S+)/.exec(conf)?.[1];
    return { routerId: value("router_id"), interface: value("interface"), source: value("unicast_src_ip"), peers, priority: value("priority"), vip };
}

describe("the Ansible inventory, written out", () => {
    it("hands every role these variables", () => {
        expect(inventory(base).vars).toEqual({
            ansible_user: "ubuntu",
            ansible_ssh_private_key_file: "~/.ssh/fsgs-deploy",
            ansible_ssh_common_args: "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/home/ubuntu/fsgs-ansible/known_hosts",
            ansible_python_interpreter: "/usr/bin/python3",
            svom_environment: "preprod",
            kubernetes_version: "1.35.9",
            // README "Supported Kubernetes", row 1.35.
            container_runtime_sandbox_image: expect.stringMatching(/pause:3\.10\.1$/),
            container_runtime_containerd_version: "2.3.4",
            container_runtime_containerd_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
            container_runtime_runc_version: "1.4.3",
            container_runtime_runc_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
            cni_calico_version: "3.33.0",
            cluster_api_endpoint_mode: "octavia",
            cluster_api_endpoint_address: "10.41.10.10",
            cluster_api_endpoint_port: 6443,
            cluster_cni: "calico",
            cluster_pod_cidr: "10.244.0.0/16",
            cluster_service_cidr: "10.96.0.0/12",
        });
    });

    it("starts with a line saying it is generated", () => {
        expect(renderInventory(base).split("\n")[0]).toBe("# Generated by the svom-fsgs Pulumi program (components/ansible/inventory.ts); do not edit.");
    });

    it("keeps every value on one line, however long: the text is PlaybookRun's trigger, so a re-folded line would run Ansible again", () => {
        const pinned = "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/home/ubuntu/fsgs-ansible/known_hosts";
        expect(renderInventory({ ...base, runsOn: "jump" }).split("\n")).toContain(
            `    ansible_ssh_common_args: ${pinned} -o ProxyCommand="ssh ${pinned} -i ~/.ssh/fsgs-deploy -W %h:%p ubuntu@203.0.113.5"`,
        );
    });

    it("pins host keys on the jump to the bastion too, spelled out as a ProxyCommand", () => {
        const jumping = inventory({ ...base, runsOn: "jump" });
        const pinned = "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/home/ubuntu/fsgs-ansible/known_hosts";
        expect(jumping.vars.ansible_ssh_common_args).toBe(
            `${pinned} -o ProxyCommand="ssh ${pinned} -i ~/.ssh/fsgs-deploy -W %h:%p ubuntu@203.0.113.5"`,
        );
        expect(jumping.children.bastion.hosts).toEqual({ "fsgs-preprod-bastion": { ansible_host: "203.0.113.5", ansible_ssh_common_args: pinned } });
    });

    it("gives the control planes the kubeadm, audit and Calico configs, and no VIP config behind Octavia", () => {
        const vars = inventory(base).children.control_plane.vars;
        expect(Object.keys(vars).sort()).toEqual(["kubeadm_audit_policy", "kubeadm_cni_manifest", "kubeadm_init_config"]);
        const init = parse(vars.kubeadm_init_config.split("\n---\n").find((doc: string) => doc.includes("kind: ClusterConfiguration")));
        expect(init).toMatchObject({ clusterName: "fsgs-preprod", kubernetesVersion: "v1.35.9", controlPlaneEndpoint: "10.41.10.10:6443" });
        expect(parse(vars.kubeadm_audit_policy)).toMatchObject({ apiVersion: "audit.k8s.io/v1", kind: "Policy" });
        expect(vars.kubeadm_cni_manifest).toContain("10.244.0.0/16");
        for (const host of Object.values(inventory(base).children.control_plane.hosts)) {
            expect(Object.keys(host as object).sort()).toEqual(["ansible_host", "node_ip"]);
        }
    });

    it("sends haproxy, in vip mode, to every control plane's API server", () => {
        const haproxy: string = inventory(vipInput).children.control_plane.vars.api_vip_haproxy_cfg;
        expect(haproxy).toContain("    bind *:8443\n");
        expect(haproxy.split("\n").filter((line) => line.trim().startsWith("server "))).toEqual([
            "    server fsgs-preprod-cp-1 10.41.10.11:6443 check check-ssl verify none",
            "    server fsgs-preprod-cp-2 10.41.10.12:6443 check check-ssl verify none",
            "    server fsgs-preprod-cp-3 10.41.10.13:6443 check check-ssl verify none",
        ]);
    });

    it("makes each control plane, in vip mode, advertise from its address to the two others, never to itself", () => {
        const hosts = inventory(vipInput).children.control_plane.hosts;
        const facts = Object.entries(hosts).map(([name, host]: [string, any]) => ({ name, ...keepalivedFacts(host.api_vip_keepalived_conf) }));
        const iface = "{{ ansible_facts['default_ipv4']['interface'] }}";
        expect(facts).toEqual([
            { name: "fsgs-preprod-cp-1", routerId: "fsgs-preprod-cp-1", interface: iface, source: "10.41.10.11", peers: ["10.41.10.12", "10.41.10.13"], priority: "150", vip: "10.41.10.10/24" },
            { name: "fsgs-preprod-cp-2", routerId: "fsgs-preprod-cp-2", interface: iface, source: "10.41.10.12", peers: ["10.41.10.11", "10.41.10.13"], priority: "149", vip: "10.41.10.10/24" },
            { name: "fsgs-preprod-cp-3", routerId: "fsgs-preprod-cp-3", interface: iface, source: "10.41.10.13", peers: ["10.41.10.11", "10.41.10.12"], priority: "148", vip: "10.41.10.10/24" },
        ]);
    });

    it("gives the VIP the node subnet's prefix length", () => {
        const hosts = inventory({ ...vipInput, network: { ...vipInput.network, nodeCidr: "10.41.8.0/22" } }).children.control_plane.hosts;
        expect(keepalivedFacts(hosts["fsgs-preprod-cp-1"].api_vip_keepalived_conf).vip).toBe("10.41.10.10/22");
    });

    it("hands the etcd snapshot target to the control planes, prefixed with the cluster's name", () => {
        const vars = inventory({
            ...base,
            etcdBackup: { endpoint: "https://s3.example.org", region: "fr-1", bucket: "fsgs-etcd", schedule: "hourly", keep: 72 },
        }).children.control_plane.vars;
        expect(vars).toMatchObject({
            etcd_backup_endpoint: "https://s3.example.org",
            etcd_backup_region: "fr-1",
            etcd_backup_bucket: "fsgs-etcd",
            etcd_backup_prefix: "fsgs-preprod",
            etcd_backup_schedule: "hourly",
            etcd_backup_keep: "72",
        });
    });

    it("gives each worker its pool's labels and taints and its data volume, and nothing to a worker without them", () => {
        const workers = inventory({
            ...base,
            workers: [...base.workers, { name: "fsgs-preprod-db-1", privateAddress: "10.41.10.31", pool: "db" }],
            poolPlacements: {
                general: { labels: { "svom.fr/pool": "general", "svom.fr/pool-role": "general" }, taints: [] },
                db: {
                    labels: { "svom.fr/pool": "db", "svom.fr/pool-role": "stateful" },
                    taints: [{ key: "svom.fr/dedicated", value: "stateful", effect: "NoSchedule" }],
                },
            },
            dataVolumes: { "fsgs-preprod-db-1": "0b6e6f1c-volume" },
        }).children.workers.hosts;
        expect(workers).toEqual({
            "fsgs-preprod-general-1": { ansible_host: "10.41.10.21", node_ip: "10.41.10.21", kubelet_node_labels: "svom.fr/pool=general,svom.fr/pool-role=general" },
            "fsgs-preprod-general-2": { ansible_host: "10.41.10.22", node_ip: "10.41.10.22", kubelet_node_labels: "svom.fr/pool=general,svom.fr/pool-role=general" },
            "fsgs-preprod-db-1": {
                ansible_host: "10.41.10.31",
                node_ip: "10.41.10.31",
                kubelet_node_labels: "svom.fr/pool=db,svom.fr/pool-role=stateful",
                kubelet_node_taints: "svom.fr/dedicated=stateful:NoSchedule",
                data_volumes_volume_id: "0b6e6f1c-volume",
            },
        });
        expect(inventory(base).children.workers.hosts["fsgs-preprod-general-1"]).toEqual({ ansible_host: "10.41.10.21", node_ip: "10.41.10.21" });
    });

    it("hands kubelet every taint of a pool, comma-separated as --register-with-taints takes them", () => {
        const workers = inventory({
            ...base,
            workers: [{ name: "fsgs-preprod-gpu-1", privateAddress: "10.41.10.41", pool: "gpu" }],
            poolPlacements: {
                gpu: {
                    labels: { "svom.fr/pool": "gpu" },
                    taints: [
                        { key: "svom.fr/dedicated", value: "gpu", effect: "NoSchedule" },
                        { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" },
                    ],
                },
            },
        }).children.workers.hosts;
        expect(workers["fsgs-preprod-gpu-1"].kubelet_node_taints).toBe("svom.fr/dedicated=gpu:NoSchedule,nvidia.com/gpu=present:NoSchedule");
    });

    it("says why it refuses an inventory without a control plane", () => {
        expect(() => renderInventory({ ...base, controlPlane: [] })).toThrow(new Error("an inventory needs at least one control-plane node"));
    });
});
