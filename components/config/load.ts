import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { CatalogError, parseCatalog, readCatalog, type CatalogFile } from "./catalog";
import { ENVIRONMENT_RULES, type RuleContext } from "./environment-rules";
import { CONFIG_NAMESPACE, StackConfigError, formatIssues, keyPath } from "./errors";
import { kubernetesSupport } from "./kubernetes-versions";
import { type EnvironmentProfile, environmentProfile } from "./profile";
import { type StackConfig, stackConfigShape } from "./schema";
import { deployKeyProblems } from "./deploy-keys";
import { SECRET_KEYS, backupConfigured, type StackSecrets, loadStackSecrets, secretProblems } from "./secrets";
import type { ServiceSpec } from "./service-schema";
import { exposureProblems, exposureWarnings } from "./traffic";

type Section = keyof StackConfig;

/** The sections of the raw config that are well-formed on their own. */
function wellFormedSections(raw: unknown): { sections: Set<Section>; partial: Partial<StackConfig> } {
    const record = raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
    const sections = new Set<Section>();
    const partial: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(stackConfigShape.shape)) {
        const result = schema.safeParse(record[key]);
        if (result.success) {
            sections.add(key as Section);
            partial[key] = result.data;
        }
    }
    return { sections, partial };
}

/**
 * Validates a stack config given as plain data (the `svom-fsgs:*` keys without their namespace) and reports
 * every problem at once: the malformed keys, and the rules that could be checked on the well-formed sections.
 */
export function parseStackConfig(raw: unknown, context: RuleContext = { today: new Date() }): StackConfig {
    const structure = stackConfigShape.safeParse(raw, { reportInput: true });
    const { sections, partial } = wellFormedSections(raw);
    const problems = structure.success ? [] : formatIssues(structure.error.issues);
    for (const rule of ENVIRONMENT_RULES) {
        if (rule.needs.every((section) => sections.has(section))) {
            // The rule reads only the sections it needs, which are all present and valid.
            for (const violation of rule.check(partial as StackConfig, context)) {
                problems.push(`${CONFIG_NAMESPACE}:${keyPath(violation.path)}: ${violation.message}`);
            }
        }
    }
    if (!structure.success || problems.length > 0) {
        throw new StackConfigError(problems);
    }
    return structure.data;
}

/**
 * The `svom-fsgs:*` keys of the running stack as plain data, secrets left out. The engine hands structured
 * values over as JSON text and plain strings as they are, so a value that is not JSON is kept as a string.
 */
export function readNamespacedConfig(all: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const values: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(all)) {
        if (!key.startsWith(prefix) || (SECRET_KEYS as readonly string[]).includes(key.slice(prefix.length))) {
            continue;
        }
        let value: unknown = text;
        try {
            value = JSON.parse(text);
        } catch {
            // A bare string such as `prod`.
        }
        values[key.slice(prefix.length)] = value;
    }
    return values;
}

/**
 * What is allowed but needs an operator's attention soon (a Kubernetes release near or, outside preprod and prod,
 * past its end of life), in the problems' format. `loadStack` prints them with pulumi.log.warn on every run.
 */
export function configWarnings(config: StackConfig, context: RuleContext = { today: new Date() }): string[] {
    return kubernetesSupport(config.cluster.kubernetesVersion, environmentProfile(config.environment), context.today).warnings.map(
        (message) => `${CONFIG_NAMESPACE}:cluster.kubernetesVersion: ${message}`,
    );
}

/** A validated stack: its plain config, what its environment means, its secrets and the service catalog. */
export interface LoadedStack {
    config: StackConfig;
    /** The environment's decisions, computed once from the validated config; components receive these. */
    profile: EnvironmentProfile;
    /** `configWarnings` of the config, already printed. */
    warnings: string[];
    secrets: StackSecrets;
    catalog: ServiceSpec[];
}

/** The project root, where Pulumi runs the program and the catalog folder lives. */
const PROJECT_ROOT = join(__dirname, "..", "..");

/** Overrides must name catalog services, and must not go below the profile's minimum replicas (a singleton stays at one). */
export function overrideProblems(config: StackConfig, catalog: readonly ServiceSpec[]): string[] {
    const names = new Set(catalog.map((service) => service.name));
    return Object.entries(config.services).flatMap(([name, override]) => {
        const where = `${CONFIG_NAMESPACE}:services.${name}`;
        if (!names.has(name)) {
            return [`${where}: expected a service of the catalog (${[...names].join(", ")}), got ${JSON.stringify(name)}`];
        }
        const singleton = catalog.find((service) => service.name === name)?.singleton;
        if (singleton && override.replicas !== undefined && override.replicas !== 1) {
            return [`${where}.replicas: ${name} is a singleton (${singleton.reason}): it runs 1 replica, got ${override.replicas}`];
        }
        const { minimumServiceReplicas } = environmentProfile(config.environment);
        if (!singleton && override.replicas !== undefined && override.replicas < minimumServiceReplicas) {
            return [`${where}.replicas: ${config.environment} needs >= ${minimumServiceReplicas} replicas (one node drain must not stop the service), got ${override.replicas}`];
        }
        return [];
    });
}

/** A restore names a database of the catalog, and needs the archive it restores from. */
export function restoreProblems(config: StackConfig, catalog: readonly ServiceSpec[]): string[] {
    const restore = config.data.restore;
    if (!restore) {
        return [];
    }
    const where = `${CONFIG_NAMESPACE}:data.restore`;
    const databases = catalog.filter((service) => service.postgresql).map((service) => service.name);
    const problems: string[] = [];
    if (!databases.includes(restore.database)) {
        problems.push(`${where}.database: expected a postgresql entry of the catalog (${databases.join(", ")}), got ${JSON.stringify(restore.database)}`);
    }
    if (!config.data.backup) {
        problems.push(`${where}: a restore reads the object store of data.backup, which this stack does not set`);
    }
    return problems;
}

/** The running stack's config, secrets and catalog; throws before anything is registered when any is wrong. */
export function loadStack(
    all: Record<string, string> = pulumi.runtime.allConfig(),
    catalogFiles: readonly CatalogFile[] = readCatalog(PROJECT_ROOT),
): LoadedStack {
    const problems: string[] = [];
    let config: StackConfig | undefined;
    let catalog: ServiceSpec[] | undefined;
    try {
        config = parseStackConfig(readNamespacedConfig(all));
    } catch (error) {
        if (!(error instanceof StackConfigError)) {
            throw error;
        }
        problems.push(...error.problems);
    }
    // The backup key pair is asked for wherever backups are configured, even if the rest of the config is wrong.
    const secretIssues = secretProblems(all, backupConfigured(readNamespacedConfig(all).data));
    problems.push(...secretIssues);
    // Whether the deploy keys open anything is asked only of keys of the right shape.
    if (!secretIssues.some((problem) => /:deploy(Previous)?PrivateKey:/.test(problem))) {
        problems.push(...deployKeyProblems(all));
    }
    try {
        catalog = parseCatalog(catalogFiles);
    } catch (error) {
        if (!(error instanceof CatalogError)) {
            throw error;
        }
        problems.push(...error.problems);
    }
    if (config && catalog) {
        problems.push(...overrideProblems(config, catalog), ...restoreProblems(config, catalog), ...exposureProblems(config, catalog));
    }
    if (problems.length > 0 || config === undefined || catalog === undefined) {
        // RunError prints the message alone, without a stack trace that would bury the list of problems.
        throw new pulumi.RunError(new StackConfigError(problems).message);
    }
    const warnings = [...configWarnings(config), ...exposureWarnings(config, catalog)];
    for (const warning of warnings) {
        // Without an engine (the offline plan) this goes to stderr as "warning: [runtime] ...".
        void pulumi.log.warn(warning);
    }
    return { config, profile: environmentProfile(config.environment), warnings, secrets: loadStackSecrets(), catalog };
}
