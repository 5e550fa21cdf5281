/**
 * What the jobs of .gitlab-ci.yml do, not how they look: each job's commands run in a sandbox shell
 * (tests/gitlab-ci-sandbox.ts) against stand-ins of the Pulumi CLI and npm that follow the real tools' exit
 * semantics (scripts/ci/standins), with the variables GitLab would give the pipeline. GITLAB_CI_FILE runs the
 * same tests against another file (e.g. `git show main:.gitlab-ci.yml`), to watch them fail on the old one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type PipelineEvent, type ProjectVariable, DEFAULT_BRANCH } from "../scripts/ci/gitlab-context";
import { type Pipeline, jobVariables, matrixOf, parsePipeline, plannedJobs, resolveJob } from "../scripts/ci/gitlab-pipeline";
import { predefinedVariables } from "../scripts/ci/gitlab-context";
import { AGENT_POOLS, type JobRun, ROOT, type Scenario, cleanSandbox, prepareSandbox, runJob } from "./gitlab-ci-sandbox";

const FILE = process.env.GITLAB_CI_FILE ?? join(ROOT, ".gitlab-ci.yml");
const pipeline: Pipeline = parsePipeline(readFileSync(FILE, "utf8"));

const PIPELINE_SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const LATER_SHA = "ffffffffffffffffffffffffffffffffffffffff";
const PREVIEW_TOKEN = "pul-preview-integration-only";
const DEPLOY_TOKEN = "pul-deploy-all-stacks";

/**
 * The project's settings variables, as the README asks to create them (the old file's PULUMI_ACCESS_TOKEN too, so
 * that each file runs with the variables it documents). Protected ones carry the power to reach preprod and prod.
 */
const SETTINGS: ProjectVariable[] = [
    { name: "PULUMI_ORG", value: "svom", protected: false },
    { name: "PULUMI_PREVIEW_TOKEN", value: PREVIEW_TOKEN, protected: false },
    { name: "PULUMI_DEPLOY_TOKEN", value: DEPLOY_TOKEN, protected: true },
    { name: "PULUMI_ACCESS_TOKEN", value: DEPLOY_TOKEN, protected: true },
];
const PROTECTED_VALUES = SETTINGS.filter((variable) => variable.protected).map((variable) => variable.value);

const PROTECTED_BRANCHES = [DEFAULT_BRANCH, "release"];
const mainPush: PipelineEvent = { source: "push", branch: DEFAULT_BRANCH, sha: PIPELINE_SHA, protectedBranches: PROTECTED_BRANCHES };
const ordinaryMergeRequest: PipelineEvent = {
    source: "merge_request_event",
    branch: "feature-x",
    sha: PIPELINE_SHA,
    protectedBranches: PROTECTED_BRANCHES,
    mergeRequest: { iid: 12, targetBranch: DEFAULT_BRANCH, fromFork: false },
    protectMergeRequestPipelines: true,
};
const forkMergeRequest: PipelineEvent = { ...ordinaryMergeRequest, mergeRequest: { iid: 13, targetBranch: DEFAULT_BRANCH, fromFork: true } };
const protectedMergeRequest: PipelineEvent = { ...ordinaryMergeRequest, branch: "release", mergeRequest: { iid: 14, targetBranch: DEFAULT_BRANCH, fromFork: false } };

interface RemoteJob {
    name: string;
    matrix: Record<string, string>;
    allowFailure: boolean;
}

/** The jobs of this pipeline in `stage` that act on `stack` (by matrix STACK, job STACK or environment). */
function jobsFor(event: PipelineEvent, stage: string, stack?: string): RemoteJob[] {
    const planned = plannedJobs(pipeline, predefinedVariables(event));
    return Object.entries(planned).flatMap(([name, { allowFailure }]) => {
        const job = resolveJob(pipeline, name);
        if (job.stage !== stage) {
            return [];
        }
        return matrixOf(job)
            .filter((matrix) => {
                const variables = jobVariables(pipeline, job, predefinedVariables(event), {}, matrix);
                return stack === undefined || (variables.STACK ?? variables.CI_ENVIRONMENT_NAME) === stack;
            })
            .map((matrix) => ({ name, matrix, allowFailure }));
    });
}

function onlyJob(event: PipelineEvent, stage: string, stack: string): RemoteJob {
    const found = jobsFor(event, stage, stack);
    expect(found.map((job) => job.name)).toHaveLength(1);
    return found[0];
}

const run = (job: RemoteJob, event: PipelineEvent, scenario: Scenario = {}): JobRun =>
    runJob(pipeline, job.name, event, SETTINGS, scenario, job.matrix);

const remoteRuns = (result: JobRun) => result.calls.filter((call) => call[0] === "pulumi" && call[1] === "deployment" && call[2] === "run");

beforeAll(prepareSandbox);
afterAll(cleanSandbox);

describe("the jobs of .gitlab-ci.yml, run in a sandbox", () => {
    it("a failed deployment fails the deploy job, and a failed preview fails the preview job", () => {
        const deploy = run(onlyJob(mainPush, "deploy", "integration"), mainPush, { deploymentResult: "failed" });
        expect(deploy.deployments).toHaveLength(1);
        expect(deploy.exitCode).not.toBe(0);

        const preview = run(onlyJob(ordinaryMergeRequest, "preview", "integration"), ordinaryMergeRequest, { deploymentResult: "failed" });
        expect(preview.deployments).toHaveLength(1);
        expect(preview.exitCode).not.toBe(0);
    });

    it("a deployment whose executor crashed fails the job, though the CLI itself exits 0 for it", () => {
        const result = run(onlyJob(mainPush, "deploy", "integration"), mainPush, { deploymentResult: "crashed" });
        expect(result.deployments.map((deployment) => deployment.result)).toEqual(["crashed"]);
        expect(result.exitCode).not.toBe(0);
        expect(result.stderr).toContain('deployment 1 of integration ended "failed", not "succeeded"');
    });

    it("a successful deployment passes the job, on the stack's own agent pool", () => {
        const deploy = run(onlyJob(mainPush, "deploy", "integration"), mainPush);
        expect([deploy.exitCode, deploy.stderr]).toEqual([0, ""]);
        expect(deploy.deployments).toEqual([
            { stack: "svom/svom-fsgs/integration", operation: "update", commit: PIPELINE_SHA, agentPool: AGENT_POOLS.integration.agentPoolId, result: "succeeded" },
        ]);
    });

    it("prod receives the pipeline's commit, even when main has moved on since the pipeline started", () => {
        const result = run(onlyJob(mainPush, "deploy", "prod"), mainPush, { branchTips: { [DEFAULT_BRANCH]: LATER_SHA } });
        expect(result.exitCode).toBe(0);
        expect(result.deployments.map((deployment) => [deployment.stack, deployment.commit])).toEqual([["svom/svom-fsgs/prod", PIPELINE_SHA]]);
    });

    it("a merge request of an ordinary branch sees no protected variable, and still previews integration", () => {
        const remote = jobsFor(ordinaryMergeRequest, "preview");
        const runs = remote.map((job) => run(job, ordinaryMergeRequest));
        for (const result of runs) {
            for (const value of PROTECTED_VALUES) {
                expect(Object.values(result.variables)).not.toContain(value);
                expect(JSON.stringify(result.calls)).not.toContain(value);
            }
        }
        // What it may preview, it previews, at its own commit, with the integration-only token.
        const wanted = onlyJob(ordinaryMergeRequest, "preview", "integration");
        const integration = runs[remote.findIndex((job) => job.name === wanted.name && JSON.stringify(job.matrix) === JSON.stringify(wanted.matrix))];
        expect(runs.flatMap((result) => result.deployments)).toEqual([
            { stack: "svom/svom-fsgs/integration", operation: "preview", commit: PIPELINE_SHA, agentPool: AGENT_POOLS.integration.agentPoolId, result: "succeeded" },
        ]);
        expect(remoteRuns(integration).map((call) => call[call.length - 1])).toEqual([`token=${PREVIEW_TOKEN}`]);
        // Jobs it may not run are not in its pipeline at all, rather than failing in it.
        expect(runs.filter((result) => result.exitCode !== 0)).toEqual([]);
    });

    it("a merged results pipeline previews the source branch's head, not GitLab's temporary merge commit", () => {
        const mergedResults: PipelineEvent = {
            ...ordinaryMergeRequest,
            mergeRequest: { iid: 15, targetBranch: DEFAULT_BRANCH, fromFork: false, mergedResultsCommit: LATER_SHA },
        };
        const result = run(onlyJob(mergedResults, "preview", "integration"), mergedResults);
        expect(result.exitCode).toBe(0);
        expect(result.deployments.map((deployment) => deployment.commit)).toEqual([PIPELINE_SHA]);
    });

    it("a protected pipeline previews preprod and prod at its commit before they are promoted", () => {
        const runs = [
            run(onlyJob(mainPush, "preview", "preprod"), mainPush),
            run(onlyJob(mainPush, "preview", "prod"), mainPush),
            run(onlyJob(protectedMergeRequest, "preview", "prod"), protectedMergeRequest),
        ];
        expect(runs.map((result) => result.exitCode)).toEqual([0, 0, 0]);
        expect(runs.flatMap((result) => result.deployments.map((deployment) => [deployment.stack, deployment.operation, deployment.commit]))).toEqual([
            ["svom/svom-fsgs/preprod", "preview", PIPELINE_SHA],
            ["svom/svom-fsgs/prod", "preview", PIPELINE_SHA],
            ["svom/svom-fsgs/prod", "preview", PIPELINE_SHA],
        ]);
        expect(runs.flatMap(remoteRuns).map((call) => call[call.length - 1])).toEqual(Array(3).fill(`token=${DEPLOY_TOKEN}`));
    });

    it("a merge request from a fork is refused clearly, without a remote run and without blocking the merge request", () => {
        const jobs = jobsFor(forkMergeRequest, "preview");
        const runs = jobs.map((job) => run(job, forkMergeRequest));
        expect(runs.flatMap(remoteRuns)).toEqual([]);
        expect(runs.length).toBeGreaterThan(0);
        for (const [index, result] of runs.entries()) {
            expect(result.exitCode).not.toBe(0);
            expect(result.stderr).toMatch(/refused: merge request !13 comes from a fork/);
            expect(jobs[index].allowFailure).toBe(true);
        }
    });

    it("refuses a remote run while the stack file lacks its encrypted secrets, naming each key and the command", () => {
        const result = run(onlyJob(mainPush, "deploy", "integration"), mainPush, { site: { secretsSet: false, agentPools: true } });
        expect(result.exitCode).not.toBe(0);
        expect(remoteRuns(result)).toEqual([]);
        for (const key of ["deployPrivateKey", "cloudCredentialId", "cloudCredentialSecret", "registryPassword"]) {
            expect(result.stderr).toContain(`pulumi config set --stack integration --secret ${key}`);
        }
    });

    it("refuses a remote run while the stack has no self-hosted agent pool inside its site", () => {
        const result = run(onlyJob(mainPush, "deploy", "integration"), mainPush, { site: { secretsSet: true, agentPools: false } });
        expect(result.exitCode).not.toBe(0);
        expect(remoteRuns(result)).toEqual([]);
        expect(result.stderr).toContain("svom-fsgs-deployments:targets.integration.agentPoolId");
        expect(result.stderr).toContain("svom-fsgs-deployments:targets.integration.agentEgressAddress");
    });

    it("plan:compare writes its artifact on a fresh clone, and fails when the comparison fails", () => {
        const compare = onlyJobByName(ordinaryMergeRequest, "plan:compare");
        const result = run(compare, ordinaryMergeRequest);
        expect(result.exitCode).toBe(0);
        expect(result.artifacts["build/preprod-vs-prod.txt"]).toContain("offline plan (stand-in) of: --compare preprod prod");

        const failed = run(compare, ordinaryMergeRequest, { planExit: 1 });
        expect(failed.exitCode).not.toBe(0);
    });
});

function onlyJobByName(event: PipelineEvent, name: string): RemoteJob {
    const planned = plannedJobs(pipeline, predefinedVariables(event));
    expect(Object.keys(planned)).toContain(name);
    return { name, matrix: {}, allowFailure: planned[name].allowFailure };
}

describe("the Pulumi CLI of the remote jobs", () => {
    it("is refused when older than 3.256.0, which exits 0 on a failed deployment", () => {
        const old = parsePipeline(readFileSync(FILE, "utf8").replace(/pulumi\/pulumi-nodejs:[0-9.]+/g, "pulumi/pulumi-nodejs:3.248.0"));
        const result = runJob(old, onlyJob(mainPush, "deploy", "integration").name, mainPush, SETTINGS, { deploymentResult: "failed" });
        expect(result.exitCode).not.toBe(0);
        expect(result.deployments).toEqual([]);
        expect(result.stderr).toMatch(/3\.248\.0 exits 0 when a deployment fails/);
    });
});
