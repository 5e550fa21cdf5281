import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { kubeconfigClientExpiry, kubeconfigExpiryWarning, kubeconfigRefreshPeriod, pointKubeconfigAt } from "../components/cluster/kubeconfig";

const adminConf = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://10.42.10.10:6443
  name: fsgs-prod
users:
- name: kubernetes-admin
  user:
    client-key-data: S0VZ
`;

describe("pointKubeconfigAt", () => {
    it("points every cluster at the public endpoint and keeps the credentials", () => {
        const rewritten = parse(pointKubeconfigAt(adminConf, "https://203.0.113.10:6443")) as Record<string, any>;
        expect(rewritten.clusters[0].cluster).toEqual({ "certificate-authority-data": "Q0E=", server: "https://203.0.113.10:6443" });
        expect(rewritten.users[0].user["client-key-data"]).toBe("S0VZ");
    });

    it("points every cluster of a kubeconfig that names several, even one without a cluster section", () => {
        const several = "clusters:\n- name: a\n  cluster:\n    server: https://10.42.10.10:6443\n- name: b\n";
        const rewritten = parse(pointKubeconfigAt(several, "https://203.0.113.10:6443")) as Record<string, any>;
        expect(rewritten.clusters).toEqual([
            { name: "a", cluster: { server: "https://203.0.113.10:6443" } },
            { name: "b", cluster: { server: "https://203.0.113.10:6443" } },
        ]);
    });

    it("refuses a file that is not a kubeconfig, rather than exporting it", () => {
        expect(() => pointKubeconfigAt("clusters: []\n", "https://203.0.113.10:6443")).toThrow("the kubeconfig read from the first control plane has no cluster");
        expect(() => pointKubeconfigAt("", "https://203.0.113.10:6443")).toThrow("no cluster");
        expect(() => pointKubeconfigAt("sudo: a password is required\n", "https://203.0.113.10:6443")).toThrow("no cluster");
    });
});

describe("the expiry of Pulumi's kubeconfig", () => {
    /** A kubeconfig whose client certificate openssl made valid for `days` from now. */
    function kubeconfigValidFor(days: number): string {
        const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
        execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/O=system:masters/CN=kubernetes-admin", "-days", String(days), "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
        const certificate = readFileSync(join(dir, "cert.pem")).toString("base64");
        return `${adminConf}    client-certificate-data: ${certificate}\n`;
    }

    it("reads the client certificate's end from the kubeconfig, as openssl set it", () => {
        const expiresAt = kubeconfigClientExpiry(kubeconfigValidFor(365));
        const days = ((expiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000;
        expect(days).toBeGreaterThan(364);
        expect(days).toBeLessThan(366);
        expect(kubeconfigClientExpiry(adminConf)).toBeUndefined();
    });

    it("reads the certificate of the first user that has one, and nothing from data that is not a certificate", () => {
        const withCertificate = kubeconfigValidFor(100);
        const certificate = /client-certificate-data: (\S+)/.exec(withCertificate)?.[1] as string;
        const twoUsers = `users:\n- name: token-user\n  user:\n    token: abc\n- name: kubernetes-admin\n  user:\n    client-certificate-data: ${certificate}\n`;
        const days = ((kubeconfigClientExpiry(twoUsers)?.getTime() ?? 0) - Date.now()) / 86_400_000;
        expect(days).toBeGreaterThan(99);
        expect(days).toBeLessThan(101);
        expect(kubeconfigClientExpiry(`users:\n- name: a\n  user:\n    client-certificate-data: ${Buffer.from("not a certificate").toString("base64")}\n`)).toBeUndefined();
        expect(kubeconfigClientExpiry("")).toBeUndefined();
        expect(kubeconfigClientExpiry("users:\n- name: a\n")).toBeUndefined();
    });

    it("warns from 29 days left down to the last day, not at 30, and counts a past end as expired", () => {
        const now = new Date("2026-12-03T00:00:00Z");
        expect(kubeconfigExpiryWarning(undefined, now)).toBeUndefined();
        expect(kubeconfigExpiryWarning(new Date("2027-01-02T00:00:00Z"), now)).toBeUndefined();
        expect(kubeconfigExpiryWarning(new Date("2027-01-01T23:00:00Z"), now)).toBe(
            "the cluster-admin kubeconfig expires on 2027-01-01T23:00:00.000Z, in 29 days: its certificate was not renewed on the first control plane (see playbooks/README.md, certificate renewal)",
        );
        expect(kubeconfigExpiryWarning(new Date("2026-12-03T05:00:00Z"), now)).toMatch(/expires on 2026-12-03T05:00:00\.000Z, in 0 days/);
        expect(kubeconfigExpiryWarning(new Date("2026-12-03T00:00:00Z"), now)).toMatch(/, in 0 days/);
        expect(kubeconfigExpiryWarning(new Date("2026-12-02T23:00:00Z"), now)).toBe(
            "the cluster-admin kubeconfig expired on 2026-12-02T23:00:00.000Z: run the playbooks (pulumi up) so the control planes renew their certificates, then pulumi up again to read the renewed admin.conf",
        );
    });

    it("warns below 30 days left, and says so plainly once expired", () => {
        const now = new Date("2026-12-03T00:00:00Z");
        expect(kubeconfigExpiryWarning(new Date("2027-01-10T00:00:00Z"), now)).toBeUndefined();
        expect(kubeconfigExpiryWarning(new Date("2026-12-20T00:00:00Z"), now)).toMatch(/expires on 2026-12-20T00:00:00\.000Z, in 17 days/);
        expect(kubeconfigExpiryWarning(new Date("2026-11-20T00:00:00Z"), now)).toMatch(/expired on 2026-11-20/);
        expect(kubeconfigExpiryWarning(kubeconfigClientExpiry(kubeconfigValidFor(10)), new Date())).toMatch(/in 9 days/);
    });

    it("reads admin.conf again each calendar month, and only then", () => {
        expect(kubeconfigRefreshPeriod(new Date("2026-12-03T09:00:00Z"))).toBe("2026-12");
        expect(kubeconfigRefreshPeriod(new Date("2026-12-31T23:59:59Z"))).toBe("2026-12");
        expect(kubeconfigRefreshPeriod(new Date("2027-01-01T00:00:00Z"))).toBe("2027-01");
    });
});
