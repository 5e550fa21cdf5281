/**
 * The pipeline GitLab creates for an event, as the variables it predefines and the project variables it hands
 * over. The rule that matters here: a protected variable reaches only a protected pipeline.
 * - docs.gitlab.com/ci/variables/#protect-a-cicd-variable: protected variables are passed only to pipelines
 *   running on protected branches or protected tags;
 * - merge request pipelines run on refs/merge-requests/<iid>/head, which is not a protected branch: they get no
 *   protected variable (docs.gitlab.com/ci/pipelines/merge_request_pipelines/), except, since GitLab 18.x with the
 *   project setting "protect merge request pipelines", when both source and target branches are protected and
 *   the source is not a fork (gitlab-org/gitlab!188008, epic &17186); CI_COMMIT_REF_PROTECTED follows the same rule;
 * - predefined variables: docs.gitlab.com/ci/variables/predefined_variables/ (CI_COMMIT_BRANCH is absent in merge
 *   request pipelines; the CI_MERGE_REQUEST_* ones exist only there).
 */
import type { Variables } from "./gitlab-pipeline";

export interface PipelineEvent {
    /** `push` (a branch pipeline) or `merge_request_event`. */
    source: "push" | "merge_request_event";
    /** The pushed branch, or the merge request's source branch. */
    branch: string;
    /** The commit the pipeline runs on. */
    sha: string;
    /** Protected branches of the project (Settings > Repository > Protected branches). */
    protectedBranches: readonly string[];
    /**
     * For a merge request: where it goes, whether it comes from a fork, and, in a merged results pipeline, the
     * temporary merge commit GitLab runs it on (then CI_COMMIT_SHA, while `sha` is the source branch's head).
     */
    mergeRequest?: { iid: number; targetBranch: string; fromFork: boolean; mergedResultsCommit?: string };
    /** Project setting "protect merge request pipelines" (off for projects created before it existed). */
    protectMergeRequestPipelines?: boolean;
}

/** A CI/CD variable of the project settings. */
export interface ProjectVariable {
    name: string;
    value: string;
    protected: boolean;
}

export const DEFAULT_BRANCH = "main";
const PROJECT_ID = "4242";
const FORK_PROJECT_ID = "5151";

/** Does GitLab treat this pipeline as protected (protected variables given, CI_COMMIT_REF_PROTECTED true)? */
export function isProtectedPipeline(event: PipelineEvent): boolean {
    const isProtected = (branch: string) => event.protectedBranches.includes(branch);
    if (event.source === "push") {
        return isProtected(event.branch);
    }
    const request = event.mergeRequest;
    return (
        event.protectMergeRequestPipelines === true &&
        request !== undefined &&
        !request.fromFork &&
        isProtected(event.branch) &&
        isProtected(request.targetBranch)
    );
}

export function predefinedVariables(event: PipelineEvent): Variables {
    const common: Variables = {
        GITLAB_CI: "true",
        CI: "true",
        CI_PIPELINE_SOURCE: event.source,
        CI_COMMIT_SHA: event.sha,
        CI_COMMIT_REF_NAME: event.branch,
        CI_COMMIT_REF_PROTECTED: String(isProtectedPipeline(event)),
        CI_DEFAULT_BRANCH: DEFAULT_BRANCH,
        CI_PROJECT_ID: PROJECT_ID,
    };
    if (event.source === "push") {
        return { ...common, CI_COMMIT_BRANCH: event.branch };
    }
    const request = event.mergeRequest;
    if (!request) {
        throw new Error("a merge_request_event pipeline needs its merge request");
    }
    // Merged results pipelines run on refs/merge-requests/<iid>/merge and give the source head apart
    // (docs.gitlab.com/ci/variables/predefined_variables/, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA).
    const mergedResults: Variables = request.mergedResultsCommit
        ? { CI_COMMIT_SHA: request.mergedResultsCommit, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: event.sha }
        : {};
    return {
        ...common,
        ...mergedResults,
        CI_MERGE_REQUEST_IID: String(request.iid),
        CI_MERGE_REQUEST_PROJECT_ID: PROJECT_ID,
        CI_MERGE_REQUEST_SOURCE_PROJECT_ID: request.fromFork ? FORK_PROJECT_ID : PROJECT_ID,
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: event.branch,
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: request.targetBranch,
    };
}

/** The project variables this pipeline receives: the protected ones only when the pipeline is protected. */
export function visibleProjectVariables(event: PipelineEvent, variables: readonly ProjectVariable[]): Variables {
    const protectedPipeline = isProtectedPipeline(event);
    return Object.fromEntries(variables.filter((variable) => protectedPipeline || !variable.protected).map((variable) => [variable.name, variable.value]));
}
