/** Every Ansible role documents itself as kubespray's do: a README and a meta/main.yml with platforms and dependencies. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "./support/stacks";

const ROLES = join(ROOT, "playbooks", "roles");
const roles = readdirSync(ROLES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

describe.each(roles)("role %s", (role) => {
    it("has a README that names it", () => {
        const path = join(ROLES, role, "README.md");
        expect(existsSync(path)).toBe(true);
        expect(readFileSync(path, "utf8")).toMatch(new RegExp(`^# ${role}\\b`));
    });

    it("has meta/main.yml naming its platforms (the releases os_baseline accepts) and its dependencies", () => {
        const meta = parse(readFileSync(join(ROLES, role, "meta", "main.yml"), "utf8")) as {
            galaxy_info: { role_name: string; platforms: { name: string; versions: string[] }[] };
            dependencies: unknown[];
        };
        expect(meta.galaxy_info.role_name).toBe(role);
        expect(meta.galaxy_info.platforms.map((platform) => platform.name).sort()).toEqual(["Debian", "Ubuntu"]);
        expect(Array.isArray(meta.dependencies)).toBe(true);
    });
});
