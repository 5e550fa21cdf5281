/**
 * The workers' data volumes have a job: the data_volumes role (proven on a loop device by
 * scripts/converge-data-volumes.sh) mounts each one for containerd and kubelet, found by its Cinder ID.
 * The program must hand every worker its own volume's ID, and the role must run before the runtime starts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Render } from "../scripts/offline/render";
import { RecordingCloud } from "./support/recording-cloud";
import { ROOT, TYPES, renderStack } from "./support/stacks";

describe("data volumes", () => {
    const cloud = new RecordingCloud();
    let render: Render;
    beforeAll(async () => {
        render = await renderStack("prod", undefined, cloud);
    });

    it("gives each worker of a pool with data volumes the Cinder ID of the volume attached to it", () => {
        const copy = render.resources.find((resource) => resource.name.endsWith("-ansible-inventory"));
        const inventory = parse(String((copy?.inputs.source as { stringAsset?: string }).stringAsset)) as {
            all: { children: Record<string, { hosts: Record<string, { data_volumes_volume_id?: string }> }> };
        };
        const attachments = cloud.ofType(TYPES.volumeAttach);
        expect(attachments.length).toBeGreaterThanOrEqual(3);
        const instanceName = (id: unknown) => render.resources.find((resource) => resource.type === TYPES.instance && resource.id === id)?.name;
        const volumeOf = new Map(attachments.map(([name, inputs]) => [String(name.replace(/-data-attach$/, "")), String(inputs.volumeId)]));
        const hosts = { ...inventory.all.children.workers.hosts, ...inventory.all.children.control_plane.hosts };
        for (const [host, vars] of Object.entries(hosts)) {
            expect([host, vars.data_volumes_volume_id]).toEqual([host, volumeOf.get(host)]);
        }
        for (const [name, inputs] of attachments) {
            expect(instanceName(inputs.instanceId)).toBe(name.replace(/-data-attach$/, ""));
        }
    });

    it("mounts them before containerd and kubelet first write, on every node", () => {
        const site = parse(readFileSync(join(ROOT, "playbooks", "site.yml"), "utf8")) as { hosts: string; roles?: (string | { role: string })[] }[];
        const prepare = site.find((play) => (play.roles ?? []).includes("container_runtime"));
        const roles = (prepare?.roles ?? []).map((role) => (typeof role === "string" ? role : role.role));
        expect(prepare?.hosts).toBe("control_plane:workers");
        expect(roles.indexOf("data_volumes")).toBeGreaterThanOrEqual(0);
        expect(roles.indexOf("data_volumes")).toBeLessThan(roles.indexOf("container_runtime"));
    });
});
