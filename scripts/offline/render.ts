import * as pulumi from "@pulumi/pulumi";
import { FakeCloud } from "./fake-cloud";

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
}
type Callback = (error: unknown, response?: { getUrn(): string; getId(): string }) => void;
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

function recordRegistrations(resources: Promise<RenderedResource>[]): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) =>
        register(request, (error, response) => {
            if (response) {
                const inputs = describeInputs(pulumi.runtime.deserializeProperties(request.getObject()));
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
                };
                resources.push(inputs.then((described) => ({ ...recorded, inputs: described as Record<string, unknown> })));
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
