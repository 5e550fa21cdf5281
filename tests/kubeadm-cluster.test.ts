/**
 * KubeadmCluster rendered alone, from a hand-written ClusterHosts (no Environment, no OpenStack resource): the
 * contract between the OpenStack and cluster layers is the small typed object, and this is what the cluster makes
 * of it. Addresses, keys and IDs below are written out, not taken from a render.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubeadmCluster } from "../components/cluster/kubeadm-cluster";
import { deployKeys } from "../components/config/deploy-keys";
import { parseStackConfig } from "../components/config/load";
import type { ClusterHosts } from "../components/openstack/cluster-hosts";
import { type Render, renderProgram } from "../scripts/offline/render";
import { rawConfig } from "./support/stacks";

const BASTION_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBastionBastionBastionBastionBastionBast";
const CP1_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIControlPlaneOneControlPlaneOneControlPl";
const STAND_IN = "test:standin:Resource";

/** A resource the cluster only waits for or connects through (a security group, a node pool). */
class StandIn extends pulumi.CustomResource {
    constructor(name: string) {
        super(STAND_IN, name, {});
    }
}

let render: Render;
let outputs: Render["outputs"];

beforeAll(async () => {
    render = await renderProgram({
        project: "svom-fsgs",
        stack: "cluster-alone",
        config: {},
        program: () => {
            const standIn = (name: string) => new StandIn(name);
            const hosts: ClusterHosts = {
                nodes: {
                    controlPlane: [{ name: "c-cp-1", privateAddress: "10.9.0.11" }],
                    // Integration's stack file, its general pool set to the two workers given here.
                    workers: [
                        { name: "c-general-1", privateAddress: "10.9.0.21", pool: "general" },
                        { name: "c-general-2", privateAddress: "10.9.0.22", pool: "general" },
                    ],
                },
                bastion: { name: "c-bastion", privateAddress: "10.9.0.5", publicAddress: "198.51.100.7", id: "nova-bastion-1", resource: standIn("bastion") },
                endpoint: { mode: "vip", privateAddress: "10.9.0.100", publicAddress: "198.51.100.8", port: 8443 },
                hostPublicKeys: { "c-bastion": BASTION_KEY, "c-cp-1": CP1_KEY, "c-general-1": CP1_KEY, "c-general-2": CP1_KEY },
                servers: [
                    { name: "c-bastion", instanceId: "nova-bastion-1", hostPublicKey: BASTION_KEY },
                    { name: "c-cp-1", instanceId: "nova-cp-1", hostPublicKey: CP1_KEY },
                    { name: "c-general-1", instanceId: "nova-w-1", hostPublicKey: CP1_KEY },
                    { name: "c-general-2", instanceId: "nova-w-2", hostPublicKey: CP1_KEY },
                ],
                dataVolumeIds: { "c-general-1": "cinder-vol-1" },
                ready: [standIn("node-pools")],
                sshPath: [standIn("security-groups")],
            };
            const raw = rawConfig("integration") as { cluster: { workerPools: { count: number }[] } };
            raw.cluster.workerPools[0].count = 2;
            const config = parseStackConfig(raw);
            const cluster = new KubeadmCluster("c", {
                config,
                hosts,
                deployKeys: deployKeys(
                    config.access.deployPublicKey,
                    pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nstand-in\n-----END OPENSSH PRIVATE KEY-----\n"),
                ),
                etcdBackupKeys: { accessKey: pulumi.secret("AKIA"), secretKey: pulumi.secret("s3cr3t") },
            });
            return { kubeconfig: cluster.kubeconfig, inventory: cluster.inventory };
        },
    });
    outputs = render.outputs;
}, 60_000);

const named = (suffix: string) => {
    const found = render.resources.filter((resource) => resource.name === `c-${suffix}`);
    expect(found).toHaveLength(1);
    return found[0];
};
const urnOf = (name: string) => render.resources.find((resource) => resource.type === STAND_IN && resource.name === name)!.urn;

describe("KubeadmCluster from ClusterHosts alone", () => {
    it("writes the given hosts into the inventory, the workers' data volumes and the vip endpoint included", () => {
        const inventory = String(outputs.inventory.value);
        expect(inventory).toContain("ansible_host: 10.9.0.11");
        expect(inventory).toContain("ansible_host: 10.9.0.21");
        expect(inventory).toContain("ansible_host: 10.9.0.22");
        expect(inventory).toContain("cinder-vol-1");
        expect(inventory).toContain("cluster_api_endpoint_address: 10.9.0.100");
        expect(inventory).toContain("cluster_api_endpoint_port: 8443");
        // Ansible runs on the bastion itself.
        expect(inventory).toMatch(/c-bastion:\n\s+ansible_connection: local/);
    });

    it("reads the admin kubeconfig from the first control plane through the bastion, pinning both host keys", () => {
        expect(named("admin-kubeconfig").connection).toEqual({ host: "10.9.0.11", user: "ubuntu", proxyHost: "198.51.100.7", hostKey: CP1_KEY });
    });

    it("runs Ansible on the bastion once the hosts are ready, through the SSH path it is given", () => {
        const run = named("ansible-run");
        expect(run.connection).toEqual({ host: "198.51.100.7", user: "ubuntu", hostKey: BASTION_KEY });
        const inventoryCopy = named("ansible-inventory");
        for (const resource of [inventoryCopy, named("admin-kubeconfig")]) {
            expect(resource.dependsOn).toEqual(expect.arrayContaining([urnOf("security-groups")]));
        }
        expect(render.resources.filter((resource) => resource.dependsOn.includes(urnOf("node-pools"))).map((resource) => resource.name)).toEqual(
            expect.arrayContaining(["c-ansible-run"]),
        );
    });

    it("exports the kubeconfig only as a secret", () => {
        expect(outputs.kubeconfig).toEqual({ value: "[secret]", secret: true });
    });
});
