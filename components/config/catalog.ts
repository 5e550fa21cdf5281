import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { referenceProblems } from "./catalog-references";
import { formatIssues } from "./errors";
import { postgresqlEntryProblems } from "./postgresql-entry";
import { brokerClientProblems, rabbitmqEntryProblems } from "./rabbitmq-entry";
import { type ServiceSpec, serviceSchema } from "./service-schema";

/** The catalog folder, one `<name>.yaml` per service, relative to the project root. */
export const CATALOG_FOLDER = "services";

export interface CatalogFile {
    /** Path shown in messages, e.g. `services/database.yaml`. */
    path: string;
    text: string;
}

/** Every problem of the catalog, one line each, raised before any resource is registered. */
export class CatalogError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(`The service catalog has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "CatalogError";
    }
}

/** Validates the catalog files: each against the service schema, named after its service, names unique. */
export function parseCatalog(files: readonly CatalogFile[], options: { crossReferences: boolean } = { crossReferences: true }): ServiceSpec[] {
    const problems: string[] = [];
    const services: ServiceSpec[] = [];
    const entries: { path: string; spec: ServiceSpec }[] = [];
    for (const file of files) {
        let document: unknown;
        try {
            document = parse(file.text);
        } catch (error) {
            problems.push(`${file.path}: not YAML (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
            continue;
        }
        const result = serviceSchema.safeParse(document, { reportInput: true });
        if (!result.success) {
            problems.push(...formatIssues(result.error.issues, `${file.path}: `));
            continue;
        }
        const expectedFile = `${result.data.name}.yaml`;
        if (!file.path.endsWith(`/${expectedFile}`) && file.path !== expectedFile) {
            problems.push(`${file.path}: name: expected the file to be named after the service (${expectedFile}), got ${JSON.stringify(result.data.name)}`);
        }
        problems.push(...[...postgresqlEntryProblems(result.data), ...rabbitmqEntryProblems(result.data)].map((problem) => `${file.path}: ${problem}`));
        services.push(result.data);
        entries.push({ path: file.path, spec: result.data });
    }
    const seen = new Set<string>();
    for (const service of services) {
        if (seen.has(service.name)) {
            problems.push(`${CATALOG_FOLDER}/${service.name}.yaml: name: expected a service name used once, got ${JSON.stringify(service.name)} again`);
        }
        seen.add(service.name);
    }
    // A lone draft (the Swarm importer's render check) cannot resolve references to services it is not given.
    if (options.crossReferences) {
        problems.push(...referenceProblems(entries), ...brokerClientProblems(entries));
    }
    if (problems.length > 0) {
        throw new CatalogError(problems);
    }
    return services.sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads the catalog files of a project folder. */
export function readCatalog(root: string): CatalogFile[] {
    const folder = join(root, CATALOG_FOLDER);
    return readdirSync(folder)
        .filter((file) => file.endsWith(".yaml"))
        .sort()
        .map((file) => ({ path: `${CATALOG_FOLDER}/${file}`, text: readFileSync(join(folder, file), "utf8") }));
}
