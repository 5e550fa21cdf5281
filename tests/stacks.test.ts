import type { Render } from "../scripts/offline/render";
import { ProgramFailedError } from "../scripts/offline/render";
import { worldOpenSensitiveRules } from "../scripts/offline/report";
import { STACKS, type StackName, TYPES, ofType, renderStack } from "./support/stacks";

const renders = new Map<StackName, Render>();

beforeAll(async () => {
    for (const stack of STACKS) {
        renders.set(stack, await renderStack(stack));
    }
});

const rendered = (stack: StackName): Render => {
    const render = renders.get(stack);
    if (!render) {
        throw new Error(`${stack} was not rendered`);
    }
    return render;
};

const byUrn = (render: Render, urn: unknown) => render.resources.find((resource) => resource.urn === urn);

describe.each(STACKS)("the %s stack", (stack) => {
    it("registers the environment, the cluster and the Kubernetes provider at the top", () => {
        const render = rendered(stack);
        const roots = render.resources.filter((resource) => resource.parent === undefined);
        expect(roots.map((resource) => resource.type).sort()).toEqual([
            "pulumi:providers:kubernetes",
            "svom:cluster:KubeadmCluster",
            "svom:kubernetes:FsgsServices",
            "svom:kubernetes:Platform",
            "svom:openstack:Environment",
        ]);
        const components = render.resources
            .filter((resource) => !resource.custom && /^svom:(openstack|cluster|ansible):/.test(resource.type))
            .map((resource) => resource.type);
        expect(new Set(components)).toEqual(
            new Set([
                "svom:openstack:Environment",
                "svom:cluster:KubeadmCluster",
                "svom:ansible:PlaybookRun",
                "svom:ansible:AuthorizedDeployKeys",
                "svom:cluster:NodeRemoval",
                "svom:cluster:EtcdBackupCredentials",
                "svom:openstack:Network",
                "svom:openstack:SecurityGroups",
                "svom:openstack:Bastion",
                "svom:openstack:NodePool",
                stack === "integration" ? "svom:openstack:VipApiEndpoint" : "svom:openstack:OctaviaApiEndpoint",
            ]),
        );
    });

    it("installs the OpenStack cloud-controller-manager and Cinder CSI, through the cluster's provider", () => {
        const releases = rendered(stack).resources.filter((resource) => resource.type === "kubernetes:helm.sh/v3:Release");
        const charts = releases.map((release) => release.inputs.chart);
        expect(charts).toEqual(expect.arrayContaining(["openstack-cloud-controller-manager", "openstack-cinder-csi"]));
    });

    it("sends every Kubernetes resource through the one provider built from the cluster's kubeconfig", () => {
        const render = rendered(stack);
        const providers = render.resources.filter((resource) => resource.type === "pulumi:providers:kubernetes");
        expect(providers).toHaveLength(1);
        const kubernetesResources = render.resources.filter((resource) => resource.type.startsWith("kubernetes:"));
        expect(kubernetesResources.length).toBeGreaterThan(50);
        for (const resource of kubernetesResources) {
            expect([resource.name, resource.provider?.split("::").slice(0, -1).join("::")]).toEqual([resource.name, providers[0].urn]);
        }
    });

    it("exports every node with its private address", () => {
        const { nodes } = rendered(stack).outputs;
        const value = nodes.value as { controlPlane: { privateAddress: string }[]; workers: { privateAddress: string }[] };
        const instances = ofType(rendered(stack), TYPES.instance).filter((resource) => !resource.name.endsWith("-bastion"));
        expect(value.controlPlane.length + value.workers.length).toBe(instances.length);
        for (const node of [...value.controlPlane, ...value.workers]) {
            expect(node.privateAddress).toMatch(/^10\.4[0-2]\.10\.\d+$/);
        }
    });

    it("attaches one data volume to every worker", () => {
        const render = rendered(stack);
        const volumes = ofType(render, TYPES.volume);
        const workers = (render.outputs.nodes.value as { workers: unknown[] }).workers;
        expect(volumes).toHaveLength(workers.length);
        expect(ofType(render, TYPES.volumeAttach)).toHaveLength(workers.length);
    });

    it("makes no instance follow a change of image, user data or keypair", () => {
        for (const instance of ofType(rendered(stack), TYPES.instance)) {
            expect(instance.ignoreChanges).toEqual(expect.arrayContaining(["imageId", "userData", "keyPair", "blockDevices"]));
        }
    });

    it("creates every floating IP after the router interface that makes it possible", () => {
        const render = rendered(stack);
        const routerInterface = ofType(render, TYPES.routerInterface)[0];
        const floatingIps = ofType(render, TYPES.floatingIp);
        expect(floatingIps).toHaveLength(2);
        for (const floatingIp of floatingIps) {
            expect(floatingIp.dependsOn).toContain(routerInterface.urn);
        }
    });

    it("opens no sensitive port to the Internet", () => {
        expect(worldOpenSensitiveRules(rendered(stack).resources)).toEqual([]);
    });

    it("renders the same inputs twice", async () => {
        const again = await renderStack(stack);
        expect(again.resources).toEqual(rendered(stack).resources);
        expect(again.outputs).toEqual(rendered(stack).outputs);
    });
});

describe("prod", () => {
    it("runs 3 control-plane nodes in one hard anti-affinity server group", () => {
        const render = rendered("prod");
        const group = ofType(render, TYPES.serverGroup).find((resource) => resource.name === "fsgs-prod-cp-affinity");
        expect(group?.inputs.policies).toEqual(["anti-affinity"]);
        const controlPlanes = ofType(render, TYPES.instance).filter((resource) => /-cp-\d+$/.test(resource.name));
        expect(controlPlanes).toHaveLength(3);
        for (const instance of controlPlanes) {
            expect(instance.inputs.schedulerHints).toEqual([{ group: group?.id }]);
        }
    });

    it("protects every data volume and keeps it if it leaves the program", () => {
        const volumes = ofType(rendered("prod"), TYPES.volume);
        expect(volumes.length).toBeGreaterThan(0);
        for (const volume of volumes) {
            expect([volume.name, volume.protect, volume.retainOnDelete]).toEqual([volume.name, true, true]);
        }
    });

    it("protects the API endpoint, whose address every certificate and kubeconfig names", () => {
        const render = rendered("prod");
        const endpoint = [...ofType(render, TYPES.loadBalancer), ...ofType(render, TYPES.floatingIp)].filter((resource) =>
            resource.name.startsWith("fsgs-prod-api"),
        );
        expect(endpoint.map((resource) => resource.protect)).toEqual([true, true]);
    });

    it("puts every control plane behind the Octavia listener, open to admins and nodes only", () => {
        const render = rendered("prod");
        const listener = ofType(render, TYPES.listener)[0];
        expect(listener.inputs).toMatchObject({ protocol: "TCP", protocolPort: 6443, allowedCidrs: ["10.42.10.0/24", "134.158.88.0/24"] });
        const cpAddresses = (render.outputs.nodes.value as { controlPlane: { privateAddress: string }[] }).controlPlane.map(
            (node) => node.privateAddress,
        );
        expect(ofType(render, TYPES.member).map((member) => member.inputs.address).sort()).toEqual(cpAddresses.sort());
    });
});

describe("integration", () => {
    it("does not protect its volumes: the stack is rebuilt at will", () => {
        for (const volume of ofType(rendered("integration"), TYPES.volume)) {
            expect([volume.protect, volume.retainOnDelete]).toEqual([false, false]);
        }
    });

    it("lets the control-plane ports answer for the keepalived VIP", () => {
        const render = rendered("integration");
        const endpoint = render.outputs.apiEndpoint.value as { privateAddress: string };
        const controlPlanePorts = ofType(render, TYPES.port).filter((port) => /-cp-\d+-port$/.test(port.name));
        expect(controlPlanePorts).toHaveLength(1);
        for (const port of controlPlanePorts) {
            expect(port.inputs.allowedAddressPairs).toEqual([{ ipAddress: endpoint.privateAddress }]);
            expect(port.inputs.securityGroupIds).toHaveLength(2);
        }
        const workerPorts = ofType(render, TYPES.port).filter((port) => /-general-\d+-port$/.test(port.name));
        for (const port of workerPorts) {
            expect(port.inputs.allowedAddressPairs ?? []).toEqual([]);
        }
    });
});

describe("a wrong config", () => {
    it("fails the program before a single resource is registered", async () => {
        const failure = await renderStack("prod", (config) => {
            (config.cluster as { controlPlane: { count: number } }).controlPlane.count = 2;
        }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ProgramFailedError);
        const { message, registered } = failure as ProgramFailedError;
        expect(message).toContain("svom-fsgs:cluster.controlPlane.count: prod needs an odd number >= 3 (etcd quorum), got 2");
        expect(registered).toEqual([]);
    });

    it("lets a world-open rule show in the plan's safety check", async () => {
        const render = await renderStack("integration", (config) => {
            (config.access as { adminCidrs: string[] }).adminCidrs = ["0.0.0.0/0"];
        });
        expect(worldOpenSensitiveRules(render.resources).map((rule) => rule.name)).toEqual(
            expect.arrayContaining(["fsgs-integration-sg-bastion-tcp-22-from-0-0-0-0-0"]),
        );
    });
});

describe("scaling", () => {
    it("adds a worker without touching any existing OpenStack resource's inputs", async () => {
        const before = rendered("preprod");
        const after = await renderStack("preprod", (config) => {
            (config.cluster as { workerPools: { count: number }[] }).workerPools[0].count += 1;
        });
        const added = after.resources.filter((resource) => !byUrn(before, resource.urn));
        expect(added.map((resource) => resource.name).sort()).toEqual([
            // Its own Ansible run (site.yml limited to it and a control plane); the stack's deploy keys written on it
            // before anything else logs in to it.
            "fsgs-preprod-ansible-join-fsgs-preprod-general-5",
            "fsgs-preprod-authorized-deploy-keys-fsgs-preprod-general-5",
            "fsgs-preprod-general-5",
            "fsgs-preprod-general-5-data",
            "fsgs-preprod-general-5-data-attach",
            "fsgs-preprod-general-5-host-key",
            "fsgs-preprod-general-5-port",
            // Its removal command: nothing runs now; it drains the node if the worker is removed later.
            "fsgs-preprod-node-removal-fsgs-preprod-general-5",
        ]);
        for (const resource of before.resources.filter((r) => r.type.startsWith("openstack:"))) {
            expect([resource.name, byUrn(after, resource.urn)?.inputs]).toEqual([resource.name, resource.inputs]);
        }
    });
});
