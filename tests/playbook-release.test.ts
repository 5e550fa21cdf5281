/**
 * What the Ansible run depends on and what reaches the bastion: the files `ansible-playbook site.yml` reads,
 * not the documentation beside them. A README edit must not re-run Ansible on prod.
 */
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFolder } from "../components/ansible/content-hash";
import { stageRelease } from "../components/ansible/release";
import type { Render } from "../scripts/offline/render";
import { ROOT, renderStack } from "./support/stacks";

/** A copy of the project's playbooks in a scratch project root. */
function scratchProject(): string {
    const root = mkdtempSync(join(tmpdir(), "release-"));
    cpSync(join(ROOT, "playbooks"), join(root, "playbooks"), { recursive: true });
    return root;
}
const paths = (folder: string) => readFolder(folder).map((file) => file.path);

describe("the playbook release", () => {
    const root = scratchProject();
    const original = stageRelease(root, "playbooks", "build");

    it.each([
        ["the playbooks README", "README.md"],
        ["a role's README", "roles/kubeadm_worker/README.md"],
        ["the converge harness's inventory", "tests/inventory.yml"],
    ])("keeps its hash when %s is edited", (_, path) => {
        const project = scratchProject();
        writeFileSync(join(project, "playbooks", path), "\n# edited\n", { flag: "a" });
        expect(stageRelease(project, "playbooks", "build").hash).toBe(original.hash);
    });

    it.each([
        ["site.yml", "site.yml"],
        ["a role's tasks", "roles/kubeadm_worker/tasks/main.yml"],
        ["a template", "roles/container_runtime/templates/config.toml.j2"],
        ["the group variables", "group_vars/all.yml"],
    ])("changes its hash when %s is edited", (_, path) => {
        const project = scratchProject();
        writeFileSync(join(project, "playbooks", path), "\n# edited\n", { flag: "a" });
        expect(stageRelease(project, "playbooks", "build").hash).not.toBe(original.hash);
    });

    it("ships the playbooks and roles without documentation or test harness", () => {
        const shipped = paths(join(root, original.folder));
        expect(shipped).toEqual(expect.arrayContaining(["site.yml", "group_vars/all.yml", "roles/kubeadm_worker/tasks/main.yml"]));
        expect(shipped.filter((path) => path.endsWith(".md") || path.startsWith("tests/"))).toEqual([]);
        expect(readdirSync(join(root, "playbooks", "roles")).every((role) => shipped.some((path) => path.startsWith(`roles/${role}/`)))).toBe(true);
    });
});

describe("the program", () => {
    let render: Render;
    beforeAll(async () => {
        render = await renderStack("prod");
    });

    it("copies to the bastion a folder named playbooks holding exactly the files the hash covers", () => {
        const copy = render.resources.find((resource) => resource.name.endsWith("-ansible-playbooks"));
        const folder = String((copy?.inputs.source as { fileArchive?: string }).fileArchive);
        expect(folder).toMatch(/^build\/ansible-releases\/[0-9a-f]{16}\/playbooks$/);
        const shipped = paths(join(ROOT, folder));
        expect(shipped).not.toContain("README.md");
        expect(shipped).toEqual(paths(join(ROOT, "playbooks")).filter((path) => !path.endsWith(".md") && !path.startsWith("tests/") && !path.startsWith("converge-")));
    });
});
