import {
    type Policies,
    type PolicyResource,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { RULES, outOfScope } from "./catalog";
import { type PolicySubject, type ResourceRule, type Rule, type StackRule, stackOfUrn } from "./subject";

/**
 * What CrossGuard shows of a resource. Its options have `protect` but no `retainOnDelete`, and the SDK
 * unwraps secrets into plain values (`deserializeProperties(..., false)`), so neither is filled in.
 */
function fromPolicyResource(resource: PolicyResource | ResourceValidationArgs): PolicySubject {
    const dependencies = "propertyDependencies" in resource ? resource.propertyDependencies : {};
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: resource.props as Record<string, unknown>,
        protect: resource.opts.protect,
        links: Object.fromEntries(Object.entries(dependencies).map(([key, on]) => [key, on.map((r) => r.urn)])),
    };
}

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation) => {
            if (!rule.types.includes(args.type)) {
                return;
            }
            const skipped = outOfScope(rule, stackOfUrn(args.urn));
            if (skipped) {
                args.notApplicable(skipped);
            }
            rule.check(fromPolicyResource(args)).forEach((message) => reportViolation(message));
        },
    };
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            // Every URN carries the stack name; the policy process has no other reliable way to learn it.
            const stack = args.resources.map((r) => stackOfUrn(r.urn)).find((name) => name !== undefined);
            const skipped = outOfScope(rule, stack);
            if (skipped) {
                args.notApplicable(skipped);
            }
            const subject = { stack: stack ?? "", resources: args.resources.map(fromPolicyResource) };
            const blind = rule.blindSpot?.(subject);
            if (blind) {
                args.notApplicable(blind);
            }
            rule.check(subject).forEach((violation) => reportViolation(violation.message, violation.urn));
        },
    };
}

export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    return rule.kind === "resource" ? resourcePolicy(rule) : stackPolicy(rule);
}

/** The CrossGuard policies of the pack, one a rule. */
export const policies: Policies = RULES.map(toPolicy);
