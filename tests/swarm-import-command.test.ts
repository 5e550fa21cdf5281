/**
 * The import-swarm command as a user runs it (`npx tsx scripts/import-swarm.ts`, a process each): what it writes,
 * what it refuses, its exit codes. Slow (a tsx start per run), so a scenario suite (jest.config.js).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { parseCatalog, readCatalog } from "../components/config/catalog";
import { serviceSchema } from "../components/config/service-schema";

const ROOT = join(__dirname, "..");
const FIXTURES = join(__dirname, "fixtures", "swarm");
const REGISTRY = "gitlab-registry.in2p3.fr/svom/fsgs";

describe("the import-swarm command", () => {
    let directory: string;
    beforeEach(() => {
        directory = mkdtempSync(join(tmpdir(), "swarm-import-"));
    });
    afterEach(() => {
        rmSync(directory, { recursive: true, force: true });
    });

    function run(...args: string[]) {
        return spawnSync("npx", ["tsx", "scripts/import-swarm.ts", ...args], { cwd: ROOT, encoding: "utf8" });
    }

    it("writes one valid catalog file per service and the report, then refuses to overwrite them without --force", () => {
        const out = join(directory, "services");
        const report = join(directory, "web-report.md");
        const args = [join(FIXTURES, "web.yml"), "--domain", "portal", "--registry", REGISTRY, "--out", out, "--report", report];

        const first = run(...args);
        expect(first.stderr).toBe("");
        // worker has no port and no healthcheck: it would not render, so it is a draft and the status says so.
        expect(first.status).toBe(3);
        expect(first.stdout.trim().split("\n")).toHaveLength(1);
        expect(first.stdout).toContain("3 of 4 services ready to deploy");
        expect(first.stdout).toContain("1 draft (");
        expect(readdirSync(out).sort()).toEqual(["nginx.yaml", "portal.yaml", "postgres.yaml", "worker.yaml.draft"]);
        expect(parseCatalog(readCatalog(directory), { crossReferences: false }).map((service) => service.name)).toEqual(["nginx", "portal", "postgres"]);
        expect(readFileSync(join(out, "worker.yaml.draft"), "utf8")).toContain("DRAFT: the catalog does not load this file");
        for (const file of readdirSync(out)) {
            const written = serviceSchema.parse(parse(readFileSync(join(out, file), "utf8")));
            expect(file.startsWith(`${written.name}.yaml`)).toBe(true);
            expect(written.domain).toBe("portal");
        }
        expect(readFileSync(report, "utf8")).toContain("## postgres");

        const edited = "# edited by hand\n";
        writeFileSync(join(out, "nginx.yaml"), edited);
        const second = run(...args);
        expect(second.status).toBe(2);
        expect(second.stderr).toContain("refusing to overwrite");
        expect(readFileSync(join(out, "nginx.yaml"), "utf8")).toBe(edited);

        const forced = run(...args, "--force");
        expect(forced.status).toBe(3);
        expect(readFileSync(join(out, "nginx.yaml"), "utf8")).toContain("name: nginx");
    });

    it("exits 1 on a file that does not parse, and writes nothing on a dry run", () => {
        const broken = join(directory, "broken.yml");
        writeFileSync(broken, "services:\n  web: [\n");
        const out = join(directory, "services");
        const failed = run(broken, "--domain", "fsc", "--out", out, "--report", join(directory, "r.md"));
        expect(failed.status).toBe(1);
        expect(existsSync(out)).toBe(false);

        const dry = run(join(FIXTURES, "messaging.yml"), "--domain", "fsc", "--out", out, "--report", join(directory, "r.md"), "--dry-run");
        expect(dry.status).toBe(0);
        expect(dry.stdout).toContain("would write");
        expect(existsSync(out)).toBe(false);
        expect(existsSync(join(directory, "r.md"))).toBe(false);
    });
});
