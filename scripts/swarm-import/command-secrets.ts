import { hasSecretMark, looksLikeSecretName, replaceSecretMarks, secretMarkNames } from "./secrets";
import { splitShellWords } from "./shell-words";

/**
 * Passwords written on a command line (a service's command or entrypoint, a healthcheck's test): found, taken
 * out, and replaced by a reference to an environment variable that the entry fills from a Secret.
 */

/** One credential found on a command line. */
export interface CommandSecret {
    /** The environment variable that now carries it (secretEnv). */
    variable: string;
    /** The literal, when the file held one (not when it came from an interpolated variable). */
    literal?: string;
    /** What gave it away, for the report: `--requirepass`, `a URL's password`... */
    clue: string;
}

/** Flags whose value is a credential, whatever the program; the variable is named after the flag. */
const SECRET_FLAGS = /^--?([A-Za-z0-9]+[-_])*(password|passwd|pass|pwd|requirepass|masterauth|token|secret|api-?key|auth|access-key|secret-key)$/i;
/** Programs whose `-a <password>` / `-p<password>` short options are credentials (redis-cli(1), mysql(1)). */
const REDIS_CLIENTS = /(^|\/)(redis-cli|valkey-cli|keydb-cli)$/;
const MYSQL_CLIENTS = /(^|\/)(mysql|mysqladmin|mysqldump|mariadb|mariadb-admin|mariadb-dump)$/;
const CURL = /(^|\/)curl$/;
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:)([^/@\s]+)(@)/gi;

/** The variable a flag's value goes to: the programs' own variables where they read one (redis-cli REDISCLI_AUTH, mysql MYSQL_PWD). */
function flagVariable(flag: string, program: string): string {
    if (REDIS_CLIENTS.test(program) && flag === "-a") return "REDISCLI_AUTH";
    if (MYSQL_CLIENTS.test(program)) return "MYSQL_PWD";
    const name = flag.replace(/^-+/, "").replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
    return name === "REQUIREPASS" || name === "MASTERAUTH" ? `REDIS_${name}` : name;
}

export interface RedactedWords {
    words: string[];
    secrets: CommandSecret[];
}

/**
 * Replaces each credential in a list of words by `reference(variable)`: `$(NAME)` in a container's command and
 * args (Kubernetes expands it from the container's environment), `${NAME}` in a shell script.
 */
export function redactWords(words: readonly string[], reference: (variable: string) => string): RedactedWords {
    const secrets: CommandSecret[] = [];
    const program = words[0] ?? "";
    const take = (literal: string, variable: string, clue: string): string => {
        if (hasSecretMark(literal)) {
            for (const name of secretMarkNames(literal)) secrets.push({ variable: name, clue });
            return replaceSecretMarks(literal, reference);
        }
        secrets.push({ variable, literal, clue });
        return reference(variable);
    };
    const out = [...words];
    for (let index = 0; index < out.length; index += 1) {
        const word = out[index];
        const previous = index > 0 ? words[index - 1] : "";
        const equals = /^(--?[A-Za-z][A-Za-z0-9-]*)=(.*)$/s.exec(word);
        // A word starting with - is the next flag: the previous one was a switch (`mongod --auth --bind_ip_all`).
        if (index > 0 && !word.startsWith("-") && (SECRET_FLAGS.test(previous) || (previous === "-a" && REDIS_CLIENTS.test(program)) || (previous === "-p" && MYSQL_CLIENTS.test(program)))) {
            out[index] = take(word, flagVariable(previous, program), `the value of ${previous}`);
        } else if (equals && SECRET_FLAGS.test(equals[1])) {
            out[index] = `${equals[1]}=${take(equals[2], flagVariable(equals[1], program), `the value of ${equals[1]}`)}`;
        } else if (/^-p.+/.test(word) && MYSQL_CLIENTS.test(program)) {
            out[index] = `-p${take(word.slice(2), "MYSQL_PWD", "mysql's -p<password>")}`;
        } else if (CURL.test(program) && (previous === "-u" || previous === "--user") && word.includes(":")) {
            const colon = word.indexOf(":");
            out[index] = `${word.slice(0, colon + 1)}${take(word.slice(colon + 1), "CURL_PASSWORD", `the password of curl ${previous}`)}`;
        } else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) && looksLikeSecretName(word.slice(0, word.indexOf("=")))) {
            // `PGPASSWORD=x psql ...`, `env TOKEN=x cmd`: an assignment of a secret-looking variable.
            const name = word.slice(0, word.indexOf("="));
            out[index] = `${name}=${take(word.slice(name.length + 1), name, `the assignment of ${name}`)}`;
        } else {
            let replaced = word.replace(URL_PASSWORD, (_, head: string, password: string, at: string) => `${head}${take(password, "URL_PASSWORD", "a URL's password")}${at}`);
            if (hasSecretMark(replaced)) replaced = take(replaced, "", "an interpolated secret variable");
            out[index] = replaced;
        }
    }
    return { words: out, secrets: dedupe(secrets) };
}

/**
 * The same for a shell script (`sh -c "..."`, a CMD-SHELL healthcheck): the words are found as docker splits
 * them, and each literal is replaced in the script's text, so the script keeps its shape.
 */
export function redactScript(script: string, reference: (variable: string) => string): { script: string; secrets: CommandSecret[] } {
    let words: string[];
    try {
        words = splitShellWords(script.replace(/\u0000/g, "\u0001"));
    } catch {
        words = script.split(/\s+/);
    }
    // Commands chained with && ; | each start a program of their own.
    const secrets: CommandSecret[] = [];
    let start = 0;
    for (let index = 0; index <= words.length; index += 1) {
        if (index === words.length || /^(&&|\|\||;|\|)$/.test(words[index])) {
            secrets.push(...redactWords(words.slice(start, index).map((word) => word.replace(/\u0001/g, "\u0000")), reference).secrets);
            start = index + 1;
        }
    }
    let result = replaceSecretMarks(script, reference);
    for (const secret of secrets) {
        if (secret.literal !== undefined && secret.literal.length > 0) result = result.split(secret.literal).join(reference(secret.variable));
    }
    return { script: result, secrets: dedupe(secrets) };
}

/** One variable per literal: the same password twice is one secret. */
function dedupe(secrets: CommandSecret[]): CommandSecret[] {
    const seen = new Map<string, CommandSecret>();
    for (const secret of secrets) {
        const key = `${secret.variable}\u0000${secret.literal ?? ""}`;
        if (!seen.has(key)) seen.set(key, secret);
    }
    return [...seen.values()];
}
