/**
 * What GitLab makes of `.gitlab-ci.yml` for one pipeline, as plain data: which jobs it creates, each job with its
 * `extends` and `default` merged, and the variables its shell sees. Pure: no GitLab, no runner; the job tests
 * run the resolved scripts in a sandbox shell. Only the features this repository's file uses are modelled, and
 * anything else is refused rather than guessed.
 */
import { parse } from "yaml";

export type Yaml = Record<string, unknown>;

/** Top-level keywords that are not jobs (docs.gitlab.com/ci/yaml/#global-keywords). */
const GLOBAL_KEYWORDS = new Set(["stages", "workflow", "variables", "default", "include", "image", "services", "cache", "before_script", "after_script"]);

/** Keys a job takes from `default:` when it does not set them itself (docs.gitlab.com/ci/yaml/#default). */
const DEFAULT_KEYS = ["image", "before_script", "after_script", "interruptible", "cache", "services", "tags", "timeout", "retry", "artifacts", "hooks", "id_tokens"];

export interface Pipeline {
    /** The file as parsed, anchors and `<<` merge keys applied. */
    raw: Yaml;
    /** Names of the visible jobs, in file order. */
    jobs: string[];
}

export function parsePipeline(text: string): Pipeline {
    const raw = parse(text, { merge: true }) as Yaml;
    const jobs = Object.keys(raw).filter((key) => !GLOBAL_KEYWORDS.has(key) && !key.startsWith("."));
    return { raw, jobs };
}

const isHash = (value: unknown): value is Yaml => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * GitLab's `extends` merge: a reverse deep merge where hashes merge key by key and everything else (arrays
 * included) is replaced by the more specific side (docs.gitlab.com/ci/yaml/yaml_optimization/#merge-details).
 */
export function deepMerge(base: Yaml, override: Yaml): Yaml {
    const merged: Yaml = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = merged[key];
        merged[key] = isHash(current) && isHash(value) ? deepMerge(current, value) : value;
    }
    return merged;
}

function withExtends(pipeline: Pipeline, name: string, seen: readonly string[]): Yaml {
    if (seen.includes(name)) {
        throw new Error(`extends loop in .gitlab-ci.yml: ${[...seen, name].join(" -> ")}`);
    }
    const job = pipeline.raw[name];
    if (!isHash(job)) {
        throw new Error(`.gitlab-ci.yml has no job or template ${name}`);
    }
    // `extends` takes a name or a list; later entries override earlier ones, the job overrides them all.
    const parents = ([] as string[]).concat((job.extends as string | string[] | undefined) ?? []);
    const inherited = parents.reduce<Yaml>((merged, parent) => deepMerge(merged, withExtends(pipeline, parent, [...seen, name])), {});
    const own = { ...job };
    delete own.extends;
    return deepMerge(inherited, own);
}

/** A job as the runner gets it: its templates merged, then the `default:` keys it does not set itself. */
export function resolveJob(pipeline: Pipeline, name: string): Yaml {
    const job = withExtends(pipeline, name, []);
    const defaults = isHash(pipeline.raw.default) ? pipeline.raw.default : {};
    for (const key of DEFAULT_KEYS) {
        if (!(key in job) && key in defaults) {
            job[key] = defaults[key];
        }
    }
    return job;
}

/** CI/CD variables as a job sees them; a variable that is not defined is absent. */
export type Variables = Record<string, string>;

type Token = { kind: "var"; name: string } | { kind: "str"; value: string } | { kind: "null" } | { kind: "op"; op: string };

function tokenize(expression: string): Token[] {
    const tokens: Token[] = [];
    const pattern = /\s*(?:\$\{?(\w+)\}?|"([^"]*)"|'([^']*)'|(null)\b|(==|!=|&&|\|\||\(|\)))/y;
    let index = 0;
    while (index < expression.length) {
        if (/^\s*$/.test(expression.slice(index))) {
            break;
        }
        pattern.lastIndex = index;
        const match = pattern.exec(expression);
        if (!match) {
            // =~ and !~ (regular expressions) are not used by this repository's file: refuse, do not guess.
            throw new Error(`unsupported rule expression in .gitlab-ci.yml: ${expression}`);
        }
        index = pattern.lastIndex;
        if (match[1] !== undefined) tokens.push({ kind: "var", name: match[1] });
        else if (match[2] !== undefined) tokens.push({ kind: "str", value: match[2] });
        else if (match[3] !== undefined) tokens.push({ kind: "str", value: match[3] });
        else if (match[4] !== undefined) tokens.push({ kind: "null" });
        else tokens.push({ kind: "op", op: match[5] });
    }
    return tokens;
}

/**
 * Evaluates a `rules:if` expression (docs.gitlab.com/ci/jobs/job_rules/#cicd-variable-expressions): `$A == "x"`,
 * `$A != $B`, `$A == null`, a bare `$A` (true when defined and non-empty), `&&` binding tighter than `||`, and
 * parentheses. An undefined variable equals `null` and no string.
 */
export function evaluateRule(expression: string, variables: Variables): boolean {
    const tokens = tokenize(expression);
    let position = 0;
    const peek = () => tokens[position];
    const isOp = (op: string) => peek()?.kind === "op" && (peek() as { op: string }).op === op;

    const operand = (): string | null => {
        const token = tokens[position++];
        if (token?.kind === "var") return variables[token.name] ?? null;
        if (token?.kind === "str") return token.value;
        if (token?.kind === "null") return null;
        throw new Error(`unsupported rule expression in .gitlab-ci.yml: ${expression}`);
    };
    const primary = (): boolean => {
        if (isOp("(")) {
            position++;
            const value = disjunction();
            if (!isOp(")")) throw new Error(`unbalanced parentheses in rule: ${expression}`);
            position++;
            return value;
        }
        const left = operand();
        if (isOp("==") || isOp("!=")) {
            const negate = isOp("!=");
            position++;
            const equal = left === operand();
            return negate ? !equal : equal;
        }
        return left !== null && left !== "";
    };
    const conjunction = (): boolean => {
        let value = primary();
        while (isOp("&&")) {
            position++;
            value = primary() && value;
        }
        return value;
    };
    const disjunction = (): boolean => {
        let value = conjunction();
        while (isOp("||")) {
            position++;
            value = conjunction() || value;
        }
        return value;
    };
    const result = disjunction();
    if (position !== tokens.length) {
        throw new Error(`unsupported rule expression in .gitlab-ci.yml: ${expression}`);
    }
    return result;
}

export interface Rule {
    if?: string;
    when?: string;
    allow_failure?: boolean;
    variables?: Record<string, string>;
}

/** The first rule that matches, as GitLab picks it; undefined when none does (the job is not created). */
export function firstMatchingRule(rules: readonly Rule[], variables: Variables): Rule | undefined {
    return rules.find((rule) => rule.if === undefined || evaluateRule(rule.if, variables));
}

export interface PlannedJob {
    /** `on_success` or `manual`. */
    when: string;
    allowFailure: boolean;
}

/**
 * The jobs a pipeline with these predefined variables contains: none when `workflow:rules` match nothing, and
 * for each job its first matching rule (`when: never` drops it). A manual job defaults to allow_failure: true
 * unless a rule says otherwise (docs.gitlab.com/ci/yaml/#allow_failure).
 */
export function plannedJobs(pipeline: Pipeline, variables: Variables): Record<string, PlannedJob> {
    const workflow = (pipeline.raw.workflow as { rules?: Rule[] } | undefined)?.rules;
    if (workflow && !firstMatchingRule(workflow, variables)) {
        return {};
    }
    const planned: Record<string, PlannedJob> = {};
    for (const name of pipeline.jobs) {
        const job = resolveJob(pipeline, name);
        const rules = job.rules as Rule[] | undefined;
        const rule = rules ? firstMatchingRule(rules, variables) : {};
        if (!rule || rule.when === "never") {
            continue;
        }
        const when = rule.when ?? (job.when as string | undefined) ?? "on_success";
        const allowFailure = rule.allow_failure ?? (job.allow_failure as boolean | undefined) ?? when === "manual";
        planned[name] = { when, allowFailure };
    }
    return planned;
}

/** The `parallel:matrix` combinations of a job, each a set of variables; one empty set without a matrix. */
export function matrixOf(job: Yaml): Variables[] {
    const matrix = (job.parallel as { matrix?: Record<string, string | string[]>[] } | undefined)?.matrix;
    if (!matrix) {
        return [{}];
    }
    return matrix.flatMap((entry) =>
        Object.entries(entry).reduce<Variables[]>(
            (combinations, [key, values]) =>
                combinations.flatMap((combination) => ([] as string[]).concat(values).map((value) => ({ ...combination, [key]: value }))),
            [{}],
        ),
    );
}

/** `$NAME` and `${NAME}` replaced as GitLab expands YAML-defined variables; an undefined one becomes empty. */
export function expandVariables(text: string, variables: Variables): string {
    return text.replace(/\$\{?(\w+)\}?/g, (_, name: string) => variables[name] ?? "");
}

/**
 * The variables a job's shell sees, lowest precedence first (docs.gitlab.com/ci/variables/#cicd-variable-precedence):
 * predefined, then the file's global `variables:`, the job's own and its matrix values, then the project's
 * settings variables (which the caller has already filtered for protection). `CI_ENVIRONMENT_NAME` is
 * predefined for a job with an `environment:`.
 */
export function jobVariables(
    pipeline: Pipeline,
    job: Yaml,
    predefined: Variables,
    projectVariables: Variables,
    matrix: Variables = {},
): Variables {
    const environment = job.environment as { name?: string } | string | undefined;
    const environmentName = typeof environment === "string" ? environment : environment?.name;
    const variables: Variables = { ...predefined, ...(environmentName ? { CI_ENVIRONMENT_NAME: environmentName } : {}) };
    const layers = [pipeline.raw.variables, job.variables, matrix] as (Record<string, unknown> | undefined)[];
    for (const layer of layers) {
        for (const [key, value] of Object.entries(layer ?? {})) {
            // A variable may be written `NAME: {value: ..., description: ...}` (docs.gitlab.com/ci/yaml/#variables).
            const raw: unknown = isHash(value) ? value.value : value;
            const text = typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean" ? String(raw) : "";
            variables[key] = expandVariables(text, variables);
        }
    }
    return { ...variables, ...projectVariables };
}

/** `before_script` then `script`: the runner concatenates them and runs them in one shell (docs.gitlab.com/ci/yaml/#before_script). */
export function jobCommands(job: Yaml): string[] {
    const lines = (key: string) => ([] as string[]).concat((job[key] as string | string[] | undefined) ?? []);
    return [...lines("before_script"), ...lines("script")];
}
