import type { Render } from "../../scripts/offline/render";
import { Deployment, type Outcome } from "../../scripts/offline/lifecycle/deploy";
import { type Plan, type PlanOptions, planSteps } from "../../scripts/offline/lifecycle/engine";
import { runnerAddress } from "../../scripts/offline/lifecycle/predict";
import { type StackName, rawConfig, renderStack } from "./stacks";

type Edit = (config: Record<string, unknown>) => void;

/** Renders shared by every scenario of one test file: a stack renders once per distinct change. */
export class RenderCache {
    private readonly renders = new Map<string, Promise<Render>>();

    get(stack: StackName, change = "as committed", edit?: Edit, secrets?: Record<string, string>): Promise<Render> {
        const key = `${stack}/${change}`;
        const cached = this.renders.get(key);
        if (cached) {
            return cached;
        }
        // Renders share the SDK's global state: one at a time.
        const previous = [...this.renders.values()].pop() ?? Promise.resolve(undefined);
        const render = previous.catch(() => undefined).then(() => renderStack(stack, edit, undefined, secrets));
        this.renders.set(key, render);
        return render;
    }
}

/** Where an operator runs `pulumi up` from, in the stack's first IPv4 admin network. */
export function runnerAddressOf(stack: StackName): string {
    return runnerAddress((rawConfig(stack).access as { adminCidrs: string[] }).adminCidrs);
}

export const apiPort = (render: Render): number => (render.outputs.apiEndpoint.value as { port: number }).port;

/** A stack brought up once from nothing; the scenario then applies its change. */
export function deployed(stack: StackName, first: Render): { deployment: Deployment; outcome: Outcome } {
    const deployment = new Deployment(runnerAddressOf(stack), apiPort(first));
    const outcome = deployment.apply(planSteps(undefined, first));
    return { deployment, outcome };
}

/** Steps as `kind name` lines, for assertions a reader can check against the scenario's description. */
export const stepLines = (plan: Plan, filter: (type: string) => boolean = () => true): string[] =>
    plan.steps.filter((step) => filter(step.type)).map((step) => `${step.kind} ${step.name}`);

export const isOpenStack = (type: string) => type.startsWith("openstack:");
export const isKubernetes = (type: string) => type.startsWith("kubernetes:") || type.startsWith("pulumi:providers:kubernetes");

export async function change(
    cache: RenderCache,
    stack: StackName,
    name: string,
    edit: Edit,
    options: PlanOptions = {},
    secrets?: Record<string, string>,
): Promise<{ before: Render; after: Render; plan: Plan }> {
    const before = await cache.get(stack);
    const after = await cache.get(stack, name, edit, secrets);
    return { before, after, plan: planSteps(before, after, options) };
}
