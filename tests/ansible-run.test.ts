import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { folderHash, readFolder } from "../components/ansible/content-hash";
import type { Render, RenderedResource } from "../scripts/offline/render";
import { ROOT, TYPES, ofType, renderStack } from "./support/stacks";

const COMMAND = "command:remote:Command";
const COPY = "command:remote:CopyToRemote";

const find = (render: Render, type: string, suffix: string): RenderedResource => {
    const found = render.resources.find((resource) => resource.type === type && resource.name.endsWith(suffix));
    if (!found) {
        throw new Error(`no ${type} named *${suffix}`);
    }
    return found;
};
const ansibleRun = (render: Render) => find(render, COMMAND, "-ansible-run");
/** A digest of every input of the Ansible side (the run, the copies, the kubeconfig read), by resource. */
const ansibleInputs = (render: Render) =>
    render.resources
        .filter((resource) => resource.type === COMMAND || resource.type === COPY)
        .map((resource) => [resource.name, createHash("sha256").update(JSON.stringify(resource.inputs)).digest("hex")]);

let preprod: Render;
beforeAll(async () => {
    preprod = await renderStack("preprod");
});

describe("the Ansible run", () => {
    it("waits for every server, data volume and the API endpoint", () => {
        const dependsOn = new Set(ansibleRun(preprod).dependsOn);
        const nodes = [...ofType(preprod, TYPES.instance), ...ofType(preprod, TYPES.volumeAttach)].filter(
            (resource) => !resource.name.endsWith("-bastion"),
        );
        expect(nodes.length).toBeGreaterThan(6);
        for (const node of nodes) {
            expect([node.name, dependsOn.has(node.urn)]).toEqual([node.name, true]);
        }
        const members = ofType(preprod, TYPES.member);
        expect(members.every((member) => dependsOn.has(member.urn))).toBe(true);
    });

    it("does not hand the previous output back to the command, and logs Ansible's recap", () => {
        expect(ansibleRun(preprod).inputs).toMatchObject({ addPreviousOutputInEnv: false, logging: "stdoutAndStderr" });
        expect(ansibleRun(preprod).inputs.create).toContain("ansible-playbook -i ../../inventory.yml playbooks/site.yml");
    });

    it.each<[string, (config: Record<string, any>) => void]>([
        ["a bigger bastion", (c) => (c.site.flavors.bastion = "m1.large")],
        ["one more operator key", (c) => c.access.sshPublicKeys.push(c.access.sshPublicKeys[0].replace("ops-alice", "ops-dan"))],
        ["bigger data volumes", (c) => (c.cluster.workerPools[0].dataVolumeSize += 50)],
        ["one more admin network", (c) => c.access.adminCidrs.push("192.0.2.0/24")],
        ["a micro-service's new image tag", (c) => (c.services["vhf-listener"] = { ...c.services["vhf-listener"], tag: "2.6.0" })],
        ["a micro-service's replica count", (c) => (c.services["archive-api"] = { replicas: 5 })],
        [
            "a micro-service's resources",
            (c) =>
                (c.services["monitoring-web"] = {
                    resources: { requests: { cpu: "300m", memory: "300Mi" }, limits: { cpu: "1", memory: "600Mi" } },
                }),
        ],
    ])("does not run again for %s", async (_, edit) => {
        const after = await renderStack("preprod", edit);
        expect(ansibleInputs(after)).toEqual(ansibleInputs(preprod));
    });

    it.each<[string, (config: Record<string, any>) => void]>([
        ["a Kubernetes upgrade", (c) => (c.cluster.kubernetesVersion = "1.36.5")],
        ["another CNI", (c) => (c.cluster.cni = "cilium")],
        ["another pod network", (c) => (c.network.podCidr = "10.128.0.0/16")],
    ])("runs again for %s", async (_, edit) => {
        const after = await renderStack("preprod", edit);
        expect(ansibleRun(after).inputs.triggers).not.toEqual(ansibleRun(preprod).inputs.triggers);
    });

    it("runs only the new worker's join command, limited to it and the first control plane, for one more worker", async () => {
        const after = await renderStack("preprod", (c: Record<string, any>) => (c.cluster.workerPools[0].count += 1));
        expect(ansibleRun(after).inputs.triggers).toEqual(ansibleRun(preprod).inputs.triggers);
        const joins = (render: Render) => render.resources.filter((resource) => resource.type === COMMAND && resource.name.includes("-ansible-join-"));
        const before = new Map(joins(preprod).map((resource) => [resource.name, JSON.stringify(resource.inputs)]));
        const changed = joins(after).filter((resource) => before.get(resource.name) !== JSON.stringify(resource.inputs));
        expect(changed.map((resource) => resource.name)).toEqual(["fsgs-preprod-ansible-join-fsgs-preprod-general-5"]);
        expect(changed[0].inputs.create).toContain("playbooks/site.yml --limit 'fsgs-preprod-general-5,fsgs-preprod-cp-1'");
        expect(changed[0].dependsOn).toContain(ansibleRun(after).urn);
    });

    it("runs again when a playbook changes, and only then", () => {
        const copy = mkdtempSync(join(tmpdir(), "playbooks-"));
        cpSync(join(ROOT, "playbooks"), copy, { recursive: true });
        const original = folderHash(readFolder(join(ROOT, "playbooks")));
        expect(folderHash(readFolder(copy))).toBe(original);
        writeFileSync(join(copy, "site.yml"), "# edited\n", { flag: "a" });
        expect(folderHash(readFolder(copy))).not.toBe(original);
    });
});

describe("secrets", () => {
    it("exports the kubeconfig only as a secret", () => {
        expect(preprod.outputs.kubeconfig).toEqual({ value: "[secret]", secret: true });
    });

    it("reads admin.conf without logging it and keeps its output secret", () => {
        const read = find(preprod, COMMAND, "-admin-kubeconfig");
        expect(read.inputs.logging).toBe("none");
        expect(read.additionalSecretOutputs).toContain("stdout");
    });

    it("feeds the Kubernetes provider a secret kubeconfig", () => {
        const provider = preprod.resources.find((resource) => resource.type === "pulumi:providers:kubernetes");
        expect(provider?.inputs.kubeconfig).toBe("[secret]");
    });

    it("passes the deploy key as secret input only, and never writes it in the plan", () => {
        const key = find(preprod, COMMAND, "-deploy-key");
        expect(key.inputs).toMatchObject({ stdin: "[secret]", logging: "none" });
        for (const resource of preprod.resources.filter((r) => r.type === COMMAND || r.type === COPY)) {
            expect([resource.name, resource.inputs.connection]).toEqual([resource.name, "[secret]"]);
        }
        expect(JSON.stringify(preprod)).not.toContain("PRIVATE KEY");
    });
});

describe("the cluster-admin kubeconfig Pulumi holds", () => {
    it("is read again in a new month, so a certificate renewed on the control plane reaches it", () => {
        const read = find(preprod, COMMAND, "-admin-kubeconfig");
        expect(read.inputs.triggers).toEqual([ansibleRun(preprod).inputs.triggers, new Date().toISOString().slice(0, 7)].flat());
    });

    it("exports when it expires, in the clear", () => {
        expect(preprod.outputs.kubeconfigExpiresAt).toEqual({ value: "unknown", secret: false });
    });
});
