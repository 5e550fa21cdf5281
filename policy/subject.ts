import type { EnvironmentProfile } from "../components/config/profile";

/**
 * The neutral shape the rules read. Two adapters fill it: `offline.ts` from a rendered plan, `crossguard.ts`
 * from what the policy engine passes. A field one source cannot see is `undefined`, and rules skip it.
 */

/** One resource of a stack. */
export interface PolicySubject {
    type: string;
    name: string;
    urn: string;
    /** Inputs (offline) or planned properties (CrossGuard), secrets as plain values or "[secret]". */
    props: Record<string, unknown>;
    protect: boolean;
    /** Absent when the source cannot see it: CrossGuard's resource options carry no retainOnDelete. */
    retainOnDelete?: boolean;
    /** Property name -> URNs of the resources its value came from (e.g. `schedulerHints` -> a server group). */
    links: Record<string, string[]>;
    /** Top-level input names whose value is secret; absent when the source cannot tell (CrossGuard). */
    secretInputs?: string[];
}

/** A whole stack. */
export interface StackSubject {
    /** Stack name, e.g. `prod`. */
    stack: string;
    resources: PolicySubject[];
    /** Stack outputs' secretness; absent when the source cannot see them (CrossGuard). */
    outputs?: Record<string, { secret: boolean }>;
}

export interface Violation {
    message: string;
    /** The resource at fault; absent when the stack as a whole is. */
    urn?: string;
}

interface RuleBase {
    /** Policy name in CrossGuard, kebab-case. */
    name: string;
    description: string;
    /**
     * Where the rule applies, decided from the environment's profile (components/config/profile.ts, the same
     * decisions the program follows); elsewhere it is reported as not applicable.
     */
    appliesTo: Scope;
}

/** A rule that looks at one resource at a time. */
export interface ResourceRule extends RuleBase {
    kind: "resource";
    /** Resource types the rule checks. */
    types: readonly string[];
    /** Messages naming the resource; empty when it complies. */
    check(resource: PolicySubject): string[];
}

/** A rule across resources, or over the stack's outputs. */
export interface StackRule extends RuleBase {
    kind: "stack";
    check(stack: StackSubject): Violation[];
    /** Why the rule cannot be decided from what this source shows, if it cannot. */
    blindSpot?(stack: StackSubject): string | undefined;
}

export type Rule = ResourceRule | StackRule;

/** The stack of a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`): the one stack fact every source carries. */
export function stackOfUrn(urn: string): string | undefined {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}

/** Where a rule applies: a decision of the environment profile, and how a report names it. */
export interface Scope {
    /** How a report names the decision, e.g. `strictRules`. */
    name: string;
    holds(profile: EnvironmentProfile): boolean;
}

/** Every strict environment: the config's validation and the pack agree on what "production-like" means. */
export const STRICT_ENVIRONMENTS: Scope = { name: "strictRules", holds: (profile) => profile.strictRules };
/** Environments whose stored data is protected. */
export const PROTECTED_DATA: Scope = { name: "protectStoredData", holds: (profile) => profile.protectStoredData };
