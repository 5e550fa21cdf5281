/**
 * A stack's life as an operator lives it, simulated: each scenario renders the program before and after a
 * change, computes the engine's steps (scripts/offline/lifecycle/engine.ts) and applies them to a fake
 * OpenStack project that refuses what the real one refuses (fake-openstack.ts, reachability.ts, cluster.ts).
 * Scenarios whose comment starts "Was issue 8 item 4" were written as `test.failing` against the defect and
 * became plain tests when its fix landed: each failed on the code before that fix.
 */
import { planSteps } from "../scripts/offline/lifecycle/engine";
import { nodePortProblem } from "../scripts/offline/lifecycle/reachability";
import { ProgramFailedError } from "../scripts/offline/render";
import { RenderCache, change, deployed, isKubernetes, isOpenStack, stepLines } from "./support/lifecycle";

const cache = new RenderCache();
const ansibleRun = (stack: string) => `fsgs-${stack}-ansible-run`;

describe("first up and a second up with no change", () => {
    test.each(["integration", "prod"] as const)("the first up of %s completes and runs Ansible once", async (stack) => {
        const { deployment, outcome } = deployed(stack, await cache.get(stack));
        expect(outcome.error).toBeUndefined();
        expect(deployment.runs.get(ansibleRun(stack))).toBe(1);
        expect(deployment.cluster.alive()).toBe(true);
    });

    // vhf-listener gets no load balancer: preprod lists no network for it yet (exposeSourceRanges: []).
    test("the first up of preprod completes; its cluster then makes the Gateway's load balancer and the claims' volumes", async () => {
        const { deployment, outcome } = deployed("preprod", await cache.get("preprod"));
        expect(outcome.error).toBeUndefined();
        const made = deployment.cloud.all().filter((object) => object.owner === "cloud-controller-manager" || object.owner === "cinder-csi");
        expect(made.map((object) => object.kind).sort()).toEqual(["floatingIp", "loadBalancer", "port", "volume", "volume", "volume", "volume", "volume", "volume", "volume"]);
        // The database's three instances, the broker's three nodes, and Grafana's users and dashboards.
        expect(made.filter((object) => object.kind === "volume").map((object) => object.name).sort()).toEqual([
            "pvc-fsgs-data/database-1",
            "pvc-fsgs-data/database-2",
            "pvc-fsgs-data/database-3",
            "pvc-fsgs-messaging/persistence-message-broker-server-0",
            "pvc-fsgs-messaging/persistence-message-broker-server-1",
            "pvc-fsgs-messaging/persistence-message-broker-server-2",
            "pvc-monitoring/grafana",
        ]);
    });

    // Helm deletes a release's objects when the release goes (a replacement: delete, then create), the chart's claim
    // with them, unless the claim says helm.sh/resource-policy: keep: then the next release takes the same claim and
    // volume over. Without it, prod's Retain class would leave the old volume behind and give Grafana a new, empty one.
    test.each([
        ["prod", "the same volume"],
        ["preprod", "a new, empty volume"],
    ] as const)("when Grafana's release is replaced, %s gives the new release %s", async (stack, outcome) => {
        const render = await cache.get(stack);
        const { deployment } = deployed(stack, render);
        const release = render.resources.find((resource) => resource.type === "kubernetes:helm.sh/v3:Release" && resource.name.endsWith("-kube-prometheus-stack"))!;
        const grafanaVolumes = () => deployment.cloud.live("volume").filter((volume) => volume.name === "pvc-monitoring/grafana").map((volume) => volume.id);
        const before = grafanaVolumes();
        expect(before).toHaveLength(1);
        deployment.cluster.remove(release);
        deployment.cluster.settle();
        deployment.cluster.apply(release);
        deployment.cluster.settle();
        const after = grafanaVolumes();
        expect(after).toHaveLength(1);
        expect(after[0] === before[0] ? "the same volume" : "a new, empty volume").toBe(outcome);
    });

    // Two independent renders of one config, as two `pulumi up` runs make.
    test.each(["integration"] as const)("a second up of %s with no change has no step at all", async (stack) => {
        const first = await cache.get(stack);
        const again = await cache.get(stack, "rendered again", () => undefined);
        const { deployment } = deployed(stack, first);
        const plan = planSteps(first, again);
        expect(plan.steps).toEqual([]);
        deployment.apply(plan);
        expect(deployment.runs.get(ansibleRun(stack))).toBe(1);
    });
});

describe("traffic from outside integration, which has no load balancer (vip mode)", () => {
    // Addresses written out from Pulumi.integration.yaml: admin networks 134.158.64.0/20 and 134.158.88.0/24,
    // vhf-listener's network 192.0.2.0/24; NodePorts 30080/30443 (Gateway) and 30900 (vhf-listener).
    test("a client on an admin network reaches the Gateway's NodePorts on every worker; one outside them is dropped", async () => {
        const { deployment, outcome } = deployed("integration", await cache.get("integration"));
        expect(outcome.error).toBeUndefined();
        expect(nodePortProblem(deployment.cloud, "134.158.64.10", 30443, "tcp")).toBeUndefined();
        expect(nodePortProblem(deployment.cloud, "134.158.88.7", 30080, "tcp")).toBeUndefined();
        expect(nodePortProblem(deployment.cloud, "134.158.96.10", 30443, "tcp")).toMatch(/dropped: no rule of fsgs-integration-general-1, fsgs-integration-general-2/);
        // An admin network is not a ground station, and the Gateway's port is no other NodePort.
        expect(nodePortProblem(deployment.cloud, "134.158.64.10", 30900, "udp")).toMatch(/dropped/);
        expect(nodePortProblem(deployment.cloud, "134.158.64.10", 30081, "tcp")).toMatch(/dropped/);
    });

    test("a ground-station relay in vhf-listener's declared network reaches its NodePort over UDP and TCP; one outside it is dropped", async () => {
        const { deployment } = deployed("integration", await cache.get("integration"));
        expect(nodePortProblem(deployment.cloud, "192.0.2.10", 30900, "udp")).toBeUndefined();
        expect(nodePortProblem(deployment.cloud, "192.0.2.10", 30900, "tcp")).toBeUndefined();
        expect(nodePortProblem(deployment.cloud, "198.51.100.10", 30900, "udp")).toMatch(/dropped/);
        expect(nodePortProblem(deployment.cloud, "192.0.2.10", 30443, "tcp")).toMatch(/dropped/);
    });
});

test("a render records what the engine needs: outputs, property dependencies, timeouts, where commands connect", async () => {
    const render = await cache.get("integration");
    const byName = (name: string) => render.resources.find((resource) => resource.name === name);
    const fip = byName("fsgs-integration-bastion-fip");
    expect(fip?.outputs.address).toMatch(/^203\.0\.113\.\d+$/);
    expect(fip?.propertyDependencies.portId).toEqual([byName("fsgs-integration-bastion-port")?.urn]);
    expect(byName(ansibleRun("integration"))?.customTimeouts).toEqual({ create: "60m", update: "60m" });
    const kubeconfig = byName("fsgs-integration-admin-kubeconfig");
    expect(kubeconfig?.connection).toMatchObject({ host: expect.stringMatching(/^10\.40\.10\./), proxyHost: fip?.outputs.address });
    // The digest tells a rotated secret apart without holding it.
    expect(kubeconfig?.secretDigests.connection).toMatch(/^[0-9a-f]{16}$/);
    // The deploy key's placeholder body never reaches a render, in inputs or in outputs.
    expect(JSON.stringify(render)).not.toContain("offline-plan-placeholder");
});

describe("add a worker to prod's general pool", () => {
    const addWorker = (config: Record<string, unknown>) => {
        (config.cluster as { workerPools: { count: number }[] }).workerPools[0].count += 1;
    };

    test("creates the server, its port and data volume, and runs Ansible for the new worker only", async () => {
        const { plan } = await change(cache, "prod", "add a worker", addWorker);
        expect(stepLines(plan, isOpenStack)).toEqual([
            "create fsgs-prod-general-5-data",
            "create fsgs-prod-general-5-port",
            "create fsgs-prod-general-5",
            "create fsgs-prod-general-5-data-attach",
        ]);
        // The new worker's join command (site.yml limited to it and a control plane), the files it reads, and the
        // new server's removal command and deploy keys; the cluster-wide run and every other worker's join stay as they are.
        expect(stepLines(plan, (type) => type.startsWith("command:"))).toEqual([
            "create fsgs-prod-authorized-deploy-keys-fsgs-prod-general-5",
            "update fsgs-prod-ansible-inventory",
            "update fsgs-prod-ansible-known-hosts",
            "update fsgs-prod-ansible-worker-keys",
            "create fsgs-prod-ansible-join-fsgs-prod-general-5",
            "create fsgs-prod-node-removal-fsgs-prod-general-5",
        ]);
        const { deployment } = deployed("prod", await cache.get("prod"));
        expect(deployment.apply(plan).error).toBeUndefined();
        expect(deployment.runs.get(ansibleRun("prod"))).toBe(1);
        expect(deployment.runs.get("fsgs-prod-ansible-join-fsgs-prod-general-5")).toBe(1);
    });

    // Was issue 8 item 4: the kubeconfig is unknown while admin-kubeconfig is replaced, and the provider had no
    // clusterIdentifier, so the provider and every Kubernetes resource were replaced.
    test("replaces no Kubernetes resource", async () => {
        const { plan } = await change(cache, "prod", "add a worker", addWorker);
        expect(stepLines(plan, isKubernetes).filter((line) => line.startsWith("replace"))).toEqual([]);
    });
});

describe("remove a worker", () => {
    const removeWorker = (config: Record<string, unknown>) => {
        (config.cluster as { workerPools: { count: number }[] }).workerPools[0].count -= 1;
    };

    test("integration deletes the last server of the pool, its port and volume, after detaching it", async () => {
        const { plan } = await change(cache, "integration", "remove a worker", removeWorker);
        expect(stepLines(plan, isOpenStack)).toEqual([
            "delete fsgs-integration-general-3-data-attach",
            "delete fsgs-integration-general-3",
            "delete fsgs-integration-general-3-port",
            "delete fsgs-integration-general-3-data",
        ]);
        const { deployment } = deployed("integration", await cache.get("integration"));
        expect(deployment.apply(plan).error).toBeUndefined();
        expect(deployment.cloud.all().some((object) => object.name === "fsgs-integration-general-3")).toBe(false);
    });

    test("prod refuses: the removed worker's data volume is protected, and nothing is touched", async () => {
        const { plan } = await change(cache, "prod", "remove a worker", removeWorker);
        expect(plan.refusals).toEqual(["fsgs-prod-general-4-data is protected: the engine refuses to delete it"]);
        const { deployment } = deployed("prod", await cache.get("prod"));
        const before = deployment.cloud.all().length;
        expect(deployment.apply(plan).ok).toBe(false);
        expect(deployment.cloud.all()).toHaveLength(before);
    });
});

describe("up --replace", () => {
    const scenarios = [
        ["a worker", "integration", "fsgs-integration-general-1"],
        ["the first control plane", "prod", "fsgs-prod-cp-1"],
        ["the bastion", "integration", "fsgs-integration-bastion"],
    ] as const;

    // Was issue 8 item 4 (clusterIdentifier): once servers are deleted before being replaced, every dependent the
    // engine replaces goes first; through the kubeconfig that was the provider and every Kubernetes object,
    // namespaces (and so the claims in them) included.
    test("the first control plane deletes no Kubernetes object", async () => {
        const { plan } = await change(cache, "prod", "as committed", () => undefined, { replace: ["fsgs-prod-cp-1"] });
        const { deployment } = deployed("prod", await cache.get("prod"));
        const { log } = deployment.apply(plan);
        const kubernetes = new Set(plan.steps.filter((step) => isKubernetes(step.type)).map((step) => `delete ${step.name}`));
        expect(log.filter((line) => kubernetes.has(line))).toEqual([]);
    });

    test.each(scenarios)("%s replaces the server and nothing else on the OpenStack side", async (_label, stack, server) => {
        const { plan } = await change(cache, stack, "as committed", () => undefined, { replace: [server] });
        expect(stepLines(plan, isOpenStack).filter((line) => !line.endsWith("-data-attach"))).toEqual([`replace ${server}`]);
    });

    // Was issue 8 item 4's PortInUse: the server was created before the old one went, on the port the old one held.
    test.each(scenarios)("%s: the cloud accepts the replacement (no PortInUse)", async (_label, stack, server) => {
        const { plan } = await change(cache, stack, "as committed", () => undefined, { replace: [server] });
        const { deployment } = deployed(stack, await cache.get(stack));
        expect(deployment.apply(plan).error).toBeUndefined();
    });

    // Was issue 8 item 4: a new server at the same address is bare, and Ansible's trigger ignored identities.
    // A control plane or the bastion: the cluster-wide run; a worker: only its own join command.
    test.each(scenarios)("%s runs Ansible again", async (label, stack, server) => {
        const { plan } = await change(cache, stack, "as committed", () => undefined, { replace: [server] });
        const ansible = stepLines(plan, (type) => type === "command:remote:Command").filter((line) => line.includes("-ansible-run") || line.includes("-ansible-join-"));
        expect(ansible).toEqual(label === "a worker" ? [`replace fsgs-${stack}-ansible-join-${server}`] : [`replace ${ansibleRun(stack)}`]);
    });
});

// Was issue 8 item 4: a new bastion is bare, yet nothing it needs depended on its identity.
test("up --replace the bastion gives the new bastion the deploy key, the playbooks and the inventory again", async () => {
    const { plan } = await change(cache, "integration", "as committed", () => undefined, { replace: ["fsgs-integration-bastion"] });
    const touched = plan.steps.filter((step) => step.kind !== "delete").map((step) => step.name);
    expect(touched).toEqual(
        expect.arrayContaining([
            "fsgs-integration-ansible-bastion-ready",
            "fsgs-integration-ansible-deploy-key",
            "fsgs-integration-ansible-playbooks",
            "fsgs-integration-ansible-inventory",
        ]),
    );
});

// Rotating the deploy key: tests/lifecycle-key-rotation.test.ts.

describe("site changes", () => {
    test("a new image changes no server: servers keep theirs until replaced on purpose", async () => {
        const { plan } = await change(cache, "prod", "new image", (config) => {
            (config.site as { image: { name: string } }).image.name = "ubuntu-24.04-server-cloudimg-amd64-20261201";
        });
        expect(plan.steps).toEqual([]);
    });

    // Was issue 8 item 4: volume_type is ForceNew and prod's data volumes are protected.
    test("a new volume type does not block an up of prod", async () => {
        const { plan } = await change(cache, "prod", "new volume type", (config) => {
            (config.site as { volumeType: string }).volumeType = "ceph-hdd";
        });
        expect(plan.refusals).toEqual([]);
    });

    /** The first error an up of the changed config meets: the program's config check, the engine or the cloud. */
    const firstError = async (name: string, edit: (config: Record<string, unknown>) => void): Promise<string> => {
        try {
            const { plan } = await change(cache, "prod", name, edit);
            return deployed("prod", await cache.get("prod")).deployment.apply(plan).error ?? "accepted";
        } catch (error) {
            return error instanceof ProgramFailedError ? error.message : String(error);
        }
    };

    // Was issue 8 item 4: Octavia refuses an IPv6 entry in the IPv4 listener's allowed_cidrs.
    test("an IPv6 admin network is refused by the config check with its key named, or accepted by the cloud", async () => {
        const error = await firstError("IPv6 admin network", (config) => {
            const access = config.access as { adminCidrs: string[] };
            access.adminCidrs = [...access.adminCidrs, "2001:db8:1::/48"];
        });
        expect(error).toMatch(/^accepted$|access\.adminCidrs/);
    });

    // Was issue 8 item 4: the same network twice named two rules alike, which the engine refuses.
    test("an admin network listed twice is refused by the config check with its key named, or harmless", async () => {
        const error = await firstError("admin network twice", (config) => {
            const access = config.access as { adminCidrs: string[] };
            access.adminCidrs = [...access.adminCidrs, access.adminCidrs[0]];
        });
        expect(error).toMatch(/^accepted$|access\.adminCidrs/);
    });

    test("a new admin network opens SSH and the API to it, and the cloud accepts it", async () => {
        const { plan } = await change(cache, "prod", "new admin network", (config) => {
            const access = config.access as { adminCidrs: string[] };
            access.adminCidrs = [...access.adminCidrs, "193.48.80.0/24"];
        });
        expect(stepLines(plan)).toEqual([
            "create fsgs-prod-sg-apiEndpoint-tcp-6443-from-193-48-80-0-24",
            "create fsgs-prod-sg-bastion-tcp-22-from-193-48-80-0-24",
            "update fsgs-prod-api-listener",
        ]);
        const { deployment } = deployed("prod", await cache.get("prod"));
        expect(deployment.apply(plan).error).toBeUndefined();
    });
});

describe("destroy", () => {
    // Was issue 8 item 4: no remote command depended on the security-group rules, which went first, so the
    // deploy-key delete and every Kubernetes delete lost their way in, and the claims' volumes outlived the cluster.
    test("destroy of integration completes and leaves nothing in the project", async () => {
        const first = await cache.get("integration");
        const { deployment } = deployed("integration", first);
        const outcome = deployment.apply(planSteps(first, undefined));
        expect([outcome.error, deployment.leftovers()]).toEqual([undefined, []]);
    });

    // As above; preprod's cluster also made the ingress load balancer.
    test("destroy of preprod completes and leaves nothing, the ingress load balancer and the claims' volumes included", async () => {
        const first = await cache.get("preprod");
        const { deployment } = deployed("preprod", first);
        const outcome = deployment.apply(planSteps(first, undefined));
        expect([outcome.error, deployment.leftovers()]).toEqual([undefined, []]);
    });

    // The same destroy with the teardown command taken out of the render: what the program did before item 5.
    test("without the teardown command, preprod's destroy stops at the router interface the CCM's floating IP needs", async () => {
        const full = await cache.get("preprod");
        const teardown = new Set(
            full.resources.filter((resource) => typeof resource.inputs.delete === "string" && resource.inputs.delete.includes("delete service")).map((resource) => resource.urn),
        );
        expect(teardown.size).toBe(1);
        const without = {
            ...full,
            resources: full.resources
                .filter((resource) => !teardown.has(resource.urn))
                .map((resource) => ({ ...resource, dependsOn: resource.dependsOn.filter((urn) => !teardown.has(urn)) })),
        };
        const { deployment } = deployed("preprod", without);
        const outcome = deployment.apply(planSteps(without, undefined));
        expect(outcome.error).toMatch(/^409 RouterInterfaceInUseByFloatingIP/);
        expect(deployment.leftovers()).toEqual(
            expect.arrayContaining(["volume pvc-fsgs-data/database-1 (cinder-csi)", "volume pvc-fsgs-messaging/persistence-message-broker-server-2 (cinder-csi)", "volume pvc-monitoring/grafana (cinder-csi)"]),
        );
    });

    test("destroy of prod is refused while protected resources exist, and the data volumes stay", async () => {
        const first = await cache.get("prod");
        const { deployment } = deployed("prod", first);
        const plan = planSteps(first, undefined);
        expect(plan.refusals).toEqual(expect.arrayContaining(["fsgs-prod-stateful-1-data is protected: the engine refuses to delete it"]));
        const outcome = deployment.apply(plan);
        expect(outcome.ok).toBe(false);
        expect(deployment.cloud.live("volume").map((volume) => volume.name)).toEqual(expect.arrayContaining(["fsgs-prod-general-1-data", "fsgs-prod-stateful-3-data"]));
    });
});
