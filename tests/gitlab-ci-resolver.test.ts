/**
 * The pure model of GitLab the job tests rely on (scripts/ci/gitlab-pipeline.ts, gitlab-context.ts), checked on
 * small pipelines written here, against GitLab's documented behaviour.
 */
import { type PipelineEvent, isProtectedPipeline, predefinedVariables, visibleProjectVariables } from "../scripts/ci/gitlab-context";
import {
    deepMerge,
    evaluateRule,
    expandVariables,
    jobCommands,
    jobVariables,
    matrixOf,
    parsePipeline,
    plannedJobs,
    resolveJob,
} from "../scripts/ci/gitlab-pipeline";

const sample = parsePipeline(`
variables:
  GLOBAL: g
  CACHE_DIR: $CI_PROJECT_DIR/.npm
default:
  image: node:20
  before_script: [echo default]
.base:
  stage: build
  variables: { A: base-a, B: base-b }
  cache: { key: k, paths: [.npm/] }
  script: [echo base]
.tool:
  extends: .base
  image: { name: tool:1, entrypoint: [""] }
  before_script: [echo tool]
  variables: { B: tool-b }
job:
  extends: .tool
  variables: { C: job-c }
  script: [echo job]
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event" && $FORK != $PROJECT
      allow_failure: true
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == "main"
      when: manual
plain:
  script: [echo plain]
matrix:
  script: [echo $STACK]
  parallel:
    matrix:
      - STACK: [one, two]
        SIZE: s
`);

describe("resolveJob: extends and default, as GitLab merges them", () => {
    it("merges hashes key by key and replaces arrays and scalars, the job winning over its templates", () => {
        const job = resolveJob(sample, "job");
        expect(job.variables).toEqual({ A: "base-a", B: "tool-b", C: "job-c" });
        expect(job.script).toEqual(["echo job"]);
        expect(job.before_script).toEqual(["echo tool"]);
        expect(job.image).toEqual({ name: "tool:1", entrypoint: [""] });
        expect(job.cache).toEqual({ key: "k", paths: [".npm/"] });
        expect(job).not.toHaveProperty("extends");
    });

    it("takes default: keys only where the job sets none", () => {
        expect(resolveJob(sample, "plain")).toMatchObject({ image: "node:20", before_script: ["echo default"] });
        expect(resolveJob(sample, "job").image).toEqual({ name: "tool:1", entrypoint: [""] });
    });

    it("runs before_script then script", () => {
        expect(jobCommands(resolveJob(sample, "job"))).toEqual(["echo tool", "echo job"]);
        expect(jobCommands(resolveJob(sample, "plain"))).toEqual(["echo default", "echo plain"]);
    });

    it("lists jobs without templates or global keywords", () => {
        expect(sample.jobs).toEqual(["job", "plain", "matrix"]);
    });

    it("refuses an extends loop and an unknown template", () => {
        expect(() => resolveJob(parsePipeline("a: { extends: .b }\n.b: { extends: a }\n"), "a")).toThrow(/extends loop/);
        expect(() => resolveJob(parsePipeline("a: { extends: .missing }\n"), "a")).toThrow(/no job or template \.missing/);
    });

    it("deepMerge leaves both inputs untouched", () => {
        const base = { a: { b: 1 } };
        expect(deepMerge(base, { a: { c: 2 } })).toEqual({ a: { b: 1, c: 2 } });
        expect(base).toEqual({ a: { b: 1 } });
    });
});

describe("evaluateRule: GitLab's rules:if expressions", () => {
    const variables = { SOURCE: "merge_request_event", EMPTY: "", BRANCH: "main", DEFAULT: "main", OTHER: "x" };
    it.each<[string, boolean]>([
        ['$SOURCE == "merge_request_event"', true],
        ['$SOURCE != "merge_request_event"', false],
        ["$BRANCH == $DEFAULT", true],
        ["$BRANCH == $OTHER", false],
        ["$UNDEFINED == null", true],
        ['$UNDEFINED == ""', false],
        ['$EMPTY == ""', true],
        ["$UNDEFINED != $BRANCH", true],
        ["$EMPTY", false],
        ["$BRANCH", true],
        ["$UNDEFINED", false],
        ['$BRANCH == "main" && $OTHER == "y"', false],
        ['$BRANCH == "x" || $OTHER == "x"', true],
        // && binds tighter than ||.
        ['$BRANCH == "main" || $OTHER == "y" && $EMPTY', true],
        ['($BRANCH == "main" || $OTHER == "y") && $EMPTY', false],
        ["${BRANCH} == 'main'", true],
    ])("%s is %s", (expression, expected) => {
        expect(evaluateRule(expression, variables)).toBe(expected);
    });

    it("refuses what it does not model rather than guessing", () => {
        expect(() => evaluateRule("$BRANCH =~ /^release/", variables)).toThrow(/unsupported rule expression/);
        expect(() => evaluateRule("($BRANCH", variables)).toThrow(/unbalanced/);
    });
});

describe("plannedJobs: which jobs a pipeline gets", () => {
    it("takes the first matching rule, its when and allow_failure; a manual job may fail by default", () => {
        const mergeRequest = { CI_PIPELINE_SOURCE: "merge_request_event", FORK: "2", PROJECT: "1" };
        expect(plannedJobs(sample, mergeRequest).job).toEqual({ when: "on_success", allowFailure: true });
        expect(plannedJobs(sample, { ...mergeRequest, FORK: "1" }).job).toEqual({ when: "on_success", allowFailure: false });
        expect(plannedJobs(sample, { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main" }).job).toEqual({ when: "manual", allowFailure: true });
        expect(plannedJobs(sample, { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "dev" })).not.toHaveProperty("job");
    });

    it("creates nothing when workflow rules match nothing", () => {
        const gated = parsePipeline('workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH == "main"\nj:\n  script: [x]\n');
        expect(plannedJobs(gated, { CI_COMMIT_BRANCH: "dev" })).toEqual({});
        expect(Object.keys(plannedJobs(gated, { CI_COMMIT_BRANCH: "main" }))).toEqual(["j"]);
    });
});

describe("job variables", () => {
    it("expands a matrix into one set of variables per combination", () => {
        expect(matrixOf(resolveJob(sample, "matrix"))).toEqual([
            { STACK: "one", SIZE: "s" },
            { STACK: "two", SIZE: "s" },
        ]);
        expect(matrixOf(resolveJob(sample, "plain"))).toEqual([{}]);
    });

    it("layers predefined < global < job < matrix < project settings, expanding YAML values", () => {
        const variables = jobVariables(
            sample,
            { ...resolveJob(sample, "job"), environment: { name: "prod" } },
            { CI_PROJECT_DIR: "/builds/p", GLOBAL: "predefined" },
            { C: "from-settings" },
            { A: "from-matrix" },
        );
        expect(variables).toMatchObject({
            GLOBAL: "g",
            CACHE_DIR: "/builds/p/.npm",
            A: "from-matrix",
            B: "tool-b",
            C: "from-settings",
            CI_ENVIRONMENT_NAME: "prod",
        });
        expect(expandVariables("${X}-$Y-$MISSING", { X: "1", Y: "2" })).toBe("1-2-");
    });
});

describe("protected variables reach protected pipelines only", () => {
    const base: PipelineEvent = { source: "push", branch: "main", sha: "abc", protectedBranches: ["main", "release"] };
    const mergeRequest = (branch: string, fromFork: boolean, setting: boolean): PipelineEvent => ({
        ...base,
        source: "merge_request_event",
        branch,
        mergeRequest: { iid: 1, targetBranch: "main", fromFork },
        protectMergeRequestPipelines: setting,
    });
    const settings = [
        { name: "OPEN", value: "o", protected: false },
        { name: "SEALED", value: "s", protected: true },
    ];

    it.each<[string, PipelineEvent, boolean]>([
        ["a push to a protected branch", base, true],
        ["a push to an unprotected branch", { ...base, branch: "feature" }, false],
        ["a merge request of an unprotected branch", mergeRequest("feature", false, true), false],
        ["a merge request between protected branches, setting on", mergeRequest("release", false, true), true],
        ["a merge request between protected branches, setting off", mergeRequest("release", false, false), false],
        ["a merge request from a fork's protected-named branch", mergeRequest("release", true, true), false],
    ])("%s: protected %s", (_, event, expected) => {
        expect(isProtectedPipeline(event)).toBe(expected);
        expect(predefinedVariables(event).CI_COMMIT_REF_PROTECTED).toBe(String(expected));
        expect(visibleProjectVariables(event, settings)).toEqual(expected ? { OPEN: "o", SEALED: "s" } : { OPEN: "o" });
    });

    it("gives a merge request pipeline no CI_COMMIT_BRANCH, and tells a fork by its source project", () => {
        const fork = predefinedVariables(mergeRequest("feature", true, true));
        expect(fork).not.toHaveProperty("CI_COMMIT_BRANCH");
        expect(fork.CI_MERGE_REQUEST_SOURCE_PROJECT_ID).not.toBe(fork.CI_MERGE_REQUEST_PROJECT_ID);
        const own = predefinedVariables(mergeRequest("feature", false, true));
        expect(own.CI_MERGE_REQUEST_SOURCE_PROJECT_ID).toBe(own.CI_MERGE_REQUEST_PROJECT_ID);
    });
});
