import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type PipelineEvent, predefinedVariables } from "../scripts/ci/gitlab-context";
import { parsePipeline, plannedJobs, resolveJob } from "../scripts/ci/gitlab-pipeline";
import { ROOT } from "./gitlab-ci-sandbox";

type Job = Record<string, any>;
const text = readFileSync(join(ROOT, ".gitlab-ci.yml"), "utf8");
const pipeline = parsePipeline(text);
const resolved = (name: string): Job => resolveJob(pipeline, name);
const jobs = pipeline.jobs;

/** Which jobs a pipeline of this event has, and how each starts (`on_success` or `manual`). */
function planned(event: PipelineEvent): Record<string, string> {
    return Object.fromEntries(Object.entries(plannedJobs(pipeline, predefinedVariables(event))).map(([name, job]) => [name, job.when]));
}

const protectedBranches = ["main"];
const mergeRequest: PipelineEvent = {
    source: "merge_request_event",
    branch: "feature-x",
    sha: "0123456789abcdef0123456789abcdef01234567",
    protectedBranches,
    mergeRequest: { iid: 1, targetBranch: "main", fromFork: false },
};
const mainBranch: PipelineEvent = { source: "push", branch: "main", sha: "0123456789abcdef0123456789abcdef01234567", protectedBranches };
const otherBranch: PipelineEvent = { ...mainBranch, branch: "feature-x" };

describe(".gitlab-ci.yml", () => {
    it("runs its stages in order: test, plan, preview, deploy", () => {
        expect(pipeline.raw.stages).toEqual(["test", "plan", "preview", "deploy"]);
        for (const name of jobs) {
            expect(pipeline.raw.stages).toContain(resolved(name).stage);
        }
    });

    it("checks, plans, compares and previews a merge request, and deploys nothing from it", () => {
        expect(planned(mergeRequest)).toEqual({
            test: "on_success",
            plan: "on_success",
            "plan:compare": "on_success",
            "preview:integration": "on_success",
        });
    });

    it("previews preprod and prod in a merge request only when GitLab marks its pipeline protected", () => {
        const betweenProtected: PipelineEvent = {
            ...mergeRequest,
            branch: "release",
            protectedBranches: ["main", "release"],
            protectMergeRequestPipelines: true,
        };
        expect(planned(betweenProtected)).toMatchObject({ "preview:preprod": "on_success", "preview:prod": "on_success" });
    });

    it("runs the README's test command", () => {
        expect(resolved("test").script).toEqual(["bash scripts/test-all.sh"]);
    });

    it("keeps the offline plan of all three stacks, with plan.json and the diagram, as artifacts", () => {
        const plan = resolved("plan");
        expect(plan.parallel.matrix).toEqual([{ STACK: ["integration", "preprod", "prod"] }]);
        expect(plan.script).toContain('npm run plan -- --stack "$STACK"');
        expect(plan.artifacts.paths).toEqual(["build/plan/$STACK/"]);
    });

    it("previews each stack through Pulumi Deployments", () => {
        for (const stack of ["integration", "preprod", "prod"]) {
            const preview = resolved(`preview:${stack}`);
            expect(preview.variables.STACK).toBe(stack);
            expect(preview.script).toEqual(['bash scripts/ci/deployment-run.sh preview "$STACK"']);
        }
    });

    it("gives merge requests of ordinary branches only the integration-only token, preprod and prod the protected one", () => {
        expect(resolved("preview:integration").variables.PULUMI_TOKEN_VARIABLE).toBe("PULUMI_PREVIEW_TOKEN");
        for (const name of ["preview:preprod", "preview:prod", "deploy:integration", "deploy:preprod", "deploy:prod"]) {
            expect([name, resolved(name).variables.PULUMI_TOKEN_VARIABLE]).toEqual([name, "PULUMI_DEPLOY_TOKEN"]);
        }
    });

    it("on the default branch deploys integration by itself, then preprod and prod only by hand", () => {
        expect(planned(mainBranch)).toEqual({
            test: "on_success",
            plan: "on_success",
            "preview:preprod": "on_success",
            "preview:prod": "on_success",
            "deploy:integration": "on_success",
            "deploy:preprod": "manual",
            "deploy:prod": "manual",
        });
    });

    it("creates every pipeline it plans: each job's needs are jobs of the same pipeline", () => {
        // GitLab refuses to create a pipeline whose job needs a job that the pipeline does not have.
        const fork: PipelineEvent = { ...mergeRequest, mergeRequest: { iid: 2, targetBranch: "main", fromFork: true } };
        const betweenProtected: PipelineEvent = { ...mergeRequest, branch: "release", protectedBranches: ["main", "release"], protectMergeRequestPipelines: true };
        for (const event of [mergeRequest, fork, betweenProtected, mainBranch]) {
            const names = Object.keys(planned(event));
            for (const name of names) {
                for (const need of (resolved(name).needs ?? []) as string[]) {
                    expect([event.branch, name, names]).toEqual([event.branch, name, expect.arrayContaining([need])]);
                }
            }
        }
    });

    it("runs nothing for other branches without a merge request", () => {
        expect(planned(otherBranch)).toEqual({});
    });

    it("deploys prod by hand, on the prod environment, after preprod and prod's preview, one at a time, blocking the pipeline", () => {
        const prod = resolved("deploy:prod");
        expect(prod.environment).toEqual({ name: "prod", deployment_tier: "production" });
        expect(prod.needs).toEqual(["deploy:preprod", "preview:prod"]);
        expect(prod.resource_group).toBe("prod");
        expect(prod.interruptible).toBe(false);
        expect(prod.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual", allow_failure: false }]);
        expect(prod.script).toEqual(['bash scripts/ci/deployment-run.sh update "$CI_ENVIRONMENT_NAME"']);
    });

    it("deploys each stack on its own GitLab environment, the promotion chain integration -> preprod -> prod", () => {
        expect(["deploy:integration", "deploy:preprod", "deploy:prod"].map((name) => [resolved(name).environment.name, resolved(name).needs])).toEqual([
            ["integration", ["test"]],
            ["preprod", ["deploy:integration", "preview:preprod"]],
            ["prod", ["deploy:preprod", "preview:prod"]],
        ]);
    });

    it("holds no secret: the Pulumi tokens come from CI variables", () => {
        for (const token of ["PULUMI_ACCESS_TOKEN", "PULUMI_PREVIEW_TOKEN", "PULUMI_DEPLOY_TOKEN"]) {
            expect(Object.keys(pipeline.raw.variables as object)).not.toContain(token);
        }
        expect(text).not.toMatch(/pul-[0-9a-f]{20,}/);
        expect(text).not.toMatch(/OS_(PASSWORD|APPLICATION_CREDENTIAL_SECRET)\s*:/);
        expect(text).not.toMatch(/PRIVATE KEY/);
    });
});
