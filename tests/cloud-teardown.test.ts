/**
 * Teardown leaves nothing behind: before the cluster goes, a command deletes the Kubernetes objects that made
 * cloud resources (LoadBalancer Services, claims of deletable volumes), while the cloud-controller-manager and
 * Cinder CSI still run. Pulumi deletes a resource only after everything that depends on it, so the command
 * must depend on those controllers and on every OpenStack resource its connection and the cleanup need.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Render, RenderedResource } from "../scripts/offline/render";
import { dependencyClosure } from "./support/dependencies";
import { TYPES, ofType, renderStack } from "./support/stacks";


/** One render per stack for the whole file. */
const renders = new Map<string, Promise<Render>>();
const rendered = (stack: "integration" | "preprod") => {
    if (!renders.has(stack)) {
        renders.set(stack, renderStack(stack));
    }
    return renders.get(stack) as Promise<Render>;
};

describe.each(["integration", "preprod"] as const)("%s: the cloud teardown command", (stack) => {
    let render: Render;
    let teardown: RenderedResource;
    beforeAll(async () => {
        render = await rendered(stack);
        const found = render.resources.filter((resource) => resource.name.endsWith("-cloud-teardown"));
        expect(found).toHaveLength(1);
        teardown = found[0];
    });

    it("is deleted before the cloud-controller-manager and Cinder CSI, which clean up after it", () => {
        const before = dependencyClosure(render, teardown);
        const controllers = render.resources.filter(
            (resource) => resource.custom && /-(openstack-ccm|cinder-csi)$/.test(resource.name),
        );
        expect(controllers.map((resource) => resource.name).sort()).toEqual([`fsgs-${stack}-cinder-csi`, `fsgs-${stack}-openstack-ccm`]);
        expect(controllers.filter((controller) => !before.has(controller.urn))).toEqual([]);
    });

    it("is deleted before the servers, the rules, the addresses and the network its connection and cleanup need", () => {
        const before = dependencyClosure(render, teardown);
        const needed = [
            ...ofType(render, TYPES.instance),
            ...ofType(render, TYPES.secGroupRule),
            ...ofType(render, TYPES.floatingIp),
            ...ofType(render, TYPES.routerInterface),
            ...ofType(render, TYPES.loadBalancer),
        ];
        expect(needed.length).toBeGreaterThan(20);
        expect(needed.filter((resource) => !before.has(resource.urn)).map((resource) => resource.name)).toEqual([]);
    });

    it("is depended on by nothing, so it never waits for what it must outlive", () => {
        const dependents = render.resources.filter((resource) => dependencyClosure(render, resource).has(teardown.urn));
        expect(dependents.map((resource) => resource.name)).toEqual([]);
    });

    it("does nothing at creation and has its work in delete, reaching the control plane through the bastion", () => {
        expect(teardown.inputs.create).toBeUndefined();
        expect(String(teardown.inputs.delete)).toContain("kubectl --kubeconfig=/etc/kubernetes/admin.conf");
        expect(teardown.inputs.connection).toBe("[secret]");
    });
});

describe("the teardown script, run by bash against a stand-in kubectl", () => {
    const integration = rendered("integration");

    /**
     * The stand-in answers the two listings as kubectl would after evaluating the jsonpath filter (which it does
     * not evaluate itself: that part is kubectl's), and records every other call.
     */
    function runTeardown(services: string, volumes: string, failListing = false) {
        const bin = mkdtempSync(join(tmpdir(), "teardown-"));
        const log = join(bin, "calls.log");
        writeFileSync(join(bin, "sudo"), '#!/bin/sh\nexec "$@"\n');
        writeFileSync(
            join(bin, "kubectl"),
            [
                "#!/bin/sh",
                `printf '%s\\n' "$*" | tr '\\n' ' ' >> "${log}"; echo >> "${log}"`,
                'case "$*" in',
                `  *"get services"*) ${failListing ? "exit 1" : `printf '${services}'`} ;;`,
                `  *"get persistentvolumes"*) printf '${volumes}' ;;`,
                "esac",
            ].join("\n"),
        );
        chmodSync(join(bin, "sudo"), 0o755);
        chmodSync(join(bin, "kubectl"), 0o755);
        writeFileSync(log, "");
        return integration.then((r) => {
            const script = String(r.resources.find((resource) => resource.name.endsWith("-cloud-teardown"))?.inputs.delete);
            const result = spawnSync("/bin/bash", ["-c", script], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin` } });
            const calls = readFileSync(log, "utf8").split("\n").filter((line) => !line.includes(" get ") && line !== "");
            return { status: result.status, calls };
        });
    }

    it("deletes each LoadBalancer Service and each claim of a deletable volume, waiting for the volume to go", async () => {
        const { status, calls } = await runTeardown(
            "ingress-nginx ingress-nginx-controller\\nfsgs vhf-listener\\n",
            "pvc-1 fsgs data-archive-0\\npvc-2  \\n",
        );
        expect(status).toBe(0);
        expect(calls.map((call) => call.replace(/^--kubeconfig=\S+ /, "").trim())).toEqual([
            "delete service --namespace ingress-nginx ingress-nginx-controller --ignore-not-found --wait=true --timeout=10m",
            "delete service --namespace fsgs vhf-listener --ignore-not-found --wait=true --timeout=10m",
            "delete persistentvolumeclaim --namespace fsgs data-archive-0 --ignore-not-found --wait=true --timeout=10m",
            "wait --for=delete persistentvolume/pvc-1 --timeout=10m",
            "wait --for=delete persistentvolume/pvc-2 --timeout=10m",
        ]);
    });

    it("fails (so destroy stops before the network) when the cluster cannot be listed", async () => {
        const { status, calls } = await runTeardown("", "", true);
        expect(status).not.toBe(0);
        expect(calls).toEqual([]);
    });
});
