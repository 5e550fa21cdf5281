import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { playbookCommand } from "../components/ansible/playbook-run";
import { ROOT } from "./support/stack-config";

/** `key = value` lines of one section of an INI file, as Ansible's config parser reads them. */
function iniSection(text: string, section: string): Record<string, string> {
    const values: Record<string, string> = {};
    let current = "";
    for (const line of text.split("\n").map((raw) => raw.trim())) {
        const header = /^\[(.+)\]$/.exec(line);
        if (header) {
            current = header[1];
        } else if (current === section && /^[^#;].*=/.test(line)) {
            const [key, ...value] = line.split("=");
            values[key.trim()] = value.join("=").trim();
        }
    }
    return values;
}

describe("the Ansible configuration of the playbook run", () => {
    it("is the one the playbook command points Ansible at (the command runs one level above playbooks/)", () => {
        expect(playbookCommand("/release")).toContain("ANSIBLE_CONFIG=playbooks/ansible.cfg");
        expect(existsSync(join(ROOT, "playbooks", "ansible.cfg"))).toBe(true);
    });

    // Ansible's default of 5 forks would join a pool of 100 workers five at a time.
    it("runs each task on at least 20 hosts at once", () => {
        const defaults = iniSection(readFileSync(join(ROOT, "playbooks", "ansible.cfg"), "utf8"), "defaults");
        expect(Number(defaults.forks)).toBeGreaterThanOrEqual(20);
    });
});
