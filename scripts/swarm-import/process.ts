import { childPath, HIDDEN } from "./findings";
import { isInRegistry, mirrorRepository, parseImageReference } from "./image";
import { durationSeconds } from "./quantities";
import { rewriteHostname } from "./routing";
import { secretFileTargets } from "./mounts";
import { containsCredentials, hasSecretMark, looksLikeSecretName, showSecretMarks } from "./secrets";
import { type CommandSecret, redactScript, redactWords } from "./command-secrets";
import { ShellWordsError, shellOperators, splitShellWords } from "./shell-words";
import { asText, environmentEntries, isRecord, isScalar, type ServiceContext } from "./context";

/** What the container runs: image, command, environment, user, healthcheck, stop behaviour. */

/** Stands for a tag the operator must still pin; it passes `imageTag` (it is not `latest`) and names no real build. */
export const UNPINNED_TAG = "unpinned";

export function mapImage(context: ServiceContext): void {
    const path = context.at("image");
    const reference = context.raw.image;
    if (typeof reference !== "string" || reference.trim() === "") {
        context.note(path, reference ?? null, "unmapped", "no image: docker stack deploy runs only images (it ignores `build`), and so does the catalog: no entry can be written until the service has an image in the registry");
        return;
    }
    const image = parseImageReference(reference.trim());
    const registry = context.stack.registry;
    const repository = registry && !isInRegistry(image, registry) ? mirrorRepository(image, registry) : `${image.host}/${image.path}`;
    const pinnedTag = image.tag !== undefined && image.tag !== "latest" ? image.tag : undefined;

    if (registry === undefined) {
        context.note(path, reference, "approximated", `catalog images come from the GitLab registry: mirror ${image.host}/${image.path} there and set image.repository (or import again with --registry)`);
    } else if (!isInRegistry(image, registry)) {
        context.note(path, reference, "approximated", `not in the GitLab registry: mirror it into the GitLab registry as ${repository}:${pinnedTag ?? "<tag>"}; the entry already names the mirror`);
    }
    if (image.digest && pinnedTag) {
        context.note(path, reference, "approximated", `pinned by digest ${image.digest} and tag ${pinnedTag}: the catalog pins by tag only; check that the tag still names that digest`);
    } else if (image.digest) {
        context.note(path, reference, "unmapped", `pinned by digest only (${image.digest}): the catalog pins by tag; set image.tag to the tag of that build (the entry says \`${UNPINNED_TAG}\`)`);
    } else if (!pinnedTag) {
        context.note(path, reference, "unmapped", `pin a tag: ${image.tag ? "`latest`" : "no tag, i.e. `latest`,"} changes under a running service; the entry says \`${UNPINNED_TAG}\`, which no registry has, until you set image.tag`);
    }
    context.draft.image = { repository, tag: pinnedTag ?? UNPINNED_TAG };
}

/** A compose `command` or `entrypoint`, as a list of words; undefined (with a finding) when it cannot be one. */
function words(context: ServiceContext, key: "command" | "entrypoint"): string[] | undefined {
    const path = context.at(key);
    const value = context.raw[key];
    if (Array.isArray(value)) {
        if (value.every(isScalar)) return value.map(String);
        context.note(path, shownRedacted(value), "unmapped", "a list holding something other than strings: write it by hand");
        return undefined;
    }
    if (typeof value !== "string") {
        context.note(path, shownRedacted(value), "unmapped", "expected a string or a list of strings");
        return undefined;
    }
    try {
        return splitShellWords(value);
    } catch (error) {
        if (!(error instanceof ShellWordsError)) throw error;
        context.note(path, shownRedacted(value), "unmapped", `cannot be split into words (${error.message}); docker stack deploy rejects it too: write it as a list`);
        return undefined;
    }
}

/** A field's value as the report may show it: credentials on its command lines replaced by the variables that now carry them. */
export function shownRedacted(value: unknown): unknown {
    if (typeof value === "string") return showSecretMarks(redactScript(value, (variable) => `\${${variable}}`).script);
    if (Array.isArray(value) && value.every(isScalar)) {
        // A healthcheck test: its first word says how the rest runs.
        const [first, ...rest] = value.map(String);
        if (first === "CMD-SHELL") return [first, ...rest.map((script) => shownRedacted(script))];
        if (first === "CMD") return [first, ...(showSecretMarks(redactWords(rest, (variable) => `\${${variable}}`).words) as string[])];
        return showSecretMarks(redactWords(value.map(String), (variable) => `\${${variable}}`).words);
    }
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shownRedacted(inner)]));
    return showSecretMarks(value);
}

/**
 * Each credential found on a command line goes to secretEnv (key = variable, in the service's `-env` Secret),
 * with one finding saying what to put in the Secret. Its literal is remembered so no other field writes it.
 */
export function referSecrets(context: ServiceContext, path: string, shown: unknown, secrets: readonly CommandSecret[], where: string): void {
    if (secrets.length === 0) return;
    const secret = envSecretName(context.name);
    for (const found of secrets) {
        context.draft.secretEnv[found.variable] ??= { secret, key: found.variable };
        if (found.literal !== undefined) context.secretLiterals.add(found.literal);
    }
    const keys = [...new Set(secrets.map((found) => found.variable))];
    const clues = [...new Set(secrets.map((found) => found.clue))].join(", ");
    context.note(
        path,
        shown,
        "unmapped",
        `a credential on the ${where} (${clues}): not written; it is replaced by ${where === "healthcheck" ? keys.map((key) => `\${${key}}`).join(", ") + " (the probe runs through /bin/sh, which expands it)" : keys.map((key) => `$(${key})`).join(", ") + " (Kubernetes expands it from the container's environment)"}, filled from secretEnv ${keys.join(", ")}. Create the Secret: kubectl -n ${context.namespace} create secret generic ${secret} ${keys.map((key) => `--from-literal=${key}=...`).join(" ")} (with the value Swarm used; add any other key of ${secret} to the same command)`,
    );
}

export function mapCommand(context: ServiceContext): void {
    // Docker's ENTRYPOINT is Kubernetes' command and CMD its args; both replace the image's, as in Docker.
    for (const [key, field] of [["entrypoint", "command"], ["command", "args"]] as const) {
        const raw = context.raw[key];
        if (raw === undefined) continue;
        const list = words(context, key);
        if (list === undefined) continue;
        if (list.length === 0) {
            context.note(context.at(key), raw, "unmapped", `empty: Docker then clears the image's ${key === "entrypoint" ? "ENTRYPOINT" : "CMD"}, Kubernetes keeps it; write the intended ${field} by hand`);
            continue;
        }
        const redacted = redactWords(list, (variable) => `$(${variable})`);
        const shown = shownRedacted(raw);
        referSecrets(context, context.at(key), shown, redacted.secrets, key);
        const operators = typeof raw === "string" ? shellOperators(raw) : [];
        if (operators.length > 0) {
            context.note(context.at(key), shown, "info", `split into ${JSON.stringify(showSecretMarks(redacted.words))} as docker does, without a shell: ${operators.map((operator) => `\`${operator}\``).join(", ")} reach the program as plain words, as they did under Swarm; if a shell was meant, write ["sh", "-c", "..."]`);
        }
        context.draft[field] = redacted.words;
    }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The Secret the importer proposes for a service's secret-looking variables. */
export function envSecretName(serviceName: string): string {
    return `${serviceName.slice(0, 59).replace(/-+$/, "")}-env`;
}

export function mapEnvironment(context: ServiceContext): void {
    const variables = environmentEntries(context);
    if (variables === undefined) {
        context.note(context.at("environment"), context.raw.environment, "unmapped", "expected a list of NAME=value or a map");
        return;
    }

    const secretFiles = secretFileTargets(context);
    const secret = envSecretName(context.name);
    for (const [name, value, path] of variables) {
        if (!ENV_NAME.test(name)) {
            context.note(path, name, "unmapped", "not a valid environment variable name for Kubernetes");
            continue;
        }
        const secretFile = value === undefined ? undefined : secretFiles.get(value);
        if (secretFile !== undefined) {
            // A path, no secret: secretFiles mounts the file there.
            context.draft.env[name] = value ?? "";
            context.note(path, value, "info", `names the file of the Swarm secret \`${secretFile}\`, which secretFiles mounts at the same path`);
            continue;
        }
        // A *_FILE variable holding a path names where a secret is, which is no secret itself.
        const namesAFile = /_FILE$/.test(name) && value?.startsWith("/") === true;
        const looksSecret = (looksLikeSecretName(name) && !namesAFile) || (value !== undefined && (containsCredentials(value) || hasSecretMark(value)));
        if (looksSecret) {
            context.draft.secretEnv[name] = { secret, key: name };
            context.note(path, HIDDEN, "unmapped", `looks like a secret: not copied into env; secretEnv ${name} refers to key ${name} of the Secret ${secret}, which you must create: kubectl -n ${context.namespace} create secret generic ${secret} --from-literal=${name}=...${value === undefined ? " (Swarm took the value from the shell running docker stack deploy)" : ""}`);
            continue;
        }
        if (value === undefined) {
            context.note(path, name, "unmapped", "no value: Swarm took it from the shell running docker stack deploy; set it in env by hand");
            continue;
        }
        const rewritten = rewriteHostname(context.stack, value);
        if (rewritten !== value) {
            context.note(path, value, "approximated", `names another service of the stack by its Swarm name: rewritten to ${rewritten}, its Service name in the namespace ${context.namespace}`);
        }
        context.draft.env[name] = rewritten;
    }
}

export function mapUser(context: ServiceContext): void {
    const path = context.at("user");
    const user = context.raw.user;
    if (user === undefined) {
        context.note(path, "(not set)", "info", "runs as the image's USER: the restricted Pod Security Standard needs a non-root numeric UID; if the image's USER is root or a name, set runAsUser");
        return;
    }
    const text = asText(user);
    const match = /^([0-9]+)(?::(.+))?$/.exec(text);
    if (!match) {
        const message = /^root(:|$)/.test(text)
            ? "runs as root, which the restricted Pod Security Standard forbids: the image must run as a non-root UID; set runAsUser to it"
            : "a user name: Kubernetes needs a numeric UID to enforce runAsNonRoot; find it with `docker run --rm --entrypoint id <image>` and set runAsUser";
        context.note(path, user, "unmapped", message);
        return;
    }
    const uid = Number(match[1]);
    if (uid === 0) {
        context.note(path, user, "unmapped", "runs as root (UID 0), which the restricted Pod Security Standard forbids: the image must run as a non-root UID; set runAsUser to it");
        return;
    }
    context.draft.runAsUser = uid;
    if (match[2] !== undefined) {
        context.note(path, user, "approximated", `UID ${uid} became runAsUser; the group ${match[2]} is dropped (the catalog has no runAsGroup): files the service reads must not rely on it`);
    }
}

/** Docker's healthcheck defaults, see the Dockerfile reference, HEALTHCHECK. */
const DOCKER_HEALTHCHECK_DEFAULTS = { interval: "30s", timeout: "30s", retries: 3, start_period: "0s" };

export function mapHealthcheck(context: ServiceContext): void {
    const path = context.at("healthcheck");
    const healthcheck = context.raw.healthcheck;
    if (!isRecord(healthcheck)) {
        context.note(path, healthcheck, "unmapped", "expected a map with `test`, `interval`...");
        return;
    }
    const test = healthcheck.test;
    if (healthcheck.disable === true || (Array.isArray(test) && test[0] === "NONE")) {
        context.note(path, healthcheck, "approximated", "the healthcheck is disabled: the Microservice's default probes apply (TCP on the first port)");
        return;
    }
    let command: string[] | undefined;
    if (typeof test === "string") {
        command = ["/bin/sh", "-c", test];
    } else if (Array.isArray(test) && test.every(isScalar) && test.length > 1) {
        const [kind, ...rest] = test.map(String);
        if (kind === "CMD") command = rest;
        else if (kind === "CMD-SHELL") command = ["/bin/sh", "-c", rest.join(" ")];
    }
    if (command === undefined) {
        const message = test === undefined
            ? "no `test`: Swarm ran the image's own HEALTHCHECK, which Kubernetes ignores: write the probe by hand"
            : "expected [CMD, ...], [CMD-SHELL, \"...\"], [NONE] or a string: write the probe by hand";
        context.note(childPath(path, "test"), test ?? null, "unmapped", message);
        return;
    }
    const redacted = redactProbe(command);
    referSecrets(context, path, shownRedacted(healthcheck), redacted.secrets, "healthcheck");
    context.draft.probe = { exec: { command: redacted.command } };

    const given = Object.fromEntries(Object.entries(healthcheck).filter(([key]) => key !== "test" && key !== "disable"));
    const timings = { ...DOCKER_HEALTHCHECK_DEFAULTS, ...given };
    const seconds = (key: "interval" | "timeout" | "start_period", minimum: number): number | undefined => {
        const value = durationSeconds(timings[key]);
        if (value === undefined) context.note(childPath(path, key), timings[key], "unmapped", "expected a duration like 30s: the Microservice's timing applies");
        return value === undefined ? undefined : Math.max(minimum, Math.ceil(value));
    };
    const retries = Number(timings.retries);
    // Kompose carries the same four (pkg/transformer/kubernetes/podspec.go configProbe); Docker's defaults when unset.
    context.draft.probeTiming = {
        periodSeconds: seconds("interval", 1),
        timeoutSeconds: seconds("timeout", 1),
        failureThreshold: Number.isInteger(retries) && retries >= 1 ? retries : undefined,
        initialDelaySeconds: seconds("start_period", 0),
    };
    for (const key of Object.keys(given)) {
        if (!["interval", "timeout", "retries", "start_period"].includes(key)) context.note(childPath(path, key), given[key], "unmapped", "a healthcheck setting the catalog's probes do not carry");
    }
    const joined = command.join(" ");
    const http = /\b(?:curl|wget)\b.*\bhttp:\/\/(?:localhost|127\.0\.0\.1)(?::([0-9]+))?(\/[^\s'"]*)?/.exec(joined);
    const httpHint = http
        ? ` It checks HTTP on localhost: an httpGet probe ({path: ${http[2] ?? "/"}, port: ${http[1] ?? "80"}}) would not need ${/\bcurl\b/.test(joined) ? "curl" : "wget"} in the image, if the app listens on the pod's address and not only on localhost.`
        : "";
    const timing = context.draft.probeTiming;
    context.note(
        path,
        shownRedacted(healthcheck),
        "approximated",
        `became the readiness and liveness exec probe ${JSON.stringify(showSecretMarks(redacted.command))} with Swarm's timings (probes.timing: every ${timing.periodSeconds ?? "?"}s, ${timing.timeoutSeconds ?? "?"}s allowed, failing after ${timing.failureThreshold ?? "?"} failures; liveness waits ${timing.initialDelaySeconds ?? "?"}s, the start_period): Swarm only marked the task unhealthy, Kubernetes also takes it out of its Service while the probe fails.${httpHint}`,
    );
}

/** Single-quotes a word for /bin/sh. */
function shellQuote(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * A probe command without its credentials. A shell script gets `${NAME}`; an exec list has no shell to expand
 * a variable (Kubernetes expands `$(NAME)` in command and args only), so one holding a credential runs through
 * /bin/sh, which the image needs.
 */
function redactProbe(command: string[]): { command: string[]; secrets: CommandSecret[] } {
    if (command.length === 3 && command[0] === "/bin/sh" && command[1] === "-c") {
        const { script, secrets } = redactScript(command[2], (variable) => `\${${variable}}`);
        return { command: ["/bin/sh", "-c", script], secrets };
    }
    const placeholder = (variable: string) => `\u0002${variable}\u0002`;
    const { words: redacted, secrets } = redactWords(command, placeholder);
    if (secrets.length === 0) return { command, secrets };
    const script = redacted.map((word) => shellQuote(word).replace(/\u0002([A-Za-z0-9_]+)\u0002/g, (_, variable: string) => `'"\${${variable}}"'`).replace(/^''|''$/g, "")).join(" ");
    return { command: ["/bin/sh", "-c", script], secrets };
}

/** Kubernetes' default terminationGracePeriodSeconds, see the Pod spec reference. */
const KUBERNETES_GRACE_SECONDS = 30;

export function mapStopGracePeriod(context: ServiceContext): void {
    const path = context.at("stop_grace_period");
    const value = context.raw.stop_grace_period;
    const seconds = durationSeconds(value);
    if (seconds === undefined) {
        context.note(path, value, "unmapped", "expected a duration like 1m30s: Kubernetes' 30s apply");
        return;
    }
    context.draft.terminationGracePeriodSeconds = Math.ceil(seconds);
    context.note(path, value, "info", `became terminationGracePeriodSeconds: ${Math.ceil(seconds)} (Kubernetes' default is ${KUBERNETES_GRACE_SECONDS}s)`);
}
