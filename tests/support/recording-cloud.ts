import * as pulumi from "@pulumi/pulumi";
import { FakeCloud } from "../../scripts/offline/fake-cloud";

// The engine's wire form of a secret: { [specialSigKey]: SECRET_SIGNATURE, value } (pulumi sdk runtime/rpc.ts).
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** A value with every secret replaced by what it holds. */
function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[pulumi.runtime.specialSigKey] === SECRET_SIGNATURE) {
            return unwrapSecrets(record.value);
        }
        return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, unwrapSecrets(inner)]));
    }
    return value;
}

/**
 * The fake cloud, keeping the inputs each resource was created with as the provider receives them: secrets
 * unwrapped, which the recorded render hides (a connection holding the deploy key is wholly `[secret]` there).
 */
export class RecordingCloud extends FakeCloud {
    public readonly inputs = new Map<string, Record<string, unknown>>();
    /** What the fake cloud answered: inputs and computed outputs. */
    public readonly states = new Map<string, Record<string, unknown>>();

    newResource(args: pulumi.runtime.MockResourceArgs) {
        this.inputs.set(`${args.type}::${args.name}`, unwrapSecrets(args.inputs) as Record<string, unknown>);
        const created = super.newResource(args);
        this.states.set(`${args.type}::${args.name}`, unwrapSecrets(created.state) as Record<string, unknown>);
        return created;
    }

    /** The state of one resource; throws when there is none. */
    state(type: string, name: string): Record<string, unknown> {
        const state = this.states.get(`${type}::${name}`);
        if (!state) {
            throw new Error(`no ${type} named ${name}`);
        }
        return state;
    }

    /** Inputs of every resource of a type, by resource name. */
    ofType(type: string): [string, Record<string, unknown>][] {
        return [...this.inputs].filter(([key]) => key.startsWith(`${type}::`)).map(([key, inputs]) => [key.slice(type.length + 2), inputs]);
    }
}
