import { stringify } from "yaml";
import { PORTS } from "../config/ports";
import { CONTROL_PLANE_PATHS, CRI_SOCKET } from "./paths";

export interface KubeadmInput {
    clusterName: string;
    /** `1.35.9`. */
    kubernetesVersion: string;
    /** Address and port every node and kubeconfig uses: the Octavia VIP or the keepalived VIP. */
    endpoint: { address: string; port: number };
    /** Public address of the endpoint (its floating IP), so the API certificate is valid through it. */
    publicAddress: string;
    podCidr: string;
    serviceCidr: string;
    /** The control plane that runs `kubeadm init`. */
    firstControlPlane: { name: string; address: string };
}

// A fork bomb in one pod must not exhaust the node's PIDs (CIS 4.2.13 asks for a limit).
const POD_PIDS_LIMIT = 4096;
// Audit log rotation: days, files and MiB, as CIS 1.2.17-1.2.19 ask.
const AUDIT_LOG = { maxAge: 30, maxBackup: 10, maxSize: 100 };

type ExtraArgs = { name: string; value: string }[];
const args = (values: Record<string, string | number | boolean>): ExtraArgs =>
    Object.entries(values).map(([name, value]) => ({ name, value: String(value) }));

/** The kubeadm documents of `kubeadm init` (API kubeadm.k8s.io/v1beta4), as data. */
export function kubeadmInitDocuments(input: KubeadmInput): Record<string, unknown>[] {
    const paths = CONTROL_PLANE_PATHS;
    const initConfiguration = {
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "InitConfiguration",
        localAPIEndpoint: { advertiseAddress: input.firstControlPlane.address, bindPort: PORTS.kubeApi },
        nodeRegistration: {
            name: input.firstControlPlane.name,
            criSocket: CRI_SOCKET,
            // The OpenStack cloud-controller-manager initialises the nodes (provider ID, addresses).
            kubeletExtraArgs: args({ "node-ip": input.firstControlPlane.address, "cloud-provider": "external" }),
        },
    };
    const clusterConfiguration = {
        apiVersion: "kubeadm.k8s.io/v1beta4",
        kind: "ClusterConfiguration",
        clusterName: input.clusterName,
        kubernetesVersion: `v${input.kubernetesVersion}`,
        controlPlaneEndpoint: `${input.endpoint.address}:${input.endpoint.port}`,
        networking: { podSubnet: input.podCidr, serviceSubnet: input.serviceCidr, dnsDomain: "cluster.local" },
        apiServer: {
            certSANs: [input.endpoint.address, input.publicAddress],
            extraArgs: args({
                profiling: false,
                "audit-policy-file": paths.auditPolicy,
                "audit-log-path": paths.auditLog,
                "audit-log-maxage": AUDIT_LOG.maxAge,
                "audit-log-maxbackup": AUDIT_LOG.maxBackup,
                "audit-log-maxsize": AUDIT_LOG.maxSize,
                "encryption-provider-config": paths.encryptionConfig,
            }),
            extraVolumes: [
                { name: "audit-policy", hostPath: paths.auditPolicyDir, mountPath: paths.auditPolicyDir, readOnly: true, pathType: "DirectoryOrCreate" },
                { name: "audit-log", hostPath: paths.auditLogDir, mountPath: paths.auditLogDir, readOnly: false, pathType: "DirectoryOrCreate" },
                { name: "encryption-config", hostPath: paths.encryptionDir, mountPath: paths.encryptionDir, readOnly: true, pathType: "DirectoryOrCreate" },
            ],
        },
        // Prometheus scrapes them from another control plane (platform/kube-prometheus-stack.ts): kubeadm binds their
        // secure ports to 127.0.0.1; the security groups let only control planes reach 10257 and 10259 (rules.ts), and
        // both still authenticate and authorise every request.
        controllerManager: { extraArgs: args({ profiling: false, "bind-address": "0.0.0.0" }) },
        scheduler: { extraArgs: args({ profiling: false, "bind-address": "0.0.0.0" }) },
        // kubeadm serves etcd's metrics on http://127.0.0.1:2381 only; on every address here, for the same scrape. The
        // port serves /metrics and /health, never the keyspace (that is 2379, TLS with client certificates).
        etcd: { local: { dataDir: "/var/lib/etcd", extraArgs: args({ "listen-metrics-urls": `http://0.0.0.0:${PORTS.etcdMetrics}` }) } },
    };
    const kubeletConfiguration = {
        apiVersion: "kubelet.config.k8s.io/v1beta1",
        kind: "KubeletConfiguration",
        cgroupDriver: "systemd",
        // kubeadm's defaults, written out so a later change of default cannot loosen them silently.
        authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
        authorization: { mode: "Webhook" },
        readOnlyPort: 0,
        rotateCertificates: true,
        // The CIS items kubeadm leaves to the installer; the os_baseline role sets the sysctls the first needs.
        protectKernelDefaults: true,
        seccompDefault: true,
        podPidsLimit: POD_PIDS_LIMIT,
    };
    return [initConfiguration, clusterConfiguration, kubeletConfiguration];
}

/** The config file of `kubeadm init --config`, one YAML document per kind. */
export function renderKubeadmInitConfig(input: KubeadmInput): string {
    // Stryker disable next-line ObjectLiteral: lineWidth 0 only keeps long scalars on one line; kubeadm's YAML parser reads a folded scalar back unchanged
    const render = (document: Record<string, unknown>): string => stringify(document, { lineWidth: 0 });
    return kubeadmInitDocuments(input).map(render).join("---\n");
}
