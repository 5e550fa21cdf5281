/**
 * Runs one job of a `.gitlab-ci.yml` the way a GitLab runner would, in a sandbox: a fresh copy of the repository's
 * tracked files in a temporary directory (no build/, as a clone has none), the job's variables as GitLab computes
 * them (scripts/ci/gitlab-pipeline.ts, gitlab-context.ts), `before_script` and `script` concatenated in one bash
 * that stops at the first failing command (docs.gitlab.com/ci/yaml/#script, #before_script), and PATH starting with
 * the stand-ins of scripts/ci/standins (pulumi, npm, npx, curl), which record their arguments.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build, stop } from "esbuild";
import { parse, stringify } from "yaml";
import { type PipelineEvent, type ProjectVariable, predefinedVariables, visibleProjectVariables } from "../scripts/ci/gitlab-context";
import { type Pipeline, expandVariables, jobCommands, jobVariables, resolveJob } from "../scripts/ci/gitlab-pipeline";

export const ROOT = join(__dirname, "..");
const STANDINS = join(ROOT, "scripts", "ci", "standins");

/** What the operator has (or has not) done before the first remote run. */
export interface SitePreparation {
    /** Secrets encrypted in Pulumi.<stack>.yaml (`secure:`), as `pulumi config set --secret` leaves them. */
    secretsSet: boolean;
    /** agentPoolId and agentEgressAddress in deployments/Pulumi.main.yaml (inside each stack's admin CIDRs). */
    agentPools: boolean;
}

export interface Scenario {
    /** How every remote deployment ends in Pulumi Cloud; `crashed`: failed, with no result in its summary event. */
    deploymentResult?: "succeeded" | "failed" | "crashed";
    /** The repository's branch tips when the deployment starts (someone may have pushed since the pipeline). */
    branchTips?: Record<string, string>;
    site?: SitePreparation;
    /** Exit code of the offline plan (`npm run plan`). */
    planExit?: number;
}

export interface JobRun {
    exitCode: number;
    stdout: string;
    stderr: string;
    /** Each stand-in call: the tool's name, then its arguments. */
    calls: string[][];
    /** Each deployment the stand-in Pulumi Cloud received. */
    deployments: { stack: string; operation: string; commit: string; agentPool: string; result: string }[];
    /** The variables the job's shell received. */
    variables: Record<string, string>;
    /** The job's `artifacts:paths` (variables expanded) that exist after the run, as the runner would upload them. */
    artifacts: Record<string, string>;
}

/**
 * `npx tsx <file>` is esbuild's transform of the file, then node. The sandbox does the same once per test
 * process (bundled with esbuild, which tsx itself uses, packages left to node_modules), so that each job run
 * starts in node's time rather than tsx's; the stand-in npx runs a prebuilt file when there is one.
 * @pulumi/pulumi is marked free of side effects so that an import nothing on the entry's path uses is dropped
 * (components/config/secrets.ts needs it only for loadStackSecrets): loading it costs half a second and
 * changes no result; an entry that does use it still gets it.
 */
const PREBUILT_DIR = join(ROOT, "node_modules", ".cache", "gitlab-ci-sandbox");
const PREBUILT_ENTRIES = ["scripts/ci/preflight.ts"];
let prebuilt = false;
/** A fresh copy of the tracked files, made once and copied whole for each run. */
let template: string | undefined;

/** Removes the clone template; call it in `afterAll`. */
export function cleanSandbox(): void {
    if (template) {
        rmSync(template, { recursive: true, force: true });
        template = undefined;
    }
}

/** Builds the job entries and the clone template once; call it in `beforeAll` before any `runJob`. */
export async function prepareSandbox(): Promise<void> {
    template = mkdtempSync(join(tmpdir(), "gitlab-clone-"));
    for (const path of tracked()) {
        cpSync(join(ROOT, path), join(template, path));
    }
    for (const entry of PREBUILT_ENTRIES) {
        await build({
            entryPoints: [join(ROOT, entry)],
            outfile: join(PREBUILT_DIR, `${entry}.js`),
            bundle: true,
            platform: "node",
            format: "cjs",
            packages: "external",
            logLevel: "error",
            plugins: [
                {
                    name: "pulumi-sdk-side-effect-free",
                    setup(build) {
                        build.onResolve({ filter: /^@pulumi\/pulumi$/ }, (args) => ({ path: args.path, external: true, sideEffects: false }));
                    },
                },
            ],
        });
    }
    // The esbuild service is a child process: stop it so that jest's worker can exit.
    await stop();
    prebuilt = true;
}

let trackedFiles: string[] | undefined;
function tracked(): string[] {
    trackedFiles ??= spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
        .stdout.split("\0")
        .filter((path) => path !== "" && existsSync(join(ROOT, path)));
    return trackedFiles;
}

export const AGENT_POOLS: Record<string, { agentPoolId: string; agentEgressAddress: string }> = {
    // Inside each stack's access.adminCidrs: IJCLab campus 134.158.64.0/20, CC-IN2P3 operations 134.158.88.0/24.
    integration: { agentPoolId: "pool-ijclab", agentEgressAddress: "134.158.64.25" },
    preprod: { agentPoolId: "pool-ccin2p3", agentEgressAddress: "134.158.88.40" },
    prod: { agentPoolId: "pool-ccin2p3", agentEgressAddress: "134.158.88.40" },
};

function prepareSite(dir: string, site: SitePreparation): void {
    for (const stack of ["integration", "preprod", "prod"]) {
        if (site.secretsSet) {
            const path = join(dir, `Pulumi.${stack}.yaml`);
            const file = parse(readFileSync(path, "utf8")) as { config: Record<string, unknown> };
            // The object store's key pair too: preprod and prod back their database up (data.backup).
            for (const key of ["deployPrivateKey", "cloudCredentialId", "cloudCredentialSecret", "registryPassword", "backupAccessKeyId", "backupSecretAccessKey", "etcdBackupAccessKey", "etcdBackupSecretKey", "grafanaAdminPassword", "alertReceiverSecret"]) {
                file.config[`svom-fsgs:${key}`] = { secure: `v1:ciphertext-of-${key}` };
            }
            writeFileSync(path, stringify(file));
        }
    }
    if (site.agentPools) {
        const path = join(dir, "deployments", "Pulumi.main.yaml");
        const file = parse(readFileSync(path, "utf8")) as { config: Record<string, Record<string, Record<string, unknown>>> };
        for (const [stack, pool] of Object.entries(AGENT_POOLS)) {
            Object.assign(file.config["svom-fsgs-deployments:targets"][stack], pool);
        }
        writeFileSync(path, stringify(file));
    }
}

/** The Pulumi CLI version of a job's image (`pulumi/pulumi-nodejs:3.259.0`); undefined for an image without it. */
export function cliVersionOf(job: Record<string, unknown>): string | undefined {
    const image = job.image as string | { name?: string } | undefined;
    const name = typeof image === "string" ? image : image?.name;
    return /^pulumi\/pulumi(?:-[a-z]+)?:v?(\d+\.\d+\.\d+)/.exec(name ?? "")?.[1];
}

/** Runs `jobName` of `pipeline` for `event`, with the project's settings variables, in a fresh sandbox. */
export function runJob(
    pipeline: Pipeline,
    jobName: string,
    event: PipelineEvent,
    projectVariables: readonly ProjectVariable[],
    scenario: Scenario = {},
    matrix: Record<string, string> = {},
): JobRun {
    if (!prebuilt || !template) {
        throw new Error("call prepareSandbox() in beforeAll first");
    }
    const dir = mkdtempSync(join(tmpdir(), "gitlab-job-"));
    const work = join(dir, "project");
    try {
        cpSync(template, work, { recursive: true });
        symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"));
        prepareSite(work, scenario.site ?? { secretsSet: true, agentPools: true });

        const job = resolveJob(pipeline, jobName);
        const predefined = { ...predefinedVariables(event), CI_PROJECT_DIR: work, CI_JOB_NAME: jobName };
        const variables = jobVariables(pipeline, job, predefined, visibleProjectVariables(event, projectVariables), matrix);

        const log = join(dir, "calls.log");
        const deployments = join(dir, "deployments.tsv");
        const tips = join(dir, "branch-tips");
        writeFileSync(log, "");
        writeFileSync(deployments, "");
        writeFileSync(tips, Object.entries(scenario.branchTips ?? {}).map(([branch, sha]) => `${branch} ${sha}\n`).join(""));
        const script = join(dir, "job.sh");
        // One shell for before_script and script, stopping at the first command that fails, as the runner does.
        writeFileSync(script, ["set -e", ...jobCommands(job)].join("\n") + "\n");

        const result = spawnSync("bash", [script], {
            cwd: work,
            encoding: "utf8",
            timeout: 30_000,
            env: {
                ...variables,
                PATH: `${STANDINS}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
                HOME: dir,
                STANDIN_LOG: log,
                STANDIN_DEPLOYMENTS: deployments,
                STANDIN_BRANCH_TIPS: tips,
                STANDIN_DEPLOYMENT_RESULT: scenario.deploymentResult ?? "succeeded",
                STANDIN_PLAN_EXIT: String(scenario.planExit ?? 0),
                STANDIN_PULUMI_VERSION: cliVersionOf(job) ?? "",
                STANDIN_TSX: join(ROOT, "node_modules", ".bin", "tsx"),
                STANDIN_TSX_PREBUILT: PREBUILT_DIR,
            },
        });
        const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter((line) => line !== "");
        return {
            exitCode: result.status ?? -1,
            stdout: result.stdout,
            stderr: result.stderr,
            calls: lines(log).map((line) => line.split("\t")),
            deployments: lines(deployments).map((line) => {
                const [stack, operation, commit, agentPool, outcome] = line.split("\t");
                return { stack, operation, commit, agentPool, result: outcome };
            }),
            variables,
            artifacts: collectArtifacts(work, job, variables),
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Each existing path of `artifacts:paths`: a file's text, or a folder's file list. */
function collectArtifacts(work: string, job: Record<string, unknown>, variables: Record<string, string>): Record<string, string> {
    const paths = (job.artifacts as { paths?: string[] } | undefined)?.paths ?? [];
    const found: Record<string, string> = {};
    for (const path of paths.map((text) => expandVariables(text, variables))) {
        const full = join(work, path);
        if (existsSync(full)) {
            found[path] = statSync(full).isDirectory() ? readdirSync(full).join("\n") : readFileSync(full, "utf8");
        }
    }
    return found;
}
