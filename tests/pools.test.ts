import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Render } from "../scripts/offline/render";
import { manifestsOf } from "./support/service-manifests";
import { ROOT, renderStack } from "./support/stacks";

/** The worker host variables of the inventory the program hands Ansible. */
function workerHosts(render: Render): Record<string, Record<string, string>> {
    const inventory = render.resources.find((resource) => resource.name.endsWith("-ansible-inventory"))?.inputs.source as { stringAsset: string };
    return (parse(inventory.stringAsset)).all.children.workers.hosts;
}

/** The kubelet defaults file the role writes, rendered with Jinja2 as Ansible would (python3-jinja2, Ansible's engine). */
function kubeletDefaults(vars: Record<string, string>): string {
    const template = readFileSync(join(ROOT, "playbooks/roles/kubernetes_packages/templates/kubelet-defaults.j2"), "utf8");
    const script = "import jinja2, json, sys\nprint(jinja2.Template(sys.argv[1]).render(**json.loads(sys.argv[2])))";
    return execFileSync("python3", ["-c", script, template, JSON.stringify({ ...vars, node_ip: "10.42.10.31" })], { encoding: "utf8" });
}

describe("worker pools with a purpose", () => {
    let prod: Render;
    beforeAll(async () => {
        prod = await renderStack("prod");
    });

    it("label every prod worker with its pool and role, and taint only the stateful pool, at join", () => {
        const hosts = workerHosts(prod);
        const stateful = Object.entries(hosts).filter(([name]) => name.includes("-stateful-"));
        const general = Object.entries(hosts).filter(([name]) => name.includes("-general-"));
        expect([stateful.length, general.length]).toEqual([3, 4]);
        for (const [, vars] of stateful) {
            expect(vars.kubelet_node_labels).toBe("fsgs.svom.eu/pool=stateful,fsgs.svom.eu/pool-role=stateful");
            expect(vars.kubelet_node_taints).toBe("fsgs.svom.eu/dedicated=stateful:NoSchedule");
        }
        for (const [, vars] of general) {
            expect(vars.kubelet_node_labels).toBe("fsgs.svom.eu/pool=general,fsgs.svom.eu/pool-role=general");
            expect(vars.kubelet_node_taints).toBeUndefined();
        }
    });

    it("hand those to kubelet's --node-labels and --register-with-taints, and nothing extra to a plain node", () => {
        const [[, stateful]] = Object.entries(workerHosts(prod)).filter(([name]) => name.includes("-stateful-"));
        expect(kubeletDefaults(stateful)).toContain(
            "KUBELET_EXTRA_ARGS=--node-ip=10.42.10.31 --cloud-provider=external --node-labels=fsgs.svom.eu/pool=stateful,fsgs.svom.eu/pool-role=stateful --register-with-taints=fsgs.svom.eu/dedicated=stateful:NoSchedule\n",
        );
        expect(kubeletDefaults({})).toContain("KUBELET_EXTRA_ARGS=--node-ip=10.42.10.31 --cloud-provider=external\n");
    });

    it("schedule prod's stateful services on the stateful pool, tolerating its taint, and nothing else there", () => {
        const workloads = manifestsOf("prod").filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet");
        for (const workload of workloads) {
            const pod = workload.spec.template.spec;
            const onStateful = workload.kind === "StatefulSet";
            expect([workload.metadata.name, pod.nodeSelector, pod.tolerations]).toEqual([
                workload.metadata.name,
                onStateful ? { "fsgs.svom.eu/pool-role": "stateful" } : undefined,
                onStateful ? [{ key: "fsgs.svom.eu/dedicated", operator: "Equal", value: "stateful", effect: "NoSchedule" }] : undefined,
            ]);
        }
    });

    it("leave scheduling free where a stack has no stateful pool", () => {
        for (const stack of ["integration", "preprod"] as const) {
            for (const workload of manifestsOf(stack).filter((m) => m.kind === "StatefulSet")) {
                expect([stack, workload.metadata.name, workload.spec.template.spec.nodeSelector]).toEqual([stack, workload.metadata.name, undefined]);
            }
        }
    });
});
