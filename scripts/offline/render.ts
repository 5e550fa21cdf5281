import * as pulumi from "@pulumi/pulumi";
import { createHmac, randomBytes } from "node:crypto";
import { FakeCloud } from "./fake-cloud";
import { fingerprintOf, publicKeyOf } from "../../components/config/ssh-keys";

/** A resource as the program registered it, with the options a reviewer cares about. */
export interface RenderedResource {
    urn: string;
    /** Physical ID the fake cloud gave a custom resource. */
    id?: string;
    type: string;
    name: string;
    /** URN of the parent; absent for top-level resources. */
    parent?: string;
    /** Custom (provider) resource, as opposed to a component. */
    custom: boolean;
    /** Inputs with secret values replaced by `[secret]`. */
    inputs: Record<string, unknown>;
    protect: boolean;
    retainOnDelete: boolean;
    /** The engine deletes the old resource before creating its replacement (default: create first). */
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    /** Inputs whose change replaces the resource beyond the provider's own rules. */
    replaceOnChanges: string[];
    dependsOn: string[];
    /** Outputs the program marks secret beyond the provider's own. */
    additionalSecretOutputs: string[];
    /** The explicit provider (`urn::id`), when the resource has one. */
    provider?: string;
    /** What the (fake) provider returned: the resource's outputs, secrets masked like the inputs. */
    outputs: Record<string, unknown>;
    /** For each input, the resources its value came from: the engine's `propertyDependencies`. */
    propertyDependencies: Record<string, string[]>;
    /** Former identities of the resource: URNs, or `{ name, type, parent }` specs relative to it. */
    aliases: unknown[];
    /**
     * For each input holding a secret, a digest of its value keyed by a random key of this process: two
     * renders in one process can tell a rotated secret from an unchanged one, and nothing outside can
     * recover or test a guess against it.
     */
    secretDigests: Record<string, string>;
    /**
     * Where a remote command connects (the address, never the credentials), when it has a connection, and which
     * key it presents to each hop: the SHA256 fingerprint of the private key's public half (no secret).
     */
    connection?: { host: string; user?: string; proxyHost?: string; hostKey?: string; keyFingerprint?: string; proxyKeyFingerprint?: string };
    /** A remote command whose stdin is a private key (a key written to a server): that key's fingerprint. */
    stdinKeyFingerprint?: string;
    /** `create`/`update`/`delete` durations the engine allows the provider, when set. */
    customTimeouts: { create?: string; update?: string; delete?: string };
}

export interface StackOutput {
    value: unknown;
    secret: boolean;
}

export interface Render {
    project: string;
    stack: string;
    resources: RenderedResource[];
    outputs: Record<string, StackOutput>;
}

export interface RenderOptions {
    project: string;
    stack: string;
    /** Config as the Pulumi CLI passes it: `namespace:key` -> text (JSON for structured values). */
    config: Record<string, string>;
    /** Config keys whose values are secrets. */
    secretKeys?: string[];
    /** Runs the program and returns what it exports. */
    program: () => unknown;
    /** The cloud the program runs against; a fresh `FakeCloud` unless a test needs another (e.g. a replaced server's new ID). */
    cloud?: pulumi.runtime.Mocks;
}

/** The program threw; `registered` tells what it had registered before (nothing, for a config error). */
export class ProgramFailedError extends Error {
    constructor(
        public readonly cause: unknown,
        public readonly registered: readonly RenderedResource[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ProgramFailedError";
    }
}

/** The parts of the engine's RegisterResourceRequest the plan reads. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDeletebeforereplace(): boolean;
    getReplaceonchangesList(): string[];
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getProvider(): string;
    getPropertydependenciesMap(): { forEach(callback: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getAliasesList(): { toObject(): unknown }[];
    getAliasurnsList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0] | undefined;
}
type Callback = (error: unknown, response?: RegisterResponse) => void;
interface Monitor {
    registerResource(request: RegisterRequest, callback: Callback): Promise<void>;
}

const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Plain data for the plan: every secret (the engine's wire form) becomes a marker, so a plan file can never
 * leak one, and assets become what they hold (a text, a path).
 */
export async function describeInputs(value: unknown): Promise<unknown> {
    if (Array.isArray(value)) {
        return Promise.all(value.map(describeInputs));
    }
    if (value instanceof pulumi.asset.StringAsset) {
        return { stringAsset: await value.text };
    }
    if (value instanceof pulumi.asset.FileArchive) {
        return { fileArchive: await value.path };
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[pulumi.runtime.specialSigKey] === SECRET_SIGNATURE) {
            return "[secret]";
        }
        const entries = await Promise.all(
            Object.entries(record).map(async ([key, inner]) => [key, await describeInputs(inner)] as const),
        );
        return Object.fromEntries(entries);
    }
    return value;
}

const DIGEST_KEY = randomBytes(32);

const isSecretValue = (value: unknown): value is { value: unknown } =>
    value !== null && typeof value === "object" && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === SECRET_SIGNATURE;

/** The value with every secret wrapper removed; only ever digested or reduced to addresses, never stored. */
function reveal(value: unknown): unknown {
    if (isSecretValue(value)) {
        return reveal(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(reveal);
    }
    if (value !== null && typeof value === "object" && !(value instanceof pulumi.asset.Asset) && !(value instanceof pulumi.asset.Archive)) {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, reveal(inner)]));
    }
    return value;
}

function holdsSecret(value: unknown): boolean {
    if (isSecretValue(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(holdsSecret);
    }
    return value !== null && typeof value === "object" && Object.values(value).some(holdsSecret);
}

function secretDigests(inputs: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(inputs)
            .filter(([, value]) => holdsSecret(value))
            .map(([key, value]) => [key, createHmac("sha256", DIGEST_KEY).update(JSON.stringify(reveal(value)) ?? "").digest("hex").slice(0, 16)]),
    );
}

/** The fingerprint of a private key's public half, or undefined for anything that is not a readable key. */
function keyFingerprint(privateKey: unknown): string | undefined {
    if (typeof privateKey !== "string") {
        return undefined;
    }
    try {
        return fingerprintOf(publicKeyOf(privateKey));
    } catch {
        return undefined;
    }
}

function describeConnection(inputs: Record<string, unknown>): RenderedResource["connection"] {
    const connection = reveal(inputs.connection) as Record<string, unknown> | undefined;
    if (!connection || typeof connection.host !== "string") {
        return undefined;
    }
    const proxy = connection.proxy as Record<string, unknown> | undefined;
    return {
        host: connection.host,
        ...(typeof connection.user === "string" ? { user: connection.user } : {}),
        ...(proxy && typeof proxy.host === "string" ? { proxyHost: proxy.host } : {}),
        // A public host key is no secret; it tells whether the connection verifies the server.
        ...(typeof connection.hostKey === "string" ? { hostKey: connection.hostKey } : {}),
        ...optional("keyFingerprint", keyFingerprint(connection.privateKey)),
        ...optional("proxyKeyFingerprint", keyFingerprint(proxy?.privateKey)),
    };
}

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

function stdinKey(inputs: Record<string, unknown>): Partial<Record<"stdinKeyFingerprint", string>> {
    return optional("stdinKeyFingerprint", keyFingerprint(reveal(inputs.stdin)));
}

// Outputs a real provider marks secret itself (tls privateKeyPem, a keypair's privateKey, a credential's
// secret): the mocks return them in clear, so they are masked by name, as are the program's own secret outputs.
const SECRET_OUTPUT_NAME = /private|secret|password|token/i;

function maskSecretOutputs(outputs: Record<string, unknown>, additionalSecretOutputs: readonly string[]): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(outputs).map(([key, value]) => [key, additionalSecretOutputs.includes(key) || SECRET_OUTPUT_NAME.test(key) ? "[secret]" : value]),
    );
}

function propertyDependencies(request: RegisterRequest): Record<string, string[]> {
    const found: Record<string, string[]> = {};
    request.getPropertydependenciesMap().forEach((value, key) => {
        found[key] = value.getUrnsList();
    });
    return found;
}

/** Only the timeouts the program set: the engine's request carries empty strings for the others. */
function customTimeouts(request: RegisterRequest): RenderedResource["customTimeouts"] {
    const timeouts = request.getCustomtimeouts();
    if (!timeouts) {
        return {};
    }
    const set = Object.entries({ create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }).filter(
        ([, value]) => value !== "",
    );
    return Object.fromEntries(set);
}

function recordRegistrations(resources: Promise<RenderedResource>[]): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) =>
        register(request, (error, response) => {
            if (response) {
                const rawInputs = pulumi.runtime.deserializeProperties(request.getObject()) as Record<string, unknown>;
                const inputs = describeInputs(rawInputs);
                const connection = describeConnection(rawInputs);
                const responseObject = response.getObject();
                const outputs = describeInputs(
                    maskSecretOutputs(
                        responseObject ? (pulumi.runtime.deserializeProperties(responseObject)) : {},
                        request.getAdditionalsecretoutputsList(),
                    ),
                );
                const recorded = {
                    urn: response.getUrn(),
                    ...(response.getId() ? { id: response.getId() } : {}),
                    type: request.getType(),
                    name: request.getName(),
                    ...(request.getParent() ? { parent: request.getParent() } : {}),
                    custom: request.getCustom(),
                    protect: request.getProtect() ?? false,
                    retainOnDelete: request.getRetainondelete() ?? false,
                    deleteBeforeReplace: request.getDeletebeforereplace(),
                    ignoreChanges: request.getIgnorechangesList(),
                    replaceOnChanges: request.getReplaceonchangesList(),
                    dependsOn: request.getDependenciesList(),
                    additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
                    ...(request.getProvider() ? { provider: request.getProvider() } : {}),
                    propertyDependencies: propertyDependencies(request),
                    aliases: [...request.getAliasurnsList(), ...request.getAliasesList().map((alias) => alias.toObject())],
                    customTimeouts: customTimeouts(request),
                    secretDigests: secretDigests(rawInputs),
                    ...(connection ? { connection } : {}),
                    ...stdinKey(rawInputs),
                };
                resources.push(
                    Promise.all([inputs, outputs]).then(([describedInputs, describedOutputs]) => ({
                        ...recorded,
                        inputs: describedInputs as Record<string, unknown>,
                        outputs: describedOutputs as Record<string, unknown>,
                    })),
                );
            }
            callback(error, response);
        });
}

async function resolveOutputs(exported: unknown): Promise<Record<string, StackOutput>> {
    const outputs: Record<string, StackOutput> = {};
    if (exported === null || typeof exported !== "object") {
        return outputs;
    }
    for (const [key, value] of Object.entries(exported)) {
        const output = pulumi.output(value);
        const secret = await pulumi.isSecret(output);
        const resolved = await new Promise<unknown>((resolve) => output.apply(resolve));
        outputs[key] = { value: secret ? "[secret]" : resolved, secret };
    }
    return outputs;
}

/**
 * Runs a program under mocks of the Pulumi engine and OpenStack and returns everything it registered, in a
 * stable order. Nothing leaves the machine: no credentials, no plugin, no cloud.
 */
export async function renderProgram(options: RenderOptions): Promise<Render> {
    // The SDK records a stack trace for every promise it makes; formatting them (through source maps under
    // tsx and jest) is most of a render's time, and a render under mocks has no use for deep ones.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 3;
    try {
        return await render(options);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

async function render(options: RenderOptions): Promise<Render> {
    await pulumi.runtime.setMocks(options.cloud ?? new FakeCloud(), options.project, options.stack, false);
    pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
    const registrations: Promise<RenderedResource>[] = [];
    recordRegistrations(registrations);

    let outputs: Record<string, StackOutput> = {};
    let failure: unknown;
    try {
        outputs = await resolveOutputs(options.program());
    } catch (error) {
        failure = error;
    }
    // Waits for every registration still in flight, then detaches from the mock monitor.
    await pulumi.runtime.disconnect();
    const resources = await Promise.all(registrations);
    if (failure !== undefined) {
        throw new ProgramFailedError(failure, resources);
    }
    return {
        project: options.project,
        stack: options.stack,
        resources: resources.sort((a, b) => a.urn.localeCompare(b.urn)),
        outputs,
    };
}
