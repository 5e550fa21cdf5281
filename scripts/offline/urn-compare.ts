import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Plan, describeStep, planSteps } from "./lifecycle/engine";
import { type Render, renderProgram } from "./render";
import { type readStackFiles } from "./stack-files";

/**
 * Does a code change (a refactor) keep every resource of every stack? Renders the program of a base revision
 * (extracted with `git archive` under build/urn-base/<commit>/, resolving the same node_modules) and the
 * working tree's program in one process (secret digests are keyed per process), then asks the lifecycle
 * engine what a no-op `up` from the base's registrations to the new ones would do. Every base URN must still
 * be registered or be carried by an alias (the engine then matches it: no delete); no resource may be replaced.
 *
 *   npx tsx scripts/offline/urn-compare.ts --base main [--stack prod ...] [--out build/refactor-baseline]
 *
 * Exit 0 when no stack loses or replaces a resource, 1 otherwise.
 */

const ROOT = join(__dirname, "..", "..");
/**
 * Commands are the one kind of resource whose replacement is its purpose: a new trigger runs them again
 * (pulumi-command 1.2.1: `triggers` replace the resource). Such a step is a re-run, reported, not a lost resource.
 */
const RERUN_TYPES = new Set(["command:remote:Command", "command:local:Command", "command:remote:CopyToRemote"]);
const STACKS = ["integration", "preprod", "prod"] as const;

/** The program of one tree, rendered with that tree's stack files. */
async function renderTree(root: string, stack: string): Promise<Render> {
    // The tree's own reader: the secrets' placeholders are the ones that tree's validation accepts.
    const reader = (await import(join(root, "scripts", "offline", "stack-files"))) as { readStackFiles: typeof readStackFiles };
    const files = reader.readStackFiles(root, stack);
    const module = (await import(join(root, "components", "stack"))) as { buildStack: () => unknown };
    const render = await renderProgram({ ...files, stack, program: () => module.buildStack() });
    // Paths inside inputs (archives of the playbooks) name the tree they were rendered from, not a change.
    return JSON.parse(JSON.stringify(render).split(root).join(ROOT)) as Render;
}

/** The base revision's files, extracted once per commit. */
function baseTree(revision: string): { commit: string; root: string } {
    const commit = execFileSync("git", ["-C", ROOT, "rev-parse", "--verify", `${revision}^{commit}`], { encoding: "utf8" }).trim();
    const root = join(ROOT, "build", "urn-base", commit);
    if (!existsSync(join(root, "components", "stack.ts"))) {
        mkdirSync(root, { recursive: true });
        const archive = execFileSync("git", ["-C", ROOT, "archive", commit], { maxBuffer: 1 << 30 });
        execFileSync("tar", ["-x", "-C", root], { input: archive });
    }
    return { commit, root };
}

export interface UrnComparison {
    stack: string;
    before: number;
    after: number;
    /** Base URNs the new program registers under another URN, with an alias naming the old one. */
    aliased: string[];
    /** Base URNs the engine would delete or replace: the refactor would touch a real resource. */
    lost: string[];
    /** Commands the change runs again (replaced through their triggers): listed for the reviewer, not lost. */
    reruns: string[];
    /**
     * Kept resources whose explicit provider reference changed: the engine diffs them with another provider
     * and replaces them unless it is the same provider resource (pulumi/pulumi step_generator.go, "provider
     * changed"), so the lifecycle engine's input diff alone would miss it.
     */
    providerChanged: string[];
    plan: Plan;
}

/** What a no-op `up` from `before` to `after` does to the resources that existed before. */
export function compareUrns(stack: string, before: Render, after: Render): UrnComparison {
    const plan = planSteps(before, after);
    const afterUrns = new Set(after.resources.map((resource) => resource.urn));
    const deleted = new Set(plan.steps.filter((step) => step.kind === "delete").map((step) => step.urn));
    const replacements = plan.steps.filter((step) => step.kind === "replace");
    const replaced = replacements.filter((step) => !RERUN_TYPES.has(step.type)).map((step) => step.urn);
    const missing = before.resources.map((resource) => resource.urn).filter((urn) => !afterUrns.has(urn));
    const providers = new Map(after.resources.map((resource) => [resource.urn, resource.provider]));
    const providerChanged = before.resources
        .filter((resource) => afterUrns.has(resource.urn) && providers.get(resource.urn) !== resource.provider)
        .map((resource) => `${resource.urn} (${resource.provider ?? "default provider"} -> ${providers.get(resource.urn) ?? "default provider"})`);
    return {
        stack,
        before: before.resources.length,
        after: after.resources.length,
        aliased: missing.filter((urn) => !deleted.has(urn)),
        lost: [...deleted, ...replaced].sort(),
        reruns: replacements.filter((step) => RERUN_TYPES.has(step.type)).map((step) => step.urn),
        providerChanged,
        plan,
    };
}

/** The comparison as a reviewer reads it: counts, then every step but the creates' details. */
export function summarise(comparison: UrnComparison): string[] {
    const count = (kind: string) => comparison.plan.steps.filter((step) => step.kind === kind).length;
    return [
        `${comparison.stack}: ${comparison.before} URNs before, ${comparison.after} after; ${comparison.aliased.length} kept through an alias; ` +
            `${count("create")} create, ${count("update")} update, ${count("replace")} replace (${comparison.reruns.length} of them commands run again), ${count("delete")} delete`,
        ...comparison.aliased.map((urn) => `  alias keeps ${urn}`),
        ...comparison.plan.steps.map((step) => `  ${describeStep(step)}`),
        ...comparison.providerChanged.map((change) => `  PROVIDER CHANGED ${change}`),
        ...comparison.lost.map((urn) => `  LOST ${urn}`),
    ];
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: { base: { type: "string", default: "main" }, stack: { type: "string", multiple: true }, out: { type: "string" } },
    });
    const base = baseTree(values.base ?? "main");
    const stacks = values.stack ?? [...STACKS];
    let failed = false;
    console.log(`Base ${values.base ?? "main"} (${base.commit.slice(0, 12)}) against the working tree`);
    for (const stack of stacks) {
        const before = await renderTree(base.root, stack);
        const after = await renderTree(ROOT, stack);
        const comparison = compareUrns(stack, before, after);
        console.log(summarise(comparison).join("\n"));
        failed ||= comparison.lost.length > 0 || comparison.providerChanged.length > 0 || comparison.plan.refusals.length > 0;
        if (values.out) {
            mkdirSync(values.out, { recursive: true });
            writeFileSync(join(values.out, `${stack}-before.json`), `${JSON.stringify(before, null, 1)}\n`);
            writeFileSync(join(values.out, `${stack}-after.json`), `${JSON.stringify(after, null, 1)}\n`);
            writeFileSync(join(values.out, `${stack}-comparison.txt`), `${summarise(comparison).join("\n")}\n`);
        }
    }
    console.log(failed ? "FAIL: the change would delete or replace resources" : "OK: every resource is kept, none replaced (commands run again are listed above)");
    return failed ? 1 : 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(error);
            process.exit(1);
        },
    );
}
