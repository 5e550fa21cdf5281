/**
 * The teardown command's script (components/cluster/cloud-teardown.ts), run by bash against stand-ins for sudo and
 * kubectl: what it deletes, in which order, and that it stops when kubectl fails, so that `pulumi destroy` never goes
 * on to the network while a load balancer still holds ports on it. tests/cloud-teardown.test.ts checks where the
 * command sits in a rendered stack; this file needs no stack and runs in the unit project.
 *
 * The stand-in kubectl answers the two listings with what kubectl would print after evaluating the jsonpath filter
 * (that evaluation is kubectl's: the filters are pinned as written below), and sudo records every command it runs.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudTeardownScript } from "../components/cluster/cloud-teardown";

const KUBECTL = "kubectl --kubeconfig=/etc/kubernetes/admin.conf";
// kubectl's JSONPath (kubernetes.io/docs/reference/kubectl/jsonpath): one "namespace name" line per LoadBalancer
// Service (core/v1 ServiceSpec.type), one "volume namespace claim" line per volume whose
// spec.persistentVolumeReclaimPolicy is Delete (core/v1 PersistentVolumeSpec, claimRef an ObjectReference).
const LIST_SERVICES = String.raw`get services --all-namespaces -o jsonpath={range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.namespace}{" "}{.metadata.name}{"\n"}{end}`;
const LIST_VOLUMES = String.raw`get persistentvolumes -o jsonpath={range .items[?(@.spec.persistentVolumeReclaimPolicy=="Delete")]}{.metadata.name}{" "}{.spec.claimRef.namespace}{" "}{.spec.claimRef.name}{"\n"}{end}`;

interface Cluster {
    /** What the Service listing prints. */
    services: string;
    /** What the volume listing prints. */
    volumes: string;
    /** A kubectl command line containing this fails (exit 1). */
    failOn?: string;
}

function runTeardown(cluster: Cluster): { status: number | null; calls: string[] } {
    const bin = mkdtempSync(join(tmpdir(), "teardown-unit-"));
    const log = join(bin, "calls.log");
    writeFileSync(join(bin, "services.txt"), cluster.services);
    writeFileSync(join(bin, "volumes.txt"), cluster.volumes);
    writeFileSync(join(bin, "sudo"), `#!/bin/sh\nprintf 'sudo %s\\n' "$*" >> "${log}"\nexec "$@"\n`);
    writeFileSync(
        join(bin, "kubectl"),
        [
            "#!/bin/sh",
            ...(cluster.failOn ? [`case "$*" in *"${cluster.failOn}"*) exit 1 ;; esac`] : []),
            'case "$*" in',
            `  *"get services"*) cat "${join(bin, "services.txt")}" ;;`,
            `  *"get persistentvolumes"*) cat "${join(bin, "volumes.txt")}" ;;`,
            "esac",
        ].join("\n"),
    );
    chmodSync(join(bin, "sudo"), 0o755);
    chmodSync(join(bin, "kubectl"), 0o755);
    writeFileSync(log, "");
    const result = spawnSync("/bin/bash", ["-c", cloudTeardownScript()], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin` } });
    return { status: result.status, calls: readFileSync(log, "utf8").split("\n").filter((line) => line !== "") };
}

describe("the cloud teardown script", () => {
    it("lists, as cluster-admin, the LoadBalancer Services and the volumes that Cinder deletes with their claim", () => {
        const { status, calls } = runTeardown({ services: "", volumes: "" });
        expect(status).toBe(0);
        expect(calls).toEqual([`sudo ${KUBECTL} ${LIST_SERVICES}`, `sudo ${KUBECTL} ${LIST_VOLUMES}`]);
    });

    it("deletes each LoadBalancer Service and each claim of a deletable volume, then waits for the volume to go", () => {
        const { status, calls } = runTeardown({
            services: "ingress-nginx ingress-nginx-controller\nfsgs vhf-listener\n",
            // pvc-2 has no claimRef: there is no claim to delete, only the volume to wait for.
            volumes: "pvc-1 fsgs data-archive-0\npvc-2  \n",
        });
        expect(status).toBe(0);
        expect(calls.filter((call) => !call.includes(" get "))).toEqual([
            `sudo ${KUBECTL} delete service --namespace ingress-nginx ingress-nginx-controller --ignore-not-found --wait=true --timeout=10m`,
            `sudo ${KUBECTL} delete service --namespace fsgs vhf-listener --ignore-not-found --wait=true --timeout=10m`,
            `sudo ${KUBECTL} delete persistentvolumeclaim --namespace fsgs data-archive-0 --ignore-not-found --wait=true --timeout=10m`,
            `sudo ${KUBECTL} wait --for=delete persistentvolume/pvc-1 --timeout=10m`,
            `sudo ${KUBECTL} wait --for=delete persistentvolume/pvc-2 --timeout=10m`,
        ]);
    });

    it("deletes nothing when the cluster has neither, instead of calling kubectl with empty names", () => {
        const { status, calls } = runTeardown({ services: "\n", volumes: "\n" });
        expect(status).toBe(0);
        expect(calls.filter((call) => !call.includes(" get "))).toEqual([]);
    });

    it.each([
        ["the Services cannot be listed", "get services", 1],
        ["the volumes cannot be listed", "get persistentvolumes", 4],
        ["a load balancer's Service is not deleted in time", "delete service --namespace fsgs", 2],
        ["a claim is not deleted in time", "delete persistentvolumeclaim", 5],
        ["a volume does not go in time", "wait --for=delete", 6],
    ])("fails, so that destroy stops before the network, when %s", (_what, failOn, callsMade) => {
        const { status, calls } = runTeardown({ services: "fsgs vhf-listener\nfsgs other\n", volumes: "pvc-1 fsgs data-archive-0\npvc-3 fsgs data-archive-1\n", failOn });
        expect(status).not.toBe(0);
        // Nothing after the failing call.
        expect(calls).toHaveLength(callsMade);
        expect(calls[callsMade - 1]).toContain(failOn);
    });
});
