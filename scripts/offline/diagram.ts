import type { StackConfig } from "../../components/config/schema";
import type { NodeAddress, NodesByRole } from "../../components/openstack/cluster-hosts";
import type { Render } from "./render";

interface EndpointOutput {
    privateAddress: string;
    publicAddress: string;
    port: number;
}

/** Mermaid node ids must be plain words. */
const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, "_");

function output<T>(render: Render, key: string): T {
    const found = render.outputs[key];
    if (!found) {
        throw new Error(`the render has no output ${key}`);
    }
    return found.value as T;
}

function volumeSizes(render: Render): Map<string, number> {
    const sizes = new Map<string, number>();
    for (const resource of render.resources) {
        if (resource.type === "openstack:blockstorage/volume:Volume") {
            sizes.set(resource.name.replace(/-data$/, ""), Number(resource.inputs.size));
        }
    }
    return sizes;
}

function nodeLines(nodes: readonly NodeAddress[], sizes: Map<string, number>): string[] {
    return nodes.map((node) => {
        const volume = sizes.get(node.name);
        return `        ${id(node.name)}["${node.name}<br/>${node.privateAddress}${volume ? `<br/>data ${volume} GiB` : ""}"]`;
    });
}

/** A Mermaid picture of one environment, drawn from what the program registered. */
export function architectureMermaid(render: Render, config: StackConfig): string {
    const nodes = output<NodesByRole>(render, "nodes");
    const endpoint = output<EndpointOutput>(render, "apiEndpoint");
    const bastion = output<string>(render, "bastionPublicAddress");
    const sizes = volumeSizes(render);
    const octavia = render.resources.some((resource) => resource.type === "svom:openstack:OctaviaApiEndpoint");
    const pools = [...new Set(nodes.workers.map((node) => node.pool ?? "workers"))];

    const lines = [
        "flowchart LR",
        `  admins(["Admin networks<br/>${config.access.adminCidrs.join("<br/>")}"])`,
        `  subgraph project["OpenStack project ${render.stack} at ${config.site.name}"]`,
        `    router{{"router to ${config.site.externalNetwork}"}}`,
        `    subgraph subnet["node subnet ${config.network.nodeCidr}"]`,
        `      bastion["bastion<br/>public ${bastion}"]`,
        octavia
            ? `      api[["Octavia load balancer<br/>${endpoint.privateAddress}:${endpoint.port}<br/>public ${endpoint.publicAddress}"]]`
            : `      api[["keepalived VIP<br/>${endpoint.privateAddress}:${endpoint.port}<br/>public ${endpoint.publicAddress}"]]`,
        `      subgraph controlplane["control plane: ${nodes.controlPlane.length} node${nodes.controlPlane.length === 1 ? "" : "s"}, hard anti-affinity, stacked etcd"]`,
        ...nodeLines(nodes.controlPlane, sizes),
        "      end",
        ...pools.flatMap((pool) => [
            `      subgraph pool_${id(pool)}["workers: ${pool}, soft anti-affinity"]`,
            ...nodeLines(
                nodes.workers.filter((node) => (node.pool ?? "workers") === pool),
                sizes,
            ),
            "      end",
        ]),
        "    end",
        "  end",
        "  admins -- SSH 22 --> bastion",
        "  admins -- HTTPS 6443 --> api",
        "  bastion -- SSH 22 --> controlplane",
        ...pools.map((pool) => `  bastion -- SSH 22 --> pool_${id(pool)}`),
        "  api -- 6443 --> controlplane",
        "  subnet --- router",
    ];
    return lines.join("\n");
}

/** The architecture page written beside plan.json. */
export function architectureMarkdown(render: Render, config: StackConfig): string {
    return [
        `# ${render.project}/${render.stack}: architecture`,
        "",
        "Drawn by `npm run plan` from the resources the program registers under mocks; addresses are the",
        "offline plan's placeholders (floating IPs from 203.0.113.0/24), not the real ones.",
        "",
        "```mermaid",
        architectureMermaid(render, config),
        "```",
        "",
        `Kubernetes ${config.cluster.kubernetesVersion}, CNI ${config.cluster.cni}, pod CIDR ${config.network.podCidr}, service CIDR ${config.network.serviceCidr}.`,
        "",
    ].join("\n");
}
