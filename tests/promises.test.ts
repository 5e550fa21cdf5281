/**
 * docs/promises.md maps each README safety promise to the test that holds it and the break that turned it red.
 * This file keeps the table honest: a test file that is gone, a test renamed so that the listed name no longer
 * appears in it, or a row without its "Shown to fail by" entry fails here.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const HEADER = ["Promise", "README section", "Test file", "Test name", "Shown to fail by"];

interface PromiseRow {
    line: number;
    cells: Record<string, string>;
}

/** Cells of a Markdown table line `| a | b |`, trimmed; backticks around a whole cell removed. */
function cellsOf(line: string): string[] {
    return line
        .trim()
        .replace(/^\|/, "")
        .replace(/\|$/, "")
        .split("|")
        .map((cell) => cell.trim().replace(/^`(.*)`$/, "$1"));
}

/** The rows of the first table whose header is HEADER. */
function promiseRows(markdown: string): PromiseRow[] {
    const lines = markdown.split("\n");
    const start = lines.findIndex((line) => line.trim().startsWith("|") && cellsOf(line).join("\u0000") === HEADER.join("\u0000"));
    if (start < 0) {
        throw new Error(`no table with the header ${HEADER.join(" | ")}`);
    }
    const rows: PromiseRow[] = [];
    for (let index = start + 2; index < lines.length && lines[index].trim().startsWith("|"); index += 1) {
        const cells = cellsOf(lines[index]);
        rows.push({ line: index + 1, cells: Object.fromEntries(HEADER.map((name, column) => [name, cells[column] ?? ""])) });
    }
    return rows;
}

/** Line numbers of table-looking lines that are not rows, header or separator of the promises table. */
function strandedRows(markdown: string): number[] {
    const rows = new Set(promiseRows(markdown).map((row) => row.line));
    const lines = markdown.split("\n");
    const header = lines.findIndex((line) => line.trim().startsWith("|") && cellsOf(line).join("\u0000") === HEADER.join("\u0000"));
    return lines
        .map((line, index) => ({ line, number: index + 1 }))
        .filter(({ line, number }) => line.trim().startsWith("|") && !rows.has(number) && number !== header + 1 && number !== header + 2)
        .map(({ number }) => number);
}

/** What is wrong with one row, checked against the repository's files. */
function rowProblems(row: PromiseRow, root: string): string[] {
    const problems = HEADER.filter((name) => row.cells[name] === "").map((name) => `line ${row.line}: no "${name}"`);
    const file = row.cells["Test file"];
    const name = row.cells["Test name"];
    if (file === "" || name === "") {
        return problems;
    }
    const path = join(root, file);
    if (!existsSync(path)) {
        return [...problems, `line ${row.line}: ${file} does not exist`];
    }
    const text = readFileSync(path, "utf8");
    // The name as a string literal of the file, as it( / test( / it.each(...)( take it.
    if (!['"', "'", "`"].some((quote) => text.includes(`${quote}${name}${quote}`))) {
        problems.push(`line ${row.line}: ${file} has no test named ${JSON.stringify(name)}`);
    }
    return problems;
}

describe("docs/promises.md", () => {
    const rows = promiseRows(readFileSync(join(ROOT, "docs", "promises.md"), "utf8"));

    it("lists the promises", () => {
        expect(rows.length).toBeGreaterThanOrEqual(10);
    });

    it("has one table: no row stranded after a blank line, where it would go unchecked", () => {
        expect(strandedRows(readFileSync(join(ROOT, "docs", "promises.md"), "utf8"))).toEqual([]);
    });

    it("names, for every promise, a test file that exists and contains the test, and how it was shown to fail", () => {
        expect(rows.flatMap((row) => rowProblems(row, ROOT))).toEqual([]);
    });
});

describe("the table check itself", () => {
    const table = (row: string) => `| ${HEADER.join(" | ")} |\n|---|---|---|---|---|\n${row}\n`;

    it("refuses a row whose test was renamed", () => {
        const rows = promiseRows(table("| p | s | tests/deploy-keys.test.ts | `a retiring key equal to the current one is refused, renamed` | a break |"));
        expect(rows.flatMap((row) => rowProblems(row, ROOT))).toEqual([
            'line 3: tests/deploy-keys.test.ts has no test named "a retiring key equal to the current one is refused, renamed"',
        ]);
    });

    it("refuses a row whose test file is gone", () => {
        const rows = promiseRows(table("| p | s | tests/no-such.test.ts | `x` | a break |"));
        expect(rows.flatMap((row) => rowProblems(row, ROOT))).toEqual(["line 3: tests/no-such.test.ts does not exist"]);
    });

    it("refuses a row stranded after a blank line", () => {
        expect(strandedRows(`${table("| p | s | tests/deploy-keys.test.ts | `x` | a break |")}\n| p | s | f | n | b |\n`)).toEqual([5]);
    });

    it("refuses a row without its shown-to-fail entry", () => {
        const rows = promiseRows(table("| p | s | tests/deploy-keys.test.ts | `a retiring key equal to the current one is refused` |  |"));
        expect(rows.flatMap((row) => rowProblems(row, ROOT))).toEqual(['line 3: no "Shown to fail by"']);
    });
});
