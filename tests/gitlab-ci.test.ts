import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "./support/stacks";

type Job = Record<string, any>;
const pipeline = parse(readFileSync(join(ROOT, ".gitlab-ci.yml"), "utf8"), { merge: true }) as Record<string, any>;
const RESERVED = new Set(["stages", "workflow", "variables", "default", "include"]);

/** A job with the keys of the templates it extends, as GitLab merges them (shallow per key). */
function resolved(name: string): Job {
    const job = pipeline[name] as Job;
    const parents = ([] as string[]).concat(job.extends ?? []);
    return Object.assign({}, ...parents.map(resolved), job);
}

const jobs = Object.keys(pipeline).filter((key) => !RESERVED.has(key) && !key.startsWith("."));

interface Context {
    CI_PIPELINE_SOURCE: string;
    CI_COMMIT_BRANCH?: string;
    CI_DEFAULT_BRANCH: string;
}

/** The subset of GitLab's rule expressions this file uses: `$A == "x"` and `$A == $B`. */
function matches(condition: string, context: Context): boolean {
    const match = /^\$(\w+) == (?:"([^"]*)"|\$(\w+))$/.exec(condition.trim());
    if (!match) {
        throw new Error(`unsupported rule expression in .gitlab-ci.yml: ${condition}`);
    }
    const left = (context as unknown as Record<string, string | undefined>)[match[1]];
    const right = match[2] ?? (context as unknown as Record<string, string | undefined>)[match[3]];
    return left !== undefined && left === right;
}

/** Which jobs a pipeline of this context has, and how each starts (`on_success` or `manual`). */
function plannedJobs(context: Context): Record<string, string> {
    const workflow = (pipeline.workflow.rules as { if: string }[]).some((rule) => matches(rule.if, context));
    if (!workflow) {
        return {};
    }
    const planned: Record<string, string> = {};
    for (const name of jobs) {
        const rule = (resolved(name).rules as { if: string; when?: string }[] | undefined)?.find((r) => matches(r.if, context));
        if (rule && rule.when !== "never") {
            planned[name] = rule.when ?? "on_success";
        }
    }
    return planned;
}

const mergeRequest: Context = { CI_PIPELINE_SOURCE: "merge_request_event", CI_DEFAULT_BRANCH: "main" };
const mainBranch: Context = { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main" };
const otherBranch: Context = { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "feature-x", CI_DEFAULT_BRANCH: "main" };

describe(".gitlab-ci.yml", () => {
    it("runs its stages in order: test, plan, preview, deploy", () => {
        expect(pipeline.stages).toEqual(["test", "plan", "preview", "deploy"]);
        for (const name of jobs) {
            expect(pipeline.stages).toContain(resolved(name).stage);
        }
    });

    it("checks, plans, compares and previews a merge request, and deploys nothing from it", () => {
        expect(plannedJobs(mergeRequest)).toEqual({
            test: "on_success",
            plan: "on_success",
            "plan:compare": "on_success",
            preview: "on_success",
        });
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
        const preview = resolved("preview");
        expect(preview.parallel.matrix).toEqual([{ STACK: ["integration", "preprod", "prod"] }]);
        expect(preview.script[0]).toMatch(/^pulumi deployment run preview --stack "\$PULUMI_ORG\/\$PULUMI_PROJECT\/\$STACK"/);
    });

    it("on the default branch deploys integration by itself, then preprod and prod only by hand", () => {
        expect(plannedJobs(mainBranch)).toEqual({
            test: "on_success",
            plan: "on_success",
            "deploy:integration": "on_success",
            "deploy:preprod": "manual",
            "deploy:prod": "manual",
        });
    });

    it("runs nothing for other branches without a merge request", () => {
        expect(plannedJobs(otherBranch)).toEqual({});
    });

    it("deploys prod by hand, on the prod environment, after preprod, one at a time, blocking the pipeline", () => {
        const prod = resolved("deploy:prod");
        expect(prod.environment).toEqual({ name: "prod", deployment_tier: "production" });
        expect(prod.needs).toEqual(["deploy:preprod"]);
        expect(prod.resource_group).toBe("prod");
        expect(prod.interruptible).toBe(false);
        expect(prod.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual", allow_failure: false }]);
        expect(prod.script).toEqual([
            'pulumi deployment run update --stack "$PULUMI_ORG/$PULUMI_PROJECT/$CI_ENVIRONMENT_NAME" --git-branch "$CI_COMMIT_BRANCH"',
        ]);
    });

    it("deploys each stack on its own GitLab environment, the promotion chain integration -> preprod -> prod", () => {
        expect(["deploy:integration", "deploy:preprod", "deploy:prod"].map((name) => [resolved(name).environment.name, resolved(name).needs])).toEqual([
            ["integration", ["test"]],
            ["preprod", ["deploy:integration"]],
            ["prod", ["deploy:preprod"]],
        ]);
    });

    it("holds no secret: the Pulumi token comes from a CI variable", () => {
        const text = readFileSync(join(ROOT, ".gitlab-ci.yml"), "utf8");
        expect(Object.keys(pipeline.variables)).not.toContain("PULUMI_ACCESS_TOKEN");
        expect(text).not.toMatch(/pul-[0-9a-f]{20,}/);
        expect(text).not.toMatch(/OS_(PASSWORD|APPLICATION_CREDENTIAL_SECRET)\s*:/);
        expect(text).not.toMatch(/PRIVATE KEY/);
    });
});
