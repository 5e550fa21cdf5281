/**
 * Mutation testing (`npm run mutation`, issue 15) may skip a mutant only when it cannot change behaviour, and
 * only in one reviewed list: tests/mutation/equivalent-mutants.md. Each `// Stryker disable` comment in the code
 * names its mutators and a reason, and the list has the same file, mutators and reason; the list has no row that
 * no comment matches.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..");
const LIST = join(ROOT, "tests", "mutation", "equivalent-mutants.md");

function sourceFiles(folder: string): string[] {
    return readdirSync(folder).flatMap((name) => {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) return sourceFiles(path);
        return name.endsWith(".ts") ? [path] : [];
    });
}

/** `file | mutators | reason`, one per disable comment. */
function disableComments(): string[] {
    return ["components", "scripts", "deployments", "policy"].flatMap((folder) =>
        sourceFiles(join(ROOT, folder)).flatMap((path) =>
            readFileSync(path, "utf8")
                .split("\n")
                .filter((line) => /Stryker disable/.test(line))
                .map((line) => {
                    const match = /Stryker disable(?: next-line)? ([A-Za-z,]+): (.+?)\s*(?:\*\/)?$/.exec(line);
                    return match ? `${relative(ROOT, path)} | ${match[1]} | ${match[2]}` : `${relative(ROOT, path)} | no mutator or reason | ${line.trim()}`;
                }),
        ),
    );
}

/** The rows of the list's table, as `file | mutators | reason`. */
function listedRows(): string[] {
    return readFileSync(LIST, "utf8")
        .split("\n")
        .filter((line) => /^\| `/.test(line))
        .map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim().replace(/^`|`$/g, "")).join(" | "));
}

describe("the equivalent-mutant list", () => {
    it("lists every Stryker disable comment with its mutators and reason, and nothing else", () => {
        expect(listedRows().sort()).toEqual(disableComments().sort());
    });

    it("has no disable comment without a named mutator and a reason", () => {
        expect(disableComments().filter((row) => row.includes("| no mutator or reason |"))).toEqual([]);
    });
});
