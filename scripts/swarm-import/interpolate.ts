import { childPath, type Severity } from "./findings";
import { containsCredentials, looksLikeSecretName, secretMark } from "./secrets";

/**
 * Compose variable interpolation as `docker stack deploy` applies it before reading the file: `$$`, `$VAR`,
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`,
 * nested in defaults. See the Compose specification, "Interpolation".
 */

export interface InterpolationNote {
    /** Where the string was, e.g. `services.web.image`. */
    path: string;
    /** The whole string as written, e.g. `DB_PASSWORD=${DB_PASSWORD:-x}` in a list. */
    text: string;
    variable: string;
    severity: Severity;
    message: string;
    /** The default that replaced an unset variable; kept out of `message` as it may be a credential. */
    fallback?: string;
}

const VARIABLE_NAME = /^[_A-Za-z][_A-Za-z0-9]*/;
const BRACED = /^([_A-Za-z][_A-Za-z0-9]*)(?:(:-|-|:\?|\?|:\+|\+)([\s\S]*))?$/;

/** Index of the `}` closing the `{` at `open`, counting nested `${`; -1 when there is none. */
function closingBrace(text: string, open: number): number {
    let depth = 1;
    for (let index = open + 1; index < text.length; index += 1) {
        if (text[index] === "$" && text[index + 1] === "{") {
            depth += 1;
            index += 1;
        } else if (text[index] === "}") {
            depth -= 1;
            if (depth === 0) return index;
        }
    }
    return -1;
}

/** Substitutes the variables of one string; every variable that was missing is noted. */
export function interpolateString(
    text: string,
    variables: ReadonlyMap<string, string>,
    path: string,
    notes: InterpolationNote[],
): string {
    const note = (variable: string, severity: Severity, message: string, fallback?: string) => notes.push({ path, text, variable, severity, message, fallback });

    const expand = (body: string): string => {
        const match = BRACED.exec(body);
        if (!match) {
            note(body, "unmapped", `\`\${${body}}\` is not a compose interpolation (docker stack deploy rejects it): kept as written`);
            return `\${${body}}`;
        }
        const [, name, operator, operand = ""] = match;
        const value = variables.get(name);
        const set = value !== undefined;
        const nonEmpty = set && value !== "";
        // A secret's value, given or default, is never substituted: the fields refer to it through a Secret.
        const secret = (text: string): string => {
            if (!looksLikeSecretName(name) && !containsCredentials(text)) return text;
            note(name, "info", `\`${name}\` holds a secret: its value${set ? " (given with --var)" : ""} is not written anywhere; the entry refers to it through a Secret`);
            return secretMark(name);
        };
        switch (operator) {
            case undefined:
                if (set) return secret(value);
                if (looksLikeSecretName(name)) return secret("");
                note(name, "unmapped", `\`${name}\` is not set and has no default: replaced by an empty string, as docker stack deploy does; give its value with \`--var ${name}=...\``);
                return "";
            case ":-":
            case "-": {
                if (operator === ":-" ? nonEmpty : set) return secret(value ?? "");
                const fallback = interpolateString(operand, variables, path, notes);
                if (looksLikeSecretName(name) || containsCredentials(fallback)) return secret(fallback);
                note(name, "info", `\`${name}\` is not set: used its default`, fallback);
                return fallback;
            }
            case ":?":
            case "?": {
                if (operator === ":?" ? nonEmpty : set) return secret(value ?? "");
                const error = interpolateString(operand, variables, path, notes);
                note(name, "unmapped", `\`${name}\` is required (${error || "no message"}) and not set: docker stack deploy would refuse the file; give its value with \`--var ${name}=...\``);
                return "";
            }
            default:
                return (operator === ":+" ? nonEmpty : set) ? interpolateString(operand, variables, path, notes) : "";
        }
    };

    let result = "";
    let index = 0;
    while (index < text.length) {
        const char = text[index];
        if (char !== "$") {
            result += char;
            index += 1;
        } else if (text[index + 1] === "$") {
            result += "$";
            index += 2;
        } else if (text[index + 1] === "{") {
            const end = closingBrace(text, index + 1);
            if (end < 0) {
                note(text.slice(index), "unmapped", "unclosed `${`: kept as written");
                result += text.slice(index);
                break;
            }
            result += expand(text.slice(index + 2, end));
            index = end + 1;
        } else {
            const name = VARIABLE_NAME.exec(text.slice(index + 1))?.[0];
            if (name) {
                result += expand(name);
                index += 1 + name.length;
            } else {
                result += "$";
                index += 1;
            }
        }
    }
    return result;
}

/** Interpolates every string value (never keys, as Compose does) of a parsed YAML tree. */
export function interpolateTree(value: unknown, variables: ReadonlyMap<string, string>, path: string, notes: InterpolationNote[]): unknown {
    if (typeof value === "string") return interpolateString(value, variables, path, notes);
    if (Array.isArray(value)) return value.map((item: unknown, index) => interpolateTree(item, variables, childPath(path, index), notes));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value).map(([key, item]: [string, unknown]) => [key, interpolateTree(item, variables, childPath(path, key), notes)]),
        );
    }
    return value;
}
