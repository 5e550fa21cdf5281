/**
 * The restricted check (components/kubernetes/pod-security.ts) against the Pod Security Standards
 * (kubernetes.io/docs/concepts/security/pod-security-standards, Kubernetes v1.33): one compliant pod, then one
 * change at a time, each naming the one rule it breaks; the container's setting overrides the pod's where the
 * standard reads both (runAsNonRoot, runAsUser, seccompProfile).
 */
import { exceptionNamespaceLabels, POD_SECURITY_EXCEPTIONS, type PodSpecLike, restrictedViolations } from "../components/kubernetes/pod-security";

const RESTRICTED_CONTAINER = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** A pod that meets the restricted profile, with every allowed volume type. */
function compliantPod(): PodSpecLike {
    return {
        containers: [{ name: "app", securityContext: { ...RESTRICTED_CONTAINER }, ports: [{}] }],
        volumes: [
            { name: "settings", configMap: { name: "settings" } },
            { name: "csi", csi: { driver: "cinder.csi.openstack.org" } },
            { name: "labels", downwardAPI: { items: [] } },
            { name: "tmp", emptyDir: {} },
            { name: "scratch", ephemeral: { volumeClaimTemplate: {} } },
            { name: "data", persistentVolumeClaim: { claimName: "data" } },
            { name: "token", projected: { sources: [] } },
            { name: "tls", secret: { secretName: "tls" } },
        ],
    };
}

const withContainer = (change: Record<string, unknown>): PodSpecLike => {
    const pod = compliantPod();
    pod.containers[0].securityContext = { ...RESTRICTED_CONTAINER, ...change };
    return pod;
};

describe("restrictedViolations", () => {
    it("finds nothing in a pod that meets the restricted profile", () => {
        expect(restrictedViolations(compliantPod())).toEqual([]);
    });

    it.each([
        ["hostNetwork", { hostNetwork: true }],
        ["hostPID", { hostPID: true }],
        ["hostIPC", { hostIPC: true }],
    ])("forbids the host's namespaces: %s", (_, change) => {
        expect(restrictedViolations({ ...compliantPod(), ...change })).toEqual(["pod: host namespaces (hostNetwork, hostPID, hostIPC) are forbidden"]);
    });

    it("allows host namespaces explicitly turned off", () => {
        expect(restrictedViolations({ ...compliantPod(), hostNetwork: false, hostPID: false, hostIPC: false })).toEqual([]);
    });

    it("refuses the volume types outside the restricted list, and a volume with no type", () => {
        const pod = compliantPod();
        pod.volumes = [{ name: "root", hostPath: { path: "/" } }, { name: "share", nfs: { server: "nfs" } }, { name: "bare" }, { name: "ok", emptyDir: {} }];
        expect(restrictedViolations(pod)).toEqual([
            "pod: volume root of type hostPath is not allowed",
            "pod: volume share of type nfs is not allowed",
            "pod: volume bare of type none is not allowed",
        ]);
    });

    it.each([
        ["privileged", { privileged: true }, "app: privileged"],
        ["escalation allowed", { allowPrivilegeEscalation: true }, "app: allowPrivilegeEscalation must be false"],
        ["escalation unsaid (the default allows it)", { allowPrivilegeEscalation: undefined }, "app: allowPrivilegeEscalation must be false"],
        ["runAsNonRoot false", { runAsNonRoot: false }, "app: runAsNonRoot must be true"],
        ["runAsNonRoot unsaid", { runAsNonRoot: undefined }, "app: runAsNonRoot must be true"],
        ["root UID", { runAsUser: 0 }, "app: runAsUser must not be 0"],
        ["capabilities not dropped", { capabilities: {} }, "app: capabilities must drop ALL"],
        ["no capabilities at all", { capabilities: undefined }, "app: capabilities must drop ALL"],
        ["some capabilities dropped, not ALL", { capabilities: { drop: ["NET_RAW"] } }, "app: capabilities must drop ALL"],
        ["capabilities added", { capabilities: { drop: ["ALL"], add: ["SYS_ADMIN", "NET_BIND_SERVICE", "NET_RAW"] } }, "app: capabilities SYS_ADMIN, NET_RAW may not be added"],
        ["seccomp Unconfined", { seccompProfile: { type: "Unconfined" } }, "app: seccompProfile must be RuntimeDefault or Localhost"],
        ["seccomp unsaid", { seccompProfile: undefined }, "app: seccompProfile must be RuntimeDefault or Localhost"],
        ["seccomp profile without a type", { seccompProfile: {} }, "app: seccompProfile must be RuntimeDefault or Localhost"],
    ])("names one broken rule of a container: %s", (_, change, violation) => {
        expect(restrictedViolations(withContainer(change))).toEqual([violation]);
    });

    it.each([
        ["a non-root UID", { runAsUser: 1000 }],
        ["privileged explicitly off", { privileged: false }],
        ["NET_BIND_SERVICE added, the one capability the profile allows", { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }],
        ["a Localhost seccomp profile", { seccompProfile: { type: "Localhost" } }],
    ])("allows %s", (_, change) => {
        expect(restrictedViolations(withContainer(change))).toEqual([]);
    });

    it("forbids host ports, and only host ports", () => {
        const pod = compliantPod();
        pod.containers[0].ports = [{}, { hostPort: 8080 }];
        expect(restrictedViolations(pod)).toEqual(["app: hostPort is forbidden"]);
        pod.containers[0].ports = [{ hostPort: 0 }];
        expect(restrictedViolations(pod)).toEqual([]);
    });

    it("reads runAsNonRoot, runAsUser and seccompProfile from the pod when the container does not set them", () => {
        const pod: PodSpecLike = {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
        };
        expect(restrictedViolations(pod)).toEqual([]);
        expect(restrictedViolations({ ...pod, securityContext: { ...pod.securityContext, runAsUser: 0 } })).toEqual(["app: runAsUser must not be 0"]);
    });

    it("lets the container's own setting override the pod's", () => {
        const base = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
        const rootPod = { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: "Unconfined" } };
        expect(
            restrictedViolations({
                securityContext: rootPod,
                containers: [{ name: "app", securityContext: { ...base, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } } }],
            }),
        ).toEqual([]);
        const safePod = { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } };
        expect(
            restrictedViolations({
                securityContext: safePod,
                containers: [{ name: "app", securityContext: { ...base, runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: "Unconfined" } } }],
            }),
        ).toEqual(["app: runAsNonRoot must be true", "app: runAsUser must not be 0", "app: seccompProfile must be RuntimeDefault or Localhost"]);
    });

    it("checks init containers too, before the others, and a container without any security context on every rule", () => {
        const pod = compliantPod();
        pod.initContainers = [{ name: "chown", securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 0 } }];
        pod.containers.push({ name: "sidecar" });
        expect(restrictedViolations(pod)).toEqual([
            "chown: runAsUser must not be 0",
            "sidecar: allowPrivilegeEscalation must be false",
            "sidecar: runAsNonRoot must be true",
            "sidecar: capabilities must drop ALL",
            "sidecar: seccompProfile must be RuntimeDefault or Localhost",
        ]);
    });
});

describe("the Pod Security exceptions", () => {
    it("are the node agents', the CNI's and kubeadm's namespaces, all privileged, kube-system alone labelled by the program", () => {
        expect(POD_SECURITY_EXCEPTIONS.map((e) => [e.namespace, e.enforce, e.labelledBy])).toEqual([
            ["kube-system", "privileged", "program"],
            ["calico-system", "privileged", "tigera-operator"],
            ["node-agents", "privileged", "observability add-on"],
            ["tigera-operator", "privileged", "tigera-operator manifest"],
        ]);
    });

    it("each say what runs there and why", () => {
        for (const exception of POD_SECURITY_EXCEPTIONS) {
            expect([exception.namespace, exception.reason.length >= 30]).toEqual([exception.namespace, true]);
            expect([exception.namespace, exception.pods.length > 0]).toEqual([exception.namespace, true]);
            for (const pod of exception.pods) {
                expect([exception.namespace, pod.length >= 10]).toEqual([exception.namespace, true]);
            }
        }
        // The pods that need the host, named where they run.
        const pods = (namespace: string) => POD_SECURITY_EXCEPTIONS.find((e) => e.namespace === namespace)?.pods.join("; ");
        expect(pods("kube-system")).toMatch(/Cinder CSI node plugin \(privileged/);
        expect(pods("calico-system")).toMatch(/^calico-node DaemonSet \(hostNetwork, privileged/);
        expect(pods("node-agents")).toMatch(/prometheus-node-exporter DaemonSet \(hostNetwork, hostPID/);
        expect(pods("tigera-operator")).toMatch(/^tigera-operator Deployment \(hostNetwork/);
    });

    it("label their namespace with its level enforced and restricted audited", () => {
        expect(exceptionNamespaceLabels({ namespace: "x", enforce: "baseline", pods: ["p"], reason: "r", labelledBy: "program" })).toEqual({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/audit": "restricted",
        });
        expect(exceptionNamespaceLabels(POD_SECURITY_EXCEPTIONS[0])).toEqual({
            "pod-security.kubernetes.io/enforce": "privileged",
            "pod-security.kubernetes.io/audit": "restricted",
        });
    });
});
