#!/usr/bin/env bash
# Runs one Pulumi Deployments operation on one stack, at exactly this pipeline's commit, and exits with the
# deployment's result. Usage: deployment-run.sh <preview|update> <stack>
#
# Why each step (sources are the Pulumi CLI's, pulumi/pulumi v3.259.0):
# - `--git-commit "$CI_COMMIT_SHA"`: a branch name would deploy whatever its tip is when the job starts, not the
#   commit this pipeline tested (pkg/cmd/pulumi/deployment/remote.go: --git-commit checks the hash out detached).
# - `--suppress-stream-logs=false`: `pulumi deployment run` defaults to true and then returns as soon as the
#   deployment is queued (remote.go ApplyFlagsForDeploymentCommand; pkg/backend/httpstate/backend.go RunDeployment).
# - a CLI >= 3.256.0: before it, a streamed deployment that failed still exited 0 (pulumi/pulumi#24051, fixed by
#   #24155, CHANGELOG 3.256.0 "Exit non-zero from remote operations ... when the deployment fails").
# - `--agent-pool-id`: without it the CLI sends `agentPoolID: null`, which its help says means "the Pulumi
#   Cloud shared queue" (apitype.AgentPoolIDMarshaller), whose runners cannot reach the site.
# - then `pulumi deployment get <version> --output json` (pkg/cmd/pulumi/deployment/deployment_get.go): the
#   deployment's status, one of not-started, accepted, running, failed, succeeded, skipped
#   (apitype.GetDeploymentResponse), must be "succeeded".
set -euo pipefail

operation=${1:?usage: deployment-run.sh <preview|update> <stack>}
stack=${2:?usage: deployment-run.sh <preview|update> <stack>}
minimum_cli=3.256.0

fail() {
    printf 'deployment-run: %s\n' "$*" >&2
    exit 1
}

# A fork's commit is not in this repository's branches, and its code must never run with this project's tokens.
if [[ -n ${CI_MERGE_REQUEST_SOURCE_PROJECT_ID:-} && ${CI_MERGE_REQUEST_SOURCE_PROJECT_ID} != "${CI_MERGE_REQUEST_PROJECT_ID:-}" ]]; then
    fail "refused: merge request !${CI_MERGE_REQUEST_IID:-?} comes from a fork (project ${CI_MERGE_REQUEST_SOURCE_PROJECT_ID}).
Its code is not previewed through Pulumi Deployments: a fork's branch is not in this repository, and a remote run
would hand the fork's code this project's credentials. The offline plans (job plan) still show what it changes.
A maintainer who has reviewed the change can push it to a branch of this repository to get a preview."
fi

[[ -n ${CI_COMMIT_SHA:-} ]] || fail "CI_COMMIT_SHA is not set: run this from a GitLab CI job"
# A merged results pipeline runs on a temporary merge commit that no branch holds, so Pulumi Deployments could
# not check it out: preview the source branch's head, which GitLab gives apart only in those pipelines.
commit=${CI_MERGE_REQUEST_SOURCE_BRANCH_SHA:-$CI_COMMIT_SHA}
[[ -n ${PULUMI_ORG:-} && -n ${PULUMI_PROJECT:-} ]] || fail "PULUMI_ORG and PULUMI_PROJECT must be set (CI/CD variables and .gitlab-ci.yml)"

token_variable=${PULUMI_TOKEN_VARIABLE:?PULUMI_TOKEN_VARIABLE must name the CI/CD variable that holds the Pulumi token of this job}
token=${!token_variable:-}
if [[ -z $token ]]; then
    fail "$token_variable is not set for this pipeline. It is a protected variable when it can reach preprod or prod:
GitLab gives protected variables only to pipelines of protected branches and tags (and, with the project setting
on, to merge request pipelines between two protected branches of this project)."
fi

version=$(pulumi version)
version=${version#v}
if [[ $(printf '%s\n%s\n' "$minimum_cli" "$version" | sort -V | head -n 1) != "$minimum_cli" ]]; then
    fail "pulumi CLI $version exits 0 when a deployment fails; this job needs >= $minimum_cli (the image of .pulumi-remote in .gitlab-ci.yml)"
fi

# Secrets encrypted in the stack file and an agent pool the site admits, on this very commit; prints the pool ID.
agent_pool=$(npx tsx scripts/ci/preflight.ts "$stack")

echo "Pulumi Deployments: $operation of $PULUMI_ORG/$PULUMI_PROJECT/$stack at $commit on agent pool $agent_pool"
output=$(mktemp)
trap 'rm -f "$output"' EXIT
PULUMI_ACCESS_TOKEN=$token pulumi deployment run "$operation" \
    --stack "$PULUMI_ORG/$PULUMI_PROJECT/$stack" \
    --git-commit "$commit" \
    --agent-pool-id "$agent_pool" \
    --suppress-stream-logs=false | tee "$output"

# Even 3.259.0 exits 0 when the update's summary carries no result (a crashed executor:
# TestShowDeploymentEventsResult, case "no result", pkg/backend/httpstate/backend_test.go). So read the
# deployment's own status: its version ends the "View Live" URL the CLI prints (colours stripped).
version=$(sed -e 's/\x1b\[[0-9;]*m//g' "$output" | sed -n 's#^View Live: .*/deployments/\([0-9][0-9]*\)/*$#\1#p' | tail -n 1)
if [[ -z $version ]]; then
    echo "deployment-run: warning: no deployment version in the CLI output; relying on its exit status" >&2
    exit 0
fi
status=$(PULUMI_ACCESS_TOKEN=$token pulumi deployment get "$version" --stack "$PULUMI_ORG/$PULUMI_PROJECT/$stack" --output json |
    node -e 'let text = ""; process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => console.log(JSON.parse(text).status));')
[[ $status == succeeded ]] || fail "deployment $version of $stack ended \"$status\", not \"succeeded\""
echo "Pulumi Deployments: deployment $version of $stack succeeded"
