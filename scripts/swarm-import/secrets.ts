/** Telling values that look like credentials, so that neither entries nor reports carry them. */

/**
 * Names that usually hold credentials: their values never go into `env`, which is plain text in Git.
 * `PASS` alone only as a word of the name (`SMTP_PASS`, `RABBITMQ_DEFAULT_PASS`), not inside `PASSIVE_MODE`.
 */
const SECRET_NAME = /PASSWORD|PASSWD|PASSPHRASE|(^|_)PASS($|_)|(^|_)PWD($|_)|SECRET|TOKEN|KEY|CREDENTIAL|WEBHOOK|(^|_)AUTH($|_)/i;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i;
/** Webhook URLs whose path is the credential (anyone holding the URL can post), e.g. Slack's "Incoming webhooks". */
const WEBHOOK_URL = /https?:\/\/(hooks\.slack\.com\/services\/|(discord|discordapp)\.com\/api\/webhooks\/|[a-z0-9-]+\.webhook\.office\.com\/|outlook\.office\.com\/webhook\/|api\.telegram\.org\/bot)/i;

export function looksLikeSecretName(name: string): boolean {
    return SECRET_NAME.test(name);
}

/** A URL with a password in it (`postgresql://user:password@host/db`), or a webhook URL that is its own credential. */
export function containsCredentials(value: string): boolean {
    return URL_WITH_PASSWORD.test(value) || WEBHOOK_URL.test(value);
}

/**
 * An interpolated variable that holds a secret is never substituted: the importer puts this mark in its place,
 * and each field turns the mark into a reference (secretEnv, `$(NAME)` in command and args, `${NAME}` in a probe's
 * shell) or a placeholder. NUL cannot occur in a YAML string read from a stack file, so a mark is never text.
 */
const MARK = /\u0000secret:([A-Za-z_][A-Za-z0-9_]*)\u0000/g;

export function secretMark(variable: string): string {
    return `\u0000secret:${variable}\u0000`;
}

export function hasSecretMark(text: string): boolean {
    return text.includes("\u0000secret:");
}

/** Replaces each mark by what `reference` makes of its variable's name. */
export function replaceSecretMarks(text: string, reference: (variable: string) => string): string {
    return text.replace(MARK, (_, variable: string) => reference(variable));
}

/** The variables whose marks a text holds. */
export function secretMarkNames(text: string): string[] {
    return [...text.matchAll(MARK)].map((match) => match[1]);
}

/** A text as the report may show it: marks as `${NAME}`, the variable the secret came from. */
export function showSecretMarks(value: unknown): unknown {
    if (typeof value === "string") return replaceSecretMarks(value, (variable) => `\${${variable}}`);
    if (Array.isArray(value)) return value.map(showSecretMarks);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]: [string, unknown]) => [key, showSecretMarks(inner)]));
    return value;
}
