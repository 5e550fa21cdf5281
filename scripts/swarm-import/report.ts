import { Document } from "yaml";
import type { ServiceInput } from "../../components/config/service-schema";
import { countBySeverity, SEVERITIES, type ImportFinding } from "./findings";

/** The importer's outputs as text: the catalog entries in YAML and the review report in Markdown. */

export interface ReportContext {
    /** The stack file, as the operator named it. */
    stackFile: string;
    stackName: string;
    domain: string;
    /** Compose service -> the entry file written (or that would be) for it. */
    entryFiles: ReadonlyMap<string, string>;
}

/** Values longer than this are cut in the report's table: the compose file has them whole. */
const MAX_VALUE_LENGTH = 160;

function cell(text: string): string {
    return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function valueCell(value: unknown): string {
    const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
    const short = text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
    const fence = short.includes("`") ? "``" : "`";
    return cell(`${fence}${fence === "``" ? " " : ""}${short}${fence === "``" ? " " : ""}${fence}`);
}

function table(findings: readonly ImportFinding[]): string[] {
    return [
        "| field | value | severity | what to do |",
        "|---|---|---|---|",
        ...findings.map((finding) => `| \`${cell(finding.path)}\` | ${valueCell(finding.value)} | ${finding.severity} | ${cell(finding.message)} |`),
    ];
}

function counts(findings: readonly ImportFinding[]): string {
    const bySeverity = countBySeverity(findings);
    return SEVERITIES.map((severity) => `${bySeverity[severity]} ${severity}`).join(", ");
}

export function renderReport(report: readonly ImportFinding[], context: ReportContext): string {
    const services = [...new Set(report.flatMap((finding) => (finding.service === undefined ? [] : [finding.service])))];
    for (const service of context.entryFiles.keys()) if (!services.includes(service)) services.push(service);
    const lines = [
        `# Swarm stack ${context.stackName}: import report`,
        "",
        `Imported from \`${context.stackFile}\` into the domain \`${context.domain}\` by \`scripts/import-swarm.ts\`. Findings: ${counts(report)}.`,
        "",
        "- **unmapped**: nothing in the entry carries the field; act on it, or decide it does not matter.",
        "- **approximated**: the entry carries something close; check the caveat.",
        "- **info**: carried, or irrelevant on Kubernetes; worth knowing.",
        "",
        "Values that look like secrets are shown as `(hidden)`.",
    ];
    const stackFindings = report.filter((finding) => finding.service === undefined);
    if (stackFindings.length > 0) lines.push("", "## The stack", "", ...table(stackFindings));
    for (const service of services) {
        const findings = report.filter((finding) => finding.service === service);
        const file = context.entryFiles.get(service);
        const draft = file?.endsWith(".draft") === true;
        const head = file === undefined ? "**No entry written**: see the unmapped findings." : draft ? `**Draft** (not loaded by the catalog, would not deploy as it is): \`${file}\`. Findings: ${counts(findings)}.` : `Entry: \`${file}\`. Findings: ${counts(findings)}.`;
        lines.push("", `## ${service}`, "", head);
        if (findings.length > 0) lines.push("", ...table(findings));
    }
    return `${lines.join("\n")}\n`;
}

/**
 * The entry as a catalog file, headed by where it came from and how much is left to review; a draft's head says
 * why it would not deploy (it is written as `<name>.yaml.draft`, which the catalog does not load).
 */
export function renderEntry(entry: ServiceInput, findings: readonly ImportFinding[], reportFile: string, draftReasons: readonly string[] = []): string {
    const document = new Document(entry, { aliasDuplicateObjects: false });
    const unmapped = countBySeverity(findings).unmapped;
    document.commentBefore = [
        ` ${entry.description ?? "Imported from a Docker Swarm stack."}`,
        ...(draftReasons.length > 0
            ? [` DRAFT: the catalog does not load this file; it would not deploy as it is:`, ...draftReasons.map((reason) => `   - ${reason.replace(/\n/g, " ")}`), ` Fix it, then rename it to ${entry.name}.yaml.`]
            : []),
        ` Review ${reportFile} before committing: ${unmapped} unmapped field${unmapped === 1 ? "" : "s"} (${counts(findings)}).`,
    ].join("\n");
    return document.toString({ lineWidth: 0 });
}
