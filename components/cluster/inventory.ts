import { stringify } from "yaml";
import { parseCidr } from "../config/cidr";
import type { PoolPlacement } from "../config/pools";
import { nodeSoftwareVars } from "../config/kubernetes-versions";
import type { ApiEndpointMode, CniName, EnvironmentName } from "../config/schema";
import { renderAuditPolicy } from "./audit-policy";
import { renderCalicoManifest, renderCiliumValues } from "./cni-config";
import { renderHaproxyConfig } from "./haproxy-config";
import { keepalivedPriority, renderKeepalivedConfig } from "./keepalived-config";
import { renderKubeadmInitConfig } from "./kubeadm-config";
import type { NodeAddress } from "../openstack/cluster-hosts";

/** Everything the inventory is computed from, as plain values. */
export interface InventoryInput {
    environment: EnvironmentName;
    clusterName: string;
    kubernetesVersion: string;
    sshUser: string;
    /** Path of the deploy key on the machine that runs Ansible. */
    privateKeyFile: string;
    /** Path of the known_hosts file (from `renderKnownHosts`) on the machine that runs Ansible. */
    knownHostsFile: string;
    bastion: { name: string; privateAddress: string; publicAddress: string };
    controlPlane: readonly NodeAddress[];
    workers: readonly NodeAddress[];
    endpoint: { mode: ApiEndpointMode; privateAddress: string; publicAddress: string; port: number };
    network: { nodeCidr: string; podCidr: string; serviceCidr: string };
    cni: CniName;
    /** Cinder ID of each node's data volume, by node name: the data_volumes role mounts it. */
    dataVolumes?: Readonly<Record<string, string>>;
    /** Where the control planes upload etcd snapshots (no credentials: those reach the bastion as a secret file). */
    etcdBackup?: { endpoint: string; region: string; bucket: string; schedule: string; keep: number };
    /**
     * `bastion`: Ansible runs on the bastion and reaches the nodes directly (what the program does);
     * `jump`: Ansible runs elsewhere, e.g. an operator's laptop, and reaches the nodes through the bastion.
     */
    runsOn: "bastion" | "jump";
    /** Labels and taints of each worker pool's nodes, set by kubelet when it registers (role kubernetes_packages). */
    poolPlacements?: Readonly<Record<string, PoolPlacement>>;
}

/** kubelet's --node-labels and --register-with-taints values for a worker (kubelet command-line reference). */
function workerVars(input: InventoryInput, node: NodeAddress): Record<string, string> {
    const placement = node.pool ? input.poolPlacements?.[node.pool] : undefined;
    if (!placement) {
        return {};
    }
    const labels = Object.entries(placement.labels).map(([key, value]) => `${key}=${value}`);
    const taints = placement.taints.map((taint) => `${taint.key}=${taint.value}:${taint.effect}`);
    return {
        kubelet_node_labels: labels.join(","),
        ...(taints.length > 0 ? { kubelet_node_taints: taints.join(",") } : {}),
    };
}

// Only the node knows its interface name; Ansible fills this fact in when it writes keepalived.conf.
const INTERFACE_FACT = "{{ ansible_facts['default_ipv4']['interface'] }}";

function nodeHosts(nodes: readonly NodeAddress[], extra: (node: NodeAddress, index: number) => Record<string, unknown> = () => ({})) {
    return Object.fromEntries(
        nodes.map((node, index) => [node.name, { ansible_host: node.privateAddress, node_ip: node.privateAddress, ...extra(node, index) }]),
    );
}

/** The control-plane group variables: the rendered kubeadm, audit, CNI and (vip mode) haproxy configs. */
function controlPlaneVars(input: InventoryInput): Record<string, string> {
    const [first] = input.controlPlane;
    const endpoint = { address: input.endpoint.privateAddress, port: input.endpoint.port };
    return {
        kubeadm_init_config: renderKubeadmInitConfig({
            clusterName: input.clusterName,
            kubernetesVersion: input.kubernetesVersion,
            endpoint,
            publicAddress: input.endpoint.publicAddress,
            podCidr: input.network.podCidr,
            serviceCidr: input.network.serviceCidr,
            firstControlPlane: { name: first.name, address: first.privateAddress },
        }),
        kubeadm_audit_policy: renderAuditPolicy(),
        ...(input.etcdBackup
            ? {
                  etcd_backup_endpoint: input.etcdBackup.endpoint,
                  etcd_backup_region: input.etcdBackup.region,
                  etcd_backup_bucket: input.etcdBackup.bucket,
                  etcd_backup_prefix: input.clusterName,
                  etcd_backup_schedule: input.etcdBackup.schedule,
                  etcd_backup_keep: String(input.etcdBackup.keep),
              }
            : {}),
        ...(input.cni === "calico"
            ? { kubeadm_cni_manifest: renderCalicoManifest(input.network.podCidr) }
            : { cilium_helm_values: renderCiliumValues(input.network.podCidr, endpoint) }),
        ...(input.endpoint.mode === "vip"
            ? {
                  api_vip_haproxy_cfg: renderHaproxyConfig({
                      port: input.endpoint.port,
                      backends: input.controlPlane.map((node) => ({ name: node.name, address: node.privateAddress })),
                  }),
              }
            : {}),
    };
}

function keepalivedVars(input: InventoryInput, node: NodeAddress, index: number): Record<string, string> {
    if (input.endpoint.mode !== "vip") {
        return {};
    }
    const prefixLength = parseCidr(input.network.nodeCidr)?.prefix ?? 32;
    return {
        api_vip_keepalived_conf: renderKeepalivedConfig({
            hostName: node.name,
            interfaceName: INTERFACE_FACT,
            address: node.privateAddress,
            peers: input.controlPlane.filter((other) => other.name !== node.name).map((other) => other.privateAddress),
            priority: keepalivedPriority(index),
            vip: input.endpoint.privateAddress,
            prefixLength,
        }),
    };
}

/** The inventory document: groups bastion / control_plane / workers and the variables the roles expect. */
export function inventoryDocument(input: InventoryInput): Record<string, unknown> {
    if (input.controlPlane.length === 0) {
        throw new Error("an inventory needs at least one control-plane node");
    }
    // Every host key is known in advance (the program generates them): any other key, or an unlisted host, is refused.
    const pinned = `-o StrictHostKeyChecking=yes -o UserKnownHostsFile=${input.knownHostsFile}`;
    const sshArgs = [pinned];
    if (input.runsOn === "jump") {
        // ProxyJump would start the jump's ssh without these -o options (ssh(1) ProxyJump), so the jump is spelled out.
        sshArgs.push(
            `-o ProxyCommand="ssh ${pinned} -i ${input.privateKeyFile} -W %h:%p ${input.sshUser}@${input.bastion.publicAddress}"`,
        );
    }
    const bastionHost =
        input.runsOn === "bastion"
            ? { ansible_connection: "local" }
            : { ansible_host: input.bastion.publicAddress, ansible_ssh_common_args: pinned };
    return {
        all: {
            vars: {
                ansible_user: input.sshUser,
                ansible_ssh_private_key_file: input.privateKeyFile,
                ansible_ssh_common_args: sshArgs.join(" "),
                ansible_python_interpreter: "/usr/bin/python3",
                svom_environment: input.environment,
                kubernetes_version: input.kubernetesVersion,
                // containerd, runc, pause image and Calico pinned for this Kubernetes minor (one table).
                ...nodeSoftwareVars(input.kubernetesVersion),
                cluster_api_endpoint_mode: input.endpoint.mode,
                cluster_api_endpoint_address: input.endpoint.privateAddress,
                cluster_api_endpoint_port: input.endpoint.port,
                cluster_cni: input.cni,
                cluster_pod_cidr: input.network.podCidr,
                cluster_service_cidr: input.network.serviceCidr,
            },
            children: {
                bastion: { hosts: { [input.bastion.name]: bastionHost } },
                control_plane: {
                    vars: controlPlaneVars(input),
                    hosts: nodeHosts(input.controlPlane, (node, index) => keepalivedVars(input, node, index)),
                },
                workers: {
                    hosts: nodeHosts(input.workers, (node) => ({
                        ...workerVars(input, node),
                        ...(input.dataVolumes?.[node.name] ? { data_volumes_volume_id: input.dataVolumes[node.name] } : {}),
                    })),
                },
            },
        },
    };
}

/**
 * The inventory as the YAML file ansible-playbook reads. Its header still names the file's former place
 * (components/ansible/): the text is part of PlaybookRun's trigger, and a new header would run Ansible again on
 * every stack for a comment. Change it together with a change that runs Ansible anyway.
 */
export function renderInventory(input: InventoryInput): string {
    return `# Generated by the svom-fsgs Pulumi program (components/ansible/inventory.ts); do not edit.\n${stringify(
        inventoryDocument(input),
        { lineWidth: 0 },
    )}`;
}
