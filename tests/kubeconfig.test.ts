import { parse } from "yaml";
import { pointKubeconfigAt } from "../components/cluster/kubeconfig";

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

    it("refuses a file that is not a kubeconfig, rather than exporting it", () => {
        expect(() => pointKubeconfigAt("", "https://203.0.113.10:6443")).toThrow("no cluster");
        expect(() => pointKubeconfigAt("sudo: a password is required\n", "https://203.0.113.10:6443")).toThrow("no cluster");
    });
});
