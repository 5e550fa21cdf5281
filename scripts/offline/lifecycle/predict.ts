import { parseCidr } from "../../../components/config/cidr";
import { readNamespacedConfig } from "../../../components/config/load";
import { buildStack } from "../../../components/stack";
import { type Render, renderProgram } from "../render";
import { readStackFiles, secretTexts } from "../stack-files";
import { Deployment } from "./deploy";
import { describeStep, planSteps } from "./engine";
import { type Setting, applySetting } from "./settings";

export interface Prediction {
    lines: string[];
    /** The engine refuses the steps, or the fake cloud fails them. */
    rejected: boolean;
}

/** Renders a stack from its files, with settings applied to its svom-fsgs config. */
export async function renderWithSettings(root: string, stack: string, settings: readonly Setting[]): Promise<Render> {
    const files = readStackFiles(root, stack);
    const config = readNamespacedConfig(files.config);
    for (const setting of settings) {
        applySetting(config, setting);
    }
    const texts = Object.fromEntries(
        Object.entries(config).map(([key, value]) => [`${files.project}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
    );
    const secrets = secretTexts(files, config.access);
    return renderProgram({ project: files.project, stack, config: { ...texts, ...secrets }, secretKeys: files.secretKeys, program: buildStack });
}

/** An operator's address, where `pulumi up` runs from: the tenth of the first IPv4 admin network. */
export function runnerAddress(adminCidrs: readonly string[]): string {
    const block = adminCidrs.map((cidr) => parseCidr(cidr)).find((cidr) => cidr?.family === 4);
    if (!block) {
        throw new Error("no IPv4 admin network to run from");
    }
    const value = block.network + 10n;
    return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 255n).toString()).join(".");
}

function runnerOf(render: Render, root: string): string {
    const access = readNamespacedConfig(readStackFiles(root, render.stack).config).access as { adminCidrs?: string[] } | undefined;
    return runnerAddress(access?.adminCidrs ?? []);
}

/** A reviewer's warning when the program's commands would present a key some servers do not accept. */
function lockOutLines(servers: readonly string[]): string[] {
    if (servers.length === 0) {
        return [];
    }
    return [
        `LOCKED OUT: ${servers.length} server(s) would refuse the deploy key the program logs in with: ${servers.join(", ")}.`,
        "Servers keep the key they booted with; rotate in two phases (README, \"Rotating the deploy key\"): first up with the new key and",
        "the old one as the secret deployPreviousPrivateKey, then remove deployPreviousPrivateKey and up again.",
    ];
}

/**
 * What an `up` (or `destroy`) would do after a config change: the engine's steps from the committed config
 * to the changed one, and whether a fake OpenStack project, first brought up with the committed config,
 * accepts them.
 */
export async function predict(
    root: string,
    stack: string,
    options: { settings: readonly Setting[]; replace: readonly string[]; destroy: boolean },
): Promise<Prediction> {
    const before = await renderWithSettings(root, stack, []);
    const after = options.destroy ? undefined : options.settings.length > 0 ? await renderWithSettings(root, stack, options.settings) : before;
    const plan = planSteps(before, after, { replace: options.replace });
    const port = (before.outputs.apiEndpoint?.value as { port?: number } | undefined)?.port ?? 6443;
    const deployment = new Deployment(runnerOf(before, root), port);
    const first = deployment.apply(planSteps(undefined, before));
    const outcome = deployment.apply(plan);
    const counts = ["create", "update", "replace", "delete"].map((kind) => `${plan.steps.filter((step) => step.kind === kind).length} to ${kind}`);
    const lines = [
        `${options.destroy ? "destroy" : "up"} of ${stack}${options.settings.map((setting) => ` --set ${setting.key}=${JSON.stringify(setting.value)}`).join("")}${options.replace.map((name) => ` --replace ${name}`).join("")}`,
        `Steps the engine would take (${counts.join(", ")}):`,
        ...(plan.steps.length === 0 ? ["  (none: nothing changes, no command runs)"] : plan.steps.map((step) => `  ${describeStep(step)}`)),
        "",
        first.ok ? "" : `The committed config's first up already fails in the fake cloud: ${first.error}`,
        outcome.ok
            ? "The fake OpenStack accepts these steps."
            : `The ${plan.refusals.length > 0 ? "engine refuses" : "fake OpenStack refuses"}: ${outcome.error ?? ""}`,
        ...lockOutLines(deployment.lockedOut(after?.resources ?? [])),
    ].filter((line, index, all) => line !== "" || (index > 0 && all[index - 1] !== ""));
    return { lines, rejected: !outcome.ok };
}
