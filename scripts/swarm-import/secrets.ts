/** Telling values that look like credentials, so that neither entries nor reports carry them. */

/** Names that usually hold credentials: their values never go into `env`, which is plain text in Git. */
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL/i;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i;

export function looksLikeSecretName(name: string): boolean {
    return SECRET_NAME.test(name);
}

/** A URL with a password in it, e.g. `postgresql://user:password@host/db`. */
export function containsCredentials(value: string): boolean {
    return URL_WITH_PASSWORD.test(value);
}
