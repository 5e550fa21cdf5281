import type { ServiceInput } from "../../components/config/service-schema";
import { domainNamespace } from "../../components/kubernetes/service-defaults";
import { childPath, type ImportFinding, type Severity } from "./findings";

/** What every field mapper of one service shares: its compose text, the entry being built, and the report. */

type Probe = NonNullable<NonNullable<ServiceInput["probes"]>["readiness"]>;
type Port = NonNullable<ServiceInput["ports"]>[number];

/** The catalog entry under construction; `assembleEntry` orders it as the schema does and drops empty fields. */
export interface Draft {
    image?: ServiceInput["image"];
    command?: string[];
    args?: string[];
    env: Record<string, string>;
    secretEnv: NonNullable<ServiceInput["secretEnv"]>;
    configFiles: NonNullable<ServiceInput["configFiles"]>;
    secretFiles: NonNullable<ServiceInput["secretFiles"]>;
    ports: Port[];
    probe?: Probe;
    replicas?: number;
    resources?: ServiceInput["resources"];
    storage?: ServiceInput["storage"];
    writablePaths: string[];
    runAsUser?: number;
    ingress?: ServiceInput["ingress"];
    allowFrom: string[];
    /** The services of the stack this one names: its calls, the other side of their allowFrom. */
    connectsTo: string[];
    /** Healthcheck timings, carried to both probes. */
    probeTiming?: NonNullable<ServiceInput["probes"]>["timing"];
    singleton?: ServiceInput["singleton"];
    nodeSelector: Record<string, string>;
    terminationGracePeriodSeconds?: number;
}

export interface StackContext {
    domain: string;
    registry?: string;
    stackName?: string;
    /** Compose service name -> catalog name (a DNS label). */
    names: ReadonlyMap<string, string>;
    /** Top-level declarations, interpolated. */
    networks: Record<string, unknown>;
    volumes: Record<string, unknown>;
    secrets: Record<string, unknown>;
    configs: Record<string, unknown>;
    /** Network name -> the compose services attached to it. */
    networkMembers: ReadonlyMap<string, readonly string[]>;
    /** Named volume -> the compose services that mount it. */
    volumeUsers: ReadonlyMap<string, readonly string[]>;
    /** Compose service -> the services whose environment or command names it (explicit references only). */
    callers: ReadonlyMap<string, readonly Reference[]>;
}

/** A service naming another in its environment or command, e.g. `DATABASE_HOST=postgres`. */
export interface Reference {
    caller: string;
    /** Where the caller names it, e.g. `services.web.environment.DATABASE_HOST`. */
    path: string;
    /** The port it names, if any (`postgres:5432`, `http://api:8080/`). */
    port?: number;
}

export class ServiceContext {
    readonly path: string;
    readonly draft: Draft = { env: {}, secretEnv: {}, configFiles: [], secretFiles: [], ports: [], writablePaths: [], allowFrom: [], connectsTo: [], nodeSelector: {} };
    readonly findings: ImportFinding[] = [];
    /** Credentials found in the service's fields: none may be written into the entry or the report. */
    readonly secretLiterals = new Set<string>();
    /** Why the entry, though valid, must not deploy as it is (a global service...): it is written as a draft. */
    readonly blockers: string[] = [];

    constructor(
        /** The service's key under `services:`. */
        readonly composeName: string,
        /** Its catalog name. */
        readonly name: string,
        /** Its compose definition, interpolated. */
        readonly raw: Record<string, unknown>,
        readonly stack: StackContext,
    ) {
        this.path = childPath("services", composeName);
    }

    /** The compose path of a field of this service, e.g. `at("deploy", "replicas")`. */
    at(...keys: (string | number)[]): string {
        return keys.reduce<string>((path, key) => childPath(path, key), this.path);
    }

    note(path: string, value: unknown, severity: Severity, message: string): void {
        this.findings.push({ service: this.composeName, path, value, severity, message });
    }

    /** `kubectl` runs in the service's namespace. */
    get namespace(): string {
        return domainNamespace(this.stack.domain);
    }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function isScalar(value: unknown): value is string | number | boolean {
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** A DNS label made from a compose name (`rabbitmq_conf` -> `rabbitmq-conf`); undefined when nothing is left. */
export function dnsLabelFrom(name: string, maxLength = 63): string | undefined {
    const label = name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^[^a-z]+/, "")
        .slice(0, maxLength)
        .replace(/-+$/, "");
    return label.length > 0 ? label : undefined;
}

/** Compose accepts a string or a list for `tmpfs`, `dns`, `extra_hosts`...; both read as a list. */
export function asList(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? (value as unknown[]) : [value];
}

/** A value as the report and messages show it: strings as they are, anything else as JSON. */
export function asText(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The items of a field that takes one value or a list, each with its path. */
export function listItems(context: ServiceContext, key: string): [item: unknown, path: string][] {
    const value = context.raw[key];
    return Array.isArray(value) ? value.map((item: unknown, index) => [item, context.at(key, index)]) : value === undefined || value === null ? [] : [[value, context.at(key)]];
}

/** A compose `environment` (list of NAME=value, or map) as pairs; a value is undefined when the shell gave it. */
export function environmentEntries(context: ServiceContext): [name: string, value: string | undefined, path: string][] | undefined {
    const raw = context.raw.environment;
    if (Array.isArray(raw)) {
        return raw.map((item: unknown, index) => {
            const text = String(item);
            const equals = text.indexOf("=");
            const path = context.at("environment", index);
            return equals < 0 ? [text, undefined, path] : [text.slice(0, equals), text.slice(equals + 1), path];
        });
    }
    if (isRecord(raw)) {
        return Object.entries(raw).map(([name, value]) => [name, value === null || value === undefined ? undefined : asText(value), context.at("environment", name)]);
    }
    return undefined;
}
