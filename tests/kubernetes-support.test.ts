/**
 * The supported-release table and the end-of-life rule of components/config/kubernetes-versions.ts, called directly
 * (no stack file is parsed): the table's rows written out, and the rule's edges (the end-of-life day itself, the
 * 90th day before it, a version that is not 1.x.y). End-of-life dates: kubernetes.io/releases/1.34 ... /1.37, each
 * page's "End Of Life Date" (read 2026-12-03): 1.34 2026-10-27, 1.35 2027-02-28, 1.36 2027-06-28, 1.37 2027-10-28.
 */
import {
    END_OF_LIFE_WARNING_DAYS,
    KUBERNETES_RELEASES,
    kubernetesMinor,
    kubernetesRelease,
    kubernetesSupport,
    nodeSoftwareVars,
} from "../components/config/kubernetes-versions";

const STRICT = { refuseEndOfLifeKubernetes: true };
const LENIENT = { refuseEndOfLifeKubernetes: false };
const on = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`);

// containerd 2.3.4 and runc 1.4.3 linux-amd64 sha256 (kubespray checksums.yml, see the module's comment).
const CONTAINERD_SHA256 = "9d68969855fbf676cdb8ed758e420fb048d61f984f61de3e53eddfebe484d168";
const RUNC_SHA256 = "f6ae8efc0fa40079e1475e97cbe9d1bd3f106a28d6af78a11d9f1bd565515e60";

describe("the supported release table", () => {
    it("pins each minor's end of life, pause image, containerd, runc and Calico", () => {
        const containerd = { version: "2.3.4", sha256: CONTAINERD_SHA256 };
        const runc = { version: "1.4.3", sha256: RUNC_SHA256 };
        expect(KUBERNETES_RELEASES).toEqual([
            { minor: 34, endOfLife: "2026-10-27", pauseImage: "registry.k8s.io/pause:3.10.1", containerd, runc, calico: "3.31.3" },
            { minor: 35, endOfLife: "2027-02-28", pauseImage: "registry.k8s.io/pause:3.10.1", containerd, runc, calico: "3.33.0" },
            { minor: 36, endOfLife: "2027-06-28", pauseImage: "registry.k8s.io/pause:3.10.2", containerd, runc, calico: "3.33.0" },
            { minor: 37, endOfLife: "2027-10-28", pauseImage: "registry.k8s.io/pause:3.10.2", containerd, runc, calico: "3.33.0" },
        ]);
        expect(END_OF_LIFE_WARNING_DAYS).toBe(90);
    });

    it("reads the minor of a 1.x.y version only", () => {
        expect(["1.36.2", "1.36.12", "1.9.0"].map(kubernetesMinor)).toEqual([36, 36, 9]);
        // A leading v, a missing patch, a pre-release suffix, another major: not what kubeadm is given.
        expect(["v1.36.2", "1.36", "1.36.2-rc.0", "11.36.2", "2.36.2", "1.x.2", "1.36.x", ""].map(kubernetesMinor)).toEqual([
            undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
        ]);
    });

    it("finds the row of a full version, and none for an unknown or malformed one", () => {
        expect(kubernetesRelease("1.37.1")?.endOfLife).toBe("2027-10-28");
        expect(kubernetesRelease("1.33.9")).toBeUndefined();
        expect(kubernetesRelease("1.36")).toBeUndefined();
    });

    it("hands Ansible nothing for a version outside the table, and 1.34's own pause image and Calico", () => {
        expect(nodeSoftwareVars("1.38.0")).toEqual({});
        expect(nodeSoftwareVars("1.34.6")).toEqual({
            container_runtime_sandbox_image: "registry.k8s.io/pause:3.10.1",
            container_runtime_containerd_version: "2.3.4",
            container_runtime_containerd_sha256: CONTAINERD_SHA256,
            container_runtime_runc_version: "1.4.3",
            container_runtime_runc_sha256: RUNC_SHA256,
            cni_calico_version: "3.31.3",
        });
    });
});

describe("the end-of-life rule", () => {
    it("still supports a release on its end-of-life day (0 days left: a warning, no error), whatever the hour", () => {
        for (const when of ["2027-02-28T00:00:00Z", "2027-02-28T23:59:00Z"]) {
            expect(kubernetesSupport("1.35.9", STRICT, new Date(when))).toEqual({
                errors: [],
                warnings: ['1.35 reaches its end of life on 2027-02-28, in 0 days; plan the upgrade to 1.36 (one minor per `up`), got "1.35.9"'],
            });
        }
        // And lists it among the minors an unknown version may move to.
        expect(kubernetesSupport("1.33.0", STRICT, on("2027-02-28")).errors).toEqual([
            'expected a release of a supported minor, 1.35 (until 2027-02-28), 1.36 (until 2027-06-28), 1.37 (until 2027-10-28), got "1.33.0"',
        ]);
    });

    it("refuses it the next day where the profile says so, and only warns elsewhere, with the same message", () => {
        const message =
            '1.35 reached its end of life on 2027-02-28 (no security fixes since); move to one of 1.36 (until 2027-06-28), 1.37 (until 2027-10-28), one minor per `up`, got "1.35.1"';
        expect(kubernetesSupport("1.35.1", STRICT, on("2027-03-01"))).toEqual({ errors: [message], warnings: [] });
        expect(kubernetesSupport("1.35.1", LENIENT, on("2027-03-01"))).toEqual({ errors: [], warnings: [message] });
    });

    it("starts warning 89 days before the end of life, not 90 (the clock's hour does not matter)", () => {
        // 2027-02-28 is 90 days after 2026-11-30 and 89 after 2026-12-01.
        expect(kubernetesSupport("1.35.9", STRICT, new Date("2026-11-30T23:00:00Z"))).toEqual({ errors: [], warnings: [] });
        expect(kubernetesSupport("1.35.9", LENIENT, new Date("2026-12-01T01:00:00Z"))).toEqual({
            errors: [],
            warnings: ['1.35 reaches its end of life on 2027-02-28, in 89 days; plan the upgrade to 1.36 (one minor per `up`), got "1.35.9"'],
        });
    });

    it("counts whole days across a month and a year boundary", () => {
        // 1.37: 2027-10-28 is 31 days after 2027-09-27 (3 + 28).
        expect(kubernetesSupport("1.37.0", STRICT, on("2027-09-27")).warnings).toEqual([
            '1.37 reaches its end of life on 2027-10-28, in 31 days; plan the upgrade to 1.38 (one minor per `up`), got "1.37.0"',
        ]);
        // 1.34 on 2026-08-01: 87 days before 2026-10-27 (31 + 30 + 26).
        expect(kubernetesSupport("1.34.0", LENIENT, new Date("2026-08-01T12:00:00Z")).warnings).toEqual([
            '1.34 reaches its end of life on 2026-10-27, in 87 days; plan the upgrade to 1.35 (one minor per `up`), got "1.34.0"',
        ]);
    });

    it("refuses a version that is not 1.x.y everywhere, naming it", () => {
        expect(kubernetesSupport("v1.36.2", LENIENT, on("2026-12-03"))).toEqual({
            errors: ['expected a release of a supported minor, 1.35 (until 2027-02-28), 1.36 (until 2027-06-28), 1.37 (until 2027-10-28), got "v1.36.2"'],
            warnings: [],
        });
    });
});
