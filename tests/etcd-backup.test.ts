import { parse } from "yaml";
import { parseStackConfig } from "../components/config/load";
import type { Render } from "../scripts/offline/render";
import { configProblems } from "./support/stack-config";
import { rawConfig, renderStack } from "./support/stacks";

const COMMAND = "command:remote:Command";

function problemsOf(edit: (backup: Record<string, unknown>) => void): string[] {
    return configProblems("prod", (config) => edit(config.cluster.etcdBackup));
}

let prod: Render;
beforeAll(async () => {
    prod = await renderStack("prod");
});

describe("cluster.etcdBackup", () => {
    it.each<[string, (backup: Record<string, unknown>) => void, string]>([
        ["a plain-HTTP endpoint", (b) => (b.endpoint = "http://s3.cc.in2p3.fr"), "svom-fsgs:cluster.etcdBackup.endpoint: expected the S3 endpoint of the site's object storage, https://..."],
        ["a bucket name with capitals", (b) => (b.bucket = "FSGS_Backups"), "svom-fsgs:cluster.etcdBackup.bucket: expected an S3 bucket name"],
        ["a retention past one listing page", (b) => (b.keep = 1001), "svom-fsgs:cluster.etcdBackup.keep: expected a value <= 500, got 1001"],
        ["no endpoint", (b) => delete b.endpoint, "svom-fsgs:cluster.etcdBackup.endpoint: expected a string, got nothing"],
    ])("refuses %s, naming the key", (_, edit, expected) => {
        const problems = problemsOf(edit);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain(expected);
    });

    it("defaults to hourly snapshots", () => {
        const config = rawConfig("prod") as Record<string, any>;
        delete config.cluster.etcdBackup.schedule;
        expect(parseStackConfig(config).cluster.etcdBackup.schedule).toBe("hourly");
    });
});

describe("the etcd backup's wiring", () => {
    it("writes the keys on the bastion through stdin, as a secret, unlogged, before Ansible runs", () => {
        const file = prod.resources.find((resource) => resource.type === COMMAND && resource.name === "fsgs-prod-etcd-backup-file");
        const run = prod.resources.find((resource) => resource.type === COMMAND && resource.name === "fsgs-prod-ansible-run");
        expect(file?.inputs).toMatchObject({ stdin: "[secret]", logging: "none" });
        expect(String(file?.inputs.create)).toContain("umask 077 && cat > /home/ubuntu/fsgs-ansible/etcd-backup-credentials.json");
        expect(run?.dependsOn).toContain(file?.urn);
    });

    it("puts the bucket, prefix, schedule and retention in the control planes' inventory variables", async () => {
        const { renderInventory } = await import("../components/cluster/inventory");
        const text = renderInventory({
            environment: "prod",
            clusterName: "fsgs-prod",
            kubernetesVersion: "1.36.4",
            sshUser: "ubuntu",
            privateKeyFile: "~/.ssh/fsgs-deploy",
            knownHostsFile: "/home/debian/fsgs-ansible/known_hosts",
            bastion: { name: "b", privateAddress: "10.0.0.5", publicAddress: "203.0.113.5" },
            controlPlane: [{ name: "cp-1", privateAddress: "10.0.0.11" }],
            workers: [],
            endpoint: { mode: "octavia", privateAddress: "10.0.0.10", publicAddress: "203.0.113.10", port: 6443 },
            network: { nodeCidr: "10.0.0.0/24", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12" },
            cni: "calico",
            etcdBackup: { endpoint: "https://s3.cc.in2p3.fr", region: "default", bucket: "fsgs-prod-etcd-backups", schedule: "hourly", keep: 168 },
            runsOn: "bastion",
        });
        const vars = (parse(text)).all.children.control_plane.vars;
        expect(vars).toMatchObject({
            etcd_backup_endpoint: "https://s3.cc.in2p3.fr",
            etcd_backup_region: "default",
            etcd_backup_bucket: "fsgs-prod-etcd-backups",
            etcd_backup_prefix: "fsgs-prod",
            etcd_backup_schedule: "hourly",
            etcd_backup_keep: "168",
        });
    });
});
