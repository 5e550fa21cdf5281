import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CONTROL_PLANE_PATHS } from "../components/cluster/paths";
import { type KubeadmInput, renderKubeadmInitConfig } from "../components/cluster/kubeadm-config";

const input: KubeadmInput = {
    clusterName: "fsgs-prod",
    kubernetesVersion: "1.35.9",
    endpoint: { address: "10.42.10.10", port: 6443 },
    publicAddress: "203.0.113.10",
    podCidr: "10.244.0.0/16",
    serviceCidr: "10.96.0.0/12",
    firstControlPlane: { name: "fsgs-prod-cp-1", address: "10.42.10.12" },
};

type Doc = Record<string, any>;
// Rendered inside each test, not at import: Stryker then runs, for a mutant, only the tests that reach it.
const documents = (from: KubeadmInput = input): Doc[] => parseAllDocuments(renderKubeadmInitConfig(from)).map((document) => document.toJS() as Doc);
const byKind = (kind: string, from: KubeadmInput = input): Doc => {
    const found = documents(from).find((document) => document.kind === kind);
    if (!found) {
        throw new Error(`no ${kind} in the kubeadm config`);
    }
    return found;
};
const argsOf = (component: Doc): Record<string, string> =>
    Object.fromEntries((component.extraArgs as { name: string; value: string }[]).map((arg) => [arg.name, arg.value]));

describe("the kubeadm init config", () => {
    const cluster = (): Doc => byKind("ClusterConfiguration");
    const kubelet = (): Doc => byKind("KubeletConfiguration");

    it("holds the three documents kubeadm init reads, in the v1beta4 API", () => {
        expect(documents().map((document) => `${document.apiVersion}/${document.kind}`)).toEqual([
            "kubeadm.k8s.io/v1beta4/InitConfiguration",
            "kubeadm.k8s.io/v1beta4/ClusterConfiguration",
            "kubelet.config.k8s.io/v1beta1/KubeletConfiguration",
        ]);
    });

    it("puts the cluster behind the API endpoint, valid under its public address too", () => {
        expect(cluster().controlPlaneEndpoint).toBe("10.42.10.10:6443");
        expect(cluster().apiServer.certSANs).toEqual(["10.42.10.10", "203.0.113.10"]);
        expect(cluster().kubernetesVersion).toBe("v1.35.9");
        expect(cluster().networking).toMatchObject({ podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/12" });
    });

    it("advertises the first control plane on its node address", () => {
        const init = byKind("InitConfiguration");
        expect(init.localAPIEndpoint).toEqual({ advertiseAddress: "10.42.10.12", bindPort: 6443 });
        expect(init.nodeRegistration.name).toBe("fsgs-prod-cp-1");
        // Without it the cloud-controller-manager never initialises the node.
        expect(argsOf({ extraArgs: init.nodeRegistration.kubeletExtraArgs })["cloud-provider"]).toBe("external");
    });

    it("turns profiling off on the API server, controller-manager and scheduler", () => {
        expect([cluster().apiServer, cluster().controllerManager, cluster().scheduler].map((component) => argsOf(component).profiling)).toEqual([
            "false",
            "false",
            "false",
        ]);
    });

    it("serves etcd, controller-manager and scheduler metrics on the node's addresses, where Prometheus on another control plane reaches them", () => {
        // kubeadm's defaults are 127.0.0.1 for all three (kubeadm constants and control-plane manifests).
        expect(argsOf(cluster().controllerManager)["bind-address"]).toBe("0.0.0.0");
        expect(argsOf(cluster().scheduler)["bind-address"]).toBe("0.0.0.0");
        expect(argsOf(cluster().etcd.local)["listen-metrics-urls"]).toBe("http://0.0.0.0:2381");
    });

    it("writes an audit log with a policy and rotation, on paths mounted into the API server", () => {
        const apiServer = argsOf(cluster().apiServer);
        expect(apiServer["audit-policy-file"]).toBe(CONTROL_PLANE_PATHS.auditPolicy);
        expect(apiServer["audit-log-path"]).toBe(CONTROL_PLANE_PATHS.auditLog);
        expect(Number(apiServer["audit-log-maxage"])).toBeGreaterThanOrEqual(30);
        expect(Number(apiServer["audit-log-maxbackup"])).toBeGreaterThanOrEqual(10);
        expect(Number(apiServer["audit-log-maxsize"])).toBeGreaterThanOrEqual(100);
        const mounts = (cluster().apiServer.extraVolumes as { mountPath: string; readOnly: boolean }[]).map((volume) => volume.mountPath);
        for (const file of [apiServer["audit-policy-file"], apiServer["audit-log-path"], apiServer["encryption-provider-config"]]) {
            expect(mounts.some((mount) => file.startsWith(`${mount}/`))).toBe(true);
        }
    });

    it("encrypts Secrets at rest", () => {
        expect(argsOf(cluster().apiServer)["encryption-provider-config"]).toBe(CONTROL_PLANE_PATHS.encryptionConfig);
    });

    it("keeps kubeadm's secure kubelet defaults and adds the CIS items it leaves out", () => {
        expect(kubelet()).toMatchObject({
            authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
            authorization: { mode: "Webhook" },
            readOnlyPort: 0,
            protectKernelDefaults: true,
            seccompDefault: true,
            cgroupDriver: "systemd",
        });
        expect(kubelet().podPidsLimit).toBeGreaterThan(0);
    });

    it("registers the first control plane's kubelet on its node address, through containerd's socket", () => {
        const registration = byKind("InitConfiguration").nodeRegistration;
        // Without node-ip the kubelet guesses its address from the hostname or the default route (the
        // kubernetes_packages role passes the same flag on the other nodes, kubelet-defaults.j2).
        expect(registration.kubeletExtraArgs).toEqual([
            { name: "node-ip", value: "10.42.10.12" },
            { name: "cloud-provider", value: "external" },
        ]);
        // containerd's own default socket (containerd config "grpc.address"), the one the container_runtime role keeps.
        expect(registration.criSocket).toBe("unix:///run/containerd/containerd.sock");
    });

    it("names the cluster and keeps kubeadm's Service DNS domain, which in-cluster names (svc.cluster.local) assume", () => {
        expect(cluster().clusterName).toBe("fsgs-prod");
        expect(cluster().networking).toEqual({ podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/12", dnsDomain: "cluster.local" });
    });

    it("rotates the audit log as CIS 1.2.17-1.2.19 ask: 30 days, 10 files, 100 MiB", () => {
        const apiServer = argsOf(cluster().apiServer);
        expect([apiServer["audit-log-maxage"], apiServer["audit-log-maxbackup"], apiServer["audit-log-maxsize"]]).toEqual(["30", "10", "100"]);
    });

    it("mounts the policy and encryption folders read-only and the log folder writable, created if missing", () => {
        // kubeadm v1beta4 HostPathMount: name, hostPath, mountPath, readOnly, pathType (a core/v1 HostPathType).
        // The API server only reads its policy and its encryption keys; it writes the audit log.
        expect(cluster().apiServer.extraVolumes).toEqual([
            { name: "audit-policy", hostPath: "/etc/kubernetes/audit", mountPath: "/etc/kubernetes/audit", readOnly: true, pathType: "DirectoryOrCreate" },
            { name: "audit-log", hostPath: "/var/log/kubernetes/audit", mountPath: "/var/log/kubernetes/audit", readOnly: false, pathType: "DirectoryOrCreate" },
            { name: "encryption-config", hostPath: "/etc/kubernetes/encryption", mountPath: "/etc/kubernetes/encryption", readOnly: true, pathType: "DirectoryOrCreate" },
        ]);
    });

    it("keeps etcd's data where playbooks/restore-etcd.yml restores a snapshot", () => {
        const playbook = readFileSync(join(__dirname, "..", "playbooks", "restore-etcd.yml"), "utf8");
        const restoredInto = /--data-dir=(\S+)/.exec(playbook)?.[1];
        expect(restoredInto).toBe("/var/lib/etcd");
        expect(cluster().etcd.local.dataDir).toBe(restoredInto);
    });

    it("rotates the kubelet's client certificate and caps each pod at 4096 PIDs (CIS 4.2.13)", () => {
        expect(kubelet().rotateCertificates).toBe(true);
        expect(kubelet().podPidsLimit).toBe(4096);
    });

    it("renders one YAML document per kind, separated as kubeadm's multi-document config expects", () => {
        const text = renderKubeadmInitConfig(input);
        expect(text.split(/^---$/m)).toHaveLength(3);
        expect(text.split(/^---$/m).map((part) => /^kind: (\w+)$/m.exec(part)?.[1])).toEqual(["InitConfiguration", "ClusterConfiguration", "KubeletConfiguration"]);
    });
});
