/**
 * Where a stack's deployments run. Pulumi-hosted runners leave from Pulumi's own addresses, and the bastion's
 * SSH and the API endpoint admit only `access.adminCidrs` (components/openstack/rules.ts): a deployment on the
 * hosted runners cannot reach either, and the first `up` stops at the first remote command. Every stack therefore
 * runs on a self-hosted agent pool inside the site (Pulumi Cloud > Settings > Agent pools, the `pulumi-deployment-agent`
 * on a machine of the site), whose egress address an admin CIDR of that stack must contain. Pure: the stack
 * file's admin CIDRs are handed in.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { cidrsOverlap, parseCidr } from "../components/config/cidr";

/** The config namespace of the deployments program (`name` in deployments/Pulumi.yaml). */
const WHERE = "svom-fsgs-deployments:targets";

export interface AgentPoolTarget {
    /** ID of the self-hosted agent pool (a UUID shown in Pulumi Cloud > Settings > Agent pools). */
    agentPoolId?: string;
    /** The public address the agent's traffic leaves the site from (NAT or its floating IP). */
    agentEgressAddress?: string;
}

/** A single address as a one-address block; undefined when the text is not an IPv4 or IPv6 address. */
export function parseAddress(text: string): ReturnType<typeof parseCidr> {
    return parseCidr(`${text}/${text.includes(":") ? 128 : 32}`);
}

/**
 * What keeps this stack's deployments from reaching the site, each with the key to set and why; empty when the
 * agent pool is named and its egress address is admitted by the stack's `access.adminCidrs`.
 */
export function agentPoolProblems(stack: string, target: AgentPoolTarget, adminCidrs: readonly string[]): string[] {
    const problems: string[] = [];
    if (!target.agentPoolId?.trim()) {
        problems.push(
            `${WHERE}.${stack}.agentPoolId: expected the ID of a self-hosted agent pool inside the site (Pulumi Cloud > ` +
                `Settings > Agent pools), got nothing: Pulumi-hosted runners cannot reach the bastion or the API, only ` +
                `svom-fsgs:access.adminCidrs of Pulumi.${stack}.yaml may`,
        );
    }
    const address = target.agentEgressAddress?.trim();
    const parsed = address ? parseAddress(address) : undefined;
    if (!address || !parsed) {
        problems.push(
            `${WHERE}.${stack}.agentEgressAddress: expected the IP address the agent's traffic leaves the site from, ` +
                `got ${address ? JSON.stringify(address) : "nothing"}: it must be inside svom-fsgs:access.adminCidrs of Pulumi.${stack}.yaml`,
        );
        return problems;
    }
    const admitted = adminCidrs.some((text) => {
        const cidr = parseCidr(text);
        // One address overlaps a block exactly when it lies inside it.
        return cidr !== undefined && cidrsOverlap(cidr, parsed);
    });
    if (!admitted) {
        problems.push(
            `${WHERE}.${stack}.agentEgressAddress: ${address} is not inside svom-fsgs:access.adminCidrs of Pulumi.${stack}.yaml ` +
                `(${adminCidrs.join(", ") || "none"}): add it there, or the agent cannot reach the bastion and the API`,
        );
    }
    return problems;
}

/** `access.adminCidrs` of the root stack file `Pulumi.<stack>.yaml`, as committed; empty when absent. */
export function adminCidrsOf(root: string, stack: string): string[] {
    const file = parse(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> } | null;
    const access = file?.config?.["svom-fsgs:access"] as { adminCidrs?: unknown } | undefined;
    return Array.isArray(access?.adminCidrs) ? access.adminCidrs.map(String) : [];
}
