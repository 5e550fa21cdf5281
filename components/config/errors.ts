import { z } from "zod";

/** The Pulumi config namespace of this project (`name` in Pulumi.yaml). */
export const CONFIG_NAMESPACE = "svom-fsgs";

/** Every problem of a stack config, one line each, raised before any resource is registered. */
export class StackConfigError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(
            `The stack config has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
                problems.map((problem) => `  - ${problem}`).join("\n"),
        );
        this.name = "StackConfigError";
    }
}

/** `cluster.workerPools[0].count` from a zod path. */
export function keyPath(path: readonly PropertyKey[]): string {
    return path
        .map((segment, index) =>
            typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
        )
        .join("");
}

function show(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function article(type: string): string {
    const names: Record<string, string> = {
        int: "an integer",
        number: "a number",
        string: "a string",
        array: "a list",
        object: "a map of keys",
        boolean: "true or false",
    };
    return names[type] ?? type;
}

/**
 * The schema's own words for an issue, when it has any: zod fills `message` with its English default unless the schema
 * passed `{ error }` (a label key's syntax, why a singleton needs a reason), which is the fix the reader needs.
 */
function ownMessage(issue: z.core.$ZodIssue): string | undefined {
    const generic = z.locales.en().localeError(issue as unknown as z.core.$ZodRawIssue);
    return issue.message !== (typeof generic === "string" ? generic : generic?.message) ? issue.message : undefined;
}

/** `generic`, followed by the schema's own words in parentheses when it has any. */
function withOwnMessage(generic: string, issue: z.core.$ZodIssue): string {
    const own = ownMessage(issue);
    return own === undefined ? generic : `${generic} (${own})`;
}

function expectation(issue: z.core.$ZodIssue): string {
    switch (issue.code) {
        case "invalid_type":
            return `expected ${article(issue.expected)}`;
        case "invalid_value":
            return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
        case "too_small": {
            const bound = issue.inclusive ? ">=" : ">";
            return withOwnMessage(
                issue.origin === "array"
                    ? `expected at least ${String(issue.minimum)} entr${issue.minimum === 1 ? "y" : "ies"}`
                    : `expected ${issue.origin === "string" ? "a length" : "a value"} ${bound} ${String(issue.minimum)}`,
                issue,
            );
        }
        case "too_big": {
            const bound = issue.inclusive ? "<=" : "<";
            return withOwnMessage(
                issue.origin === "array"
                    ? `expected at most ${String(issue.maximum)} entries`
                    : `expected ${issue.origin === "string" ? "a length" : "a value"} ${bound} ${String(issue.maximum)}`,
                issue,
            );
        }
        case "invalid_key":
            // A record's key (nodeSelector, env): zod says only "Invalid key in record"; the key's own issue says why.
            return `${issue.message} (${issue.issues.map(expectation).join("; ")})`;
        default:
            return issue.message;
    }
}

/** One line per issue: `svom-fsgs:<key path>: <what was expected>, got <what was found>`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], where = `${CONFIG_NAMESPACE}:`): string[] {
    return issues.flatMap((issue) => {
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map(
                (key) =>
                    `${where}${keyPath([...issue.path, key])}: unknown key (check its spelling against the config reference in README.md)`,
            );
        }
        const key = issue.path.length === 0 ? "(top level)" : keyPath(issue.path);
        const expected = expectation(issue);
        const found = /\bgot\b/.test(expected) ? "" : `, got ${show(issue.input)}`;
        return [`${where}${key}: ${expected}${found}`];
    });
}
