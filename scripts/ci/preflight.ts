/**
 * `npx tsx scripts/ci/preflight.ts <stack>`: what must hold before a remote run of a stack is started, checked on
 * the commit being deployed: every secret of the program encrypted in Pulumi.<stack>.yaml, and a self-hosted
 * agent pool whose egress address the stack admits. Prints the agent pool ID (for `--agent-pool-id`) on stdout;
 * every problem on stderr, exit 1. Reads files only: no token, no network.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { adminCidrsOf, agentPoolProblems, type AgentPoolTarget } from "../../deployments/agent-pool";
import { TARGET_STACKS } from "../../deployments/targets";
import { secretFindingsMessage, stackFileSecretFindings } from "./stack-secrets";

function main(stack: string | undefined, root: string): number {
    if (!stack || !(TARGET_STACKS as readonly string[]).includes(stack)) {
        process.stderr.write(`usage: preflight.ts <${TARGET_STACKS.join("|")}>, got ${JSON.stringify(stack ?? "")}\n`);
        return 2;
    }
    const problems: string[] = [];
    const secrets = secretFindingsMessage(stack, stackFileSecretFindings(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")));
    if (secrets) {
        problems.push(secrets);
    }
    const deployments = parse(readFileSync(join(root, "deployments", "Pulumi.main.yaml"), "utf8")) as {
        config?: Record<string, unknown>;
    };
    const targets = (deployments.config?.["svom-fsgs-deployments:targets"] ?? {}) as Record<string, AgentPoolTarget | undefined>;
    const target = targets[stack] ?? {};
    const pool = agentPoolProblems(stack, target, adminCidrsOf(root, stack));
    if (pool.length > 0) {
        problems.push(`deployments/Pulumi.main.yaml does not give ${stack} a way into its site:\n${pool.map((line) => `  - ${line}`).join("\n")}`);
    }
    if (problems.length > 0) {
        process.stderr.write(`${problems.join("\n\n")}\n`);
        return 1;
    }
    process.stdout.write(`${target.agentPoolId?.trim() ?? ""}\n`);
    return 0;
}

process.exitCode = main(process.argv[2], process.cwd());
