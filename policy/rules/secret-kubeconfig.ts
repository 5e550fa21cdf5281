import { STRICT_ENVIRONMENTS, type StackRule, type Violation } from "../subject";

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";

/** The admin kubeconfig holds cluster-admin credentials: it must be encrypted in the state and in outputs. */
export const secretKubeconfig: StackRule = {
    kind: "stack",
    name: "secret-kubeconfig",
    description: "The stack output kubeconfig and the Kubernetes provider's kubeconfig input are secrets.",
    appliesTo: STRICT_ENVIRONMENTS,
    blindSpot(stack) {
        return stack.outputs === undefined || stack.resources.some((r) => r.type === KUBERNETES_PROVIDER && r.secretInputs === undefined)
            ? "the policy SDK hands secrets over as plain values and shows no stack outputs; tests/policy.test.ts checks this rule on the offline plan"
            : undefined;
    },
    check(stack) {
        const violations: Violation[] = [];
        if (stack.outputs !== undefined) {
            const output = stack.outputs.kubeconfig;
            if (!output) {
                violations.push({ message: "the stack exports no kubeconfig output" });
            } else if (!output.secret) {
                violations.push({ message: "the stack output kubeconfig is not a secret" });
            }
        }
        for (const provider of stack.resources.filter((r) => r.type === KUBERNETES_PROVIDER)) {
            if (provider.props.kubeconfig === undefined) {
                violations.push({ message: `Kubernetes provider ${provider.name} has no kubeconfig input`, urn: provider.urn });
            } else if (provider.secretInputs !== undefined && !provider.secretInputs.includes("kubeconfig")) {
                violations.push({ message: `Kubernetes provider ${provider.name} takes its kubeconfig as plain text`, urn: provider.urn });
            }
        }
        return violations;
    },
};
