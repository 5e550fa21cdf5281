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
    /** Stacks the rule applies to; elsewhere it is reported as not applicable. */
    stacks: readonly string[];
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

export const PRODUCTION = ["prod"] as const;
export const PRODUCTION_LIKE = ["prod", "preprod"] as const;
