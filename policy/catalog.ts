import { controlPlaneHa } from "./rules/control-plane-ha";
import { pinnedImages } from "./rules/pinned-images";
import { protectedVolumes } from "./rules/protected-volumes";
import { secretKubeconfig } from "./rules/secret-kubeconfig";
import { worldOpenAdminPorts } from "./rules/world-open-admin-ports";
import { environmentProfile } from "../components/config/profile";
import { ENVIRONMENTS } from "../components/config/schema";
import { type Rule, type StackSubject, type Violation } from "./subject";

/** The production rules, in the order they are reported. */
export const RULES: readonly Rule[] = [controlPlaneHa, worldOpenAdminPorts, protectedVolumes, pinnedImages, secretKubeconfig];

export interface RuleOutcome {
    rule: string;
    violations: Violation[];
    /** Set when the rule does not apply to the stack, with the reason. */
    notApplicable?: string;
}

/** Why a rule does not apply to a stack, or undefined when it does. */
export function outOfScope(rule: Rule, stack: string | undefined): string | undefined {
    // A stack is named after its environment (Pulumi.<environment>.yaml sets svom-fsgs:environment to it), and the
    // stack name is the one fact both the offline plan and CrossGuard carry.
    const environment = ENVIRONMENTS.find((name) => name === stack);
    if (environment === undefined) {
        return `applies to the FSGS environments (${ENVIRONMENTS.join(", ")}) only, not ${stack}`;
    }
    const where = ENVIRONMENTS.filter((name) => rule.appliesTo.holds(environmentProfile(name)));
    return rule.appliesTo.holds(environmentProfile(environment))
        ? undefined
        : `applies where the environment profile's ${rule.appliesTo.name} holds (${where.join(", ")}) only, not ${stack}`;
}

/** Runs every rule on a stack, the way the policy pack does, with what the source can see. */
export function evaluate(stack: StackSubject, rules: readonly Rule[] = RULES): RuleOutcome[] {
    return rules.map((rule) => {
        const skipped = outOfScope(rule, stack.stack) ?? (rule.kind === "stack" ? rule.blindSpot?.(stack) : undefined);
        if (skipped) {
            return { rule: rule.name, violations: [], notApplicable: skipped };
        }
        const violations =
            rule.kind === "stack"
                ? rule.check(stack)
                : stack.resources
                      .filter((resource) => rule.types.includes(resource.type))
                      .flatMap((resource) => rule.check(resource).map((message) => ({ message, urn: resource.urn })));
        return { rule: rule.name, violations };
    });
}
