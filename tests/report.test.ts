import { parseStackConfig } from "../components/config/load";
import { architectureMermaid } from "../scripts/offline/diagram";
import type { Render } from "../scripts/offline/render";
import { countByType, displayType, formatReport, formatTree } from "../scripts/offline/report";
import { rawConfig, renderStack } from "./support/stacks";

let prod: Render;
beforeAll(async () => {
    prod = await renderStack("prod");
});

describe("the plan report", () => {
    it("shortens provider types and keeps component names", () => {
        expect(displayType("openstack:networking/secGroupRule:SecGroupRule")).toBe("networking.SecGroupRule");
        expect(displayType("svom:openstack:NodePool")).toBe("NodePool");
    });

    it("counts every custom resource once", () => {
        const custom = prod.resources.filter((resource) => resource.custom);
        const total = countByType(custom).reduce((sum, [, count]) => sum + count, 0);
        expect(total).toBe(custom.length);
    });

    it("draws every resource once in the tree, under its parent", () => {
        const lines = formatTree(prod.resources);
        expect(lines).toHaveLength(prod.resources.length);
        expect(lines).toContain("fsgs-prod  Environment (component)");
        const volumeLine = lines.find((line) => line.includes("fsgs-prod-stateful-1-data  blockstorage.Volume"));
        expect(volumeLine).toContain("[protected; retained on delete; ignores drift]");
        expect(volumeLine?.startsWith("│  ├─ ")).toBe(true);
    });

    it("says in its safety section that nothing sensitive is open to the Internet", () => {
        expect(formatReport(prod)).toContain(
            "rules opening SSH, the API, etcd, kubelet, controller-manager or scheduler to the Internet: none",
        );
    });
});

describe("the architecture diagram", () => {
    const config = parseStackConfig(rawConfig("prod"));

    it("shows every node with its address and the Octavia endpoint", () => {
        const diagram = architectureMermaid(prod, config);
        const nodes = prod.outputs.nodes.value as { controlPlane: { name: string; privateAddress: string }[]; workers: { name: string; privateAddress: string }[] };
        for (const node of [...nodes.controlPlane, ...nodes.workers]) {
            expect(diagram).toContain(`${node.name}<br/>${node.privateAddress}`);
        }
        expect(diagram).toContain("Octavia load balancer");
        expect(diagram).toContain('subgraph pool_stateful["workers: stateful, soft anti-affinity"]');
    });

    it("is a Mermaid flowchart whose subgraphs are all closed", () => {
        const lines = architectureMermaid(prod, config).split("\n").map((line) => line.trim());
        expect(lines[0]).toBe("flowchart LR");
        expect(lines.filter((line) => line.startsWith("subgraph ")).length).toBe(lines.filter((line) => line === "end").length);
    });
});
