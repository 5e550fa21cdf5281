import { environmentProfile } from "../components/config/profile";
import { KUBERNETES_RELEASES, kubernetesSupport, nodeSoftwareVars } from "../components/config/kubernetes-versions";
import { configWarnings, parseStackConfig } from "../components/config/load";
import { STACKS, configProblems, rawConfig } from "./support/stack-config";

// The day these dates were read from kubernetes.io/releases; each case fixes its own clock.
const TODAY = new Date("2026-12-03T09:00:00Z");

function problemsOn(today: Date, edit: (config: Record<string, any>) => void, stack: (typeof STACKS)[number] = "prod"): string[] {
    return configProblems(stack, edit, today);
}

describe("the supported Kubernetes releases", () => {
    it("holds the upstream end-of-life dates (kubernetes.io/releases, read 2026-12-03)", () => {
        expect(KUBERNETES_RELEASES.map((release) => [`1.${release.minor}`, release.endOfLife])).toEqual([
            ["1.34", "2026-10-27"],
            ["1.35", "2027-02-28"],
            ["1.36", "2027-06-28"],
            ["1.37", "2027-10-28"],
        ]);
    });

    it("puts every row on containerd 2.x with a 64-hex-digit sha256, and runc pinned the same way", () => {
        for (const release of KUBERNETES_RELEASES) {
            expect(release.containerd.version).toMatch(/^2\.\d+\.\d+$/);
            expect(release.containerd.sha256).toMatch(/^[0-9a-f]{64}$/);
            expect(release.runc.sha256).toMatch(/^[0-9a-f]{64}$/);
        }
    });

    it.each(STACKS)("%s runs a release inside upstream support, with no warning, on 2026-12-03", (stack) => {
        const config = parseStackConfig(rawConfig(stack), { today: TODAY });
        expect(config.cluster.kubernetesVersion).toMatch(/^1\.3[67]\.\d+$/);
        expect(configWarnings(config, { today: TODAY })).toEqual([]);
    });

    it("hands Ansible the pause image, containerd, runc and Calico of the stack's minor", () => {
        expect(nodeSoftwareVars("1.36.4")).toEqual({
            container_runtime_sandbox_image: "registry.k8s.io/pause:3.10.2",
            container_runtime_containerd_version: "2.3.4",
            container_runtime_containerd_sha256: "9d68969855fbf676cdb8ed758e420fb048d61f984f61de3e53eddfebe484d168",
            container_runtime_runc_version: "1.4.3",
            container_runtime_runc_sha256: "f6ae8efc0fa40079e1475e97cbe9d1bd3f106a28d6af78a11d9f1bd565515e60",
            cni_calico_version: "3.33.0",
        });
    });
});

describe("config validation of cluster.kubernetesVersion", () => {
    it("refuses an end-of-life release in prod and preprod, naming the key, the date and the fix", () => {
        for (const stack of ["prod", "preprod"] as const) {
            expect(problemsOn(TODAY, (c) => (c.cluster.kubernetesVersion = "1.34.6"), stack)).toEqual([
                'svom-fsgs:cluster.kubernetesVersion: 1.34 reached its end of life on 2026-10-27 (no security fixes since); move to one of 1.35 (until 2027-02-28), 1.36 (until 2027-06-28), 1.37 (until 2027-10-28), one minor per `up`, got "1.34.6"',
            ]);
        }
    });

    it("lets integration run an end-of-life release, with a warning", () => {
        const config = parseStackConfig({ ...rawConfig("integration"), cluster: { ...(rawConfig("integration").cluster as object), kubernetesVersion: "1.34.6" } }, { today: TODAY });
        expect(configWarnings(config, { today: TODAY })).toEqual([
            expect.stringMatching(/^svom-fsgs:cluster\.kubernetesVersion: 1\.34 reached its end of life on 2026-10-27/),
        ]);
    });

    it("warns, without refusing, when the end of life is less than 90 days away (1.35: 87 days on 2026-12-03)", () => {
        expect(problemsOn(TODAY, (c) => (c.cluster.kubernetesVersion = "1.35.9"))).toEqual([]);
        expect(kubernetesSupport("1.35.9", environmentProfile("prod"), TODAY)).toEqual({
            errors: [],
            warnings: ['1.35 reaches its end of life on 2027-02-28, in 87 days; plan the upgrade to 1.36 (one minor per `up`), got "1.35.9"'],
        });
        // 91 days before, no warning yet.
        expect(kubernetesSupport("1.35.9", environmentProfile("prod"), new Date("2026-11-29T00:00:00Z")).warnings).toEqual([]);
    });

    it("refuses prod on 1.36 the day after 2027-06-28, and the stack file then fails validation", () => {
        expect(kubernetesSupport("1.36.4", environmentProfile("prod"), new Date("2027-06-28T12:00:00Z")).errors).toEqual([]);
        expect(problemsOn(new Date("2027-06-29T00:00:00Z"), () => undefined)).toEqual([
            expect.stringMatching(/^svom-fsgs:cluster\.kubernetesVersion: 1\.36 reached its end of life on 2027-06-28/),
        ]);
    });

    it("refuses a minor the table does not know, everywhere", () => {
        expect(kubernetesSupport("1.38.0", environmentProfile("integration"), TODAY).errors).toEqual([
            'expected a release of a supported minor, 1.35 (until 2027-02-28), 1.36 (until 2027-06-28), 1.37 (until 2027-10-28), got "1.38.0"',
        ]);
    });
});
