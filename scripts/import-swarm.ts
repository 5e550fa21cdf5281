import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { parseArgs } from "node:util";
import { ComposeFormatError, convertStack, ImportOptionsError } from "./swarm-import/convert";
import { countBySeverity } from "./swarm-import/findings";
import { ComposeParseError, parseComposeText } from "./swarm-import/parse";
import { renderEntry, renderReport } from "./swarm-import/report";

const USAGE = [
    "usage: tsx scripts/import-swarm.ts <stack.yml> --domain <domain> [--registry <host/path>] [--stack-name <name>]",
    "         [--var NAME=value]... [--out services] [--report build/swarm-import/<stack>-report.md] [--dry-run] [--force]",
    "exit status: 0 every service written as an entry that renders through the program's manifest code;",
    "             1 the stack file cannot be read or parsed; 2 bad usage, or an output file exists (nothing written;",
    "             --force overwrites); 3 written, but some services are drafts (<name>.yaml.draft, which the catalog",
    "             does not load) or have no entry: see the report",
].join("\n");

const EXIT = { written: 0, unreadable: 1, usage: 2, partial: 3 } as const;

/** The command, callable in-process (the tests do): returns the exit status; prints through `out` and `err`. */
export function runImport(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): number {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: {
                domain: { type: "string" },
                registry: { type: "string" },
                "stack-name": { type: "string" },
                var: { type: "string", multiple: true },
                out: { type: "string", default: "services" },
                report: { type: "string" },
                "dry-run": { type: "boolean", default: false },
                force: { type: "boolean", default: false },
            },
        });
    } catch (error) {
        err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
        return EXIT.usage;
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1 || values.domain === undefined) {
        err(USAGE);
        return EXIT.usage;
    }
    const stackFile = positionals[0];
    const variables: Record<string, string> = {};
    for (const assignment of values.var ?? []) {
        const equals = assignment.indexOf("=");
        if (equals <= 0) {
            err(`--var ${assignment}: expected NAME=value\n${USAGE}`);
            return EXIT.usage;
        }
        variables[assignment.slice(0, equals)] = assignment.slice(equals + 1);
    }
    const stackName = values["stack-name"] ?? basename(stackFile, extname(stackFile));
    const reportFile = values.report ?? join("build", "swarm-import", `${stackName}-report.md`);
    const dryRun = values["dry-run"];

    let text: string;
    try {
        text = readFileSync(stackFile, "utf8");
    } catch (error) {
        err(`${stackFile}: cannot read it (${error instanceof Error ? error.message : String(error)})`);
        return EXIT.unreadable;
    }
    let compose: unknown;
    let result;
    try {
        compose = parseComposeText(text);
        result = convertStack(compose, { domain: values.domain, registry: values.registry, stackName, variables });
    } catch (error) {
        if (error instanceof ImportOptionsError) {
            err(`${error.message}\n${USAGE}`);
            return EXIT.usage;
        }
        if (error instanceof ComposeParseError || error instanceof ComposeFormatError) {
            err(`${stackFile}: ${error.message}`);
            return EXIT.unreadable;
        }
        throw error;
    }

    const outputs = [
        ...result.services.map((entry) => ({ entry, reasons: [] as string[], file: join(values.out, `${entry.name}.yaml`), stale: join(values.out, `${entry.name}.yaml.draft`) })),
        ...result.drafts.map(({ entry, reasons }) => ({ entry, reasons, file: join(values.out, `${entry.name}.yaml.draft`), stale: join(values.out, `${entry.name}.yaml`) })),
    ].map((output) => {
        const service = result.origins[output.entry.name];
        return { ...output, service, findings: result.report.filter((finding) => finding.service === service) };
    });
    if (!dryRun && !values.force) {
        const existing = outputs.flatMap(({ file, stale }) => [file, stale]).filter((file) => existsSync(file));
        if (existing.length > 0) {
            err(`refusing to overwrite ${existing.join(", ")}: nothing written; pass --force to overwrite`);
            return EXIT.usage;
        }
    }

    const report = renderReport(result.report, { stackFile, stackName, domain: values.domain, entryFiles: new Map(outputs.map(({ service, file }) => [service, file])) });
    if (dryRun) {
        out(report);
        for (const { file } of outputs) out(`would write ${file}${existsSync(file) ? " (exists: needs --force)" : ""}`);
    } else {
        mkdirSync(values.out, { recursive: true });
        for (const { entry, file, stale, findings, reasons } of outputs) {
            writeFileSync(file, renderEntry(entry, findings, reportFile, reasons));
            // An entry that now renders replaces its draft, and the other way round.
            rmSync(stale, { force: true });
        }
        mkdirSync(dirname(reportFile), { recursive: true });
        writeFileSync(reportFile, report);
    }

    const total = compose !== null && typeof compose === "object" && "services" in compose && compose.services !== null && typeof compose.services === "object" ? Object.keys(compose.services).length : 0;
    const ready = result.services.length;
    const drafts = result.drafts.length;
    const counts = countBySeverity(result.report);
    out(
        `${stackFile}: ${ready} of ${total} services ready to deploy${dryRun ? " (dry run)" : ""} in ${values.out}/; ` +
            `${drafts} draft${drafts === 1 ? "" : "s"} (*.yaml.draft, not loaded by the catalog); ${total - ready - drafts} without an entry; ` +
            `${counts.unmapped} unmapped, ${counts.approximated} approximated, ${counts.info} info; report ${dryRun ? "above" : reportFile}`,
    );
    return ready === total ? EXIT.written : EXIT.partial;
}

// Run as a command (tsx scripts/import-swarm.ts), not when a test imports runImport.
if (require.main === module) process.exitCode = runImport(process.argv.slice(2));
