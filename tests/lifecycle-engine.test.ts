/** The step simulator and the fake cloud on hand-made registrations: each rule shown holding and shown failing. */
import type { Render, RenderedResource } from "../scripts/offline/render";
import { ClusterModel } from "../scripts/offline/lifecycle/cluster";
import { Deployment } from "../scripts/offline/lifecycle/deploy";
import { planSteps } from "../scripts/offline/lifecycle/engine";
import { FakeOpenStack } from "../scripts/offline/lifecycle/fake-openstack";
import { deletionWaves } from "../scripts/offline/lifecycle/graph";
import { replacingPaths } from "../scripts/offline/lifecycle/replacement-rules";
import { apiProblem, sshProblem } from "../scripts/offline/lifecycle/reachability";
import { applySetting, parseSetting } from "../scripts/offline/lifecycle/settings";

const urn = (type: string, name: string) => `urn:pulumi:test::p::${type}::${name}`;

function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RenderedResource> = {}): RenderedResource {
    return {
        urn: urn(type, name), id: `${name}-id`, type, name, custom: true, inputs, outputs: {}, protect: false, retainOnDelete: false,
        ignoreChanges: [], dependsOn: [], additionalSecretOutputs: [], propertyDependencies: {}, replaceOnChanges: [],
        deleteBeforeReplace: false, aliases: [], customTimeouts: {}, secretDigests: {}, ...extra,
    };
}
const render = (...resources: RenderedResource[]): Render => ({ project: "p", stack: "test", resources, outputs: {} });

const KEYPAIR = "openstack:compute/keypair:Keypair";
const INSTANCE = "openstack:compute/instance:Instance";
const ATTACH = "openstack:compute/volumeAttach:VolumeAttach";

describe("the step simulator", () => {
    test("a ForceNew input replaces, another input updates, an ignored one does nothing", () => {
        const before = render(resource(INSTANCE, "vm", { keyPair: "a", flavorName: "small", imageId: "i1" }, { ignoreChanges: ["imageId"] }));
        const plan = (inputs: Record<string, unknown>) =>
            planSteps(before, render(resource(INSTANCE, "vm", inputs, { ignoreChanges: ["imageId"] }))).steps.map((step) => `${step.kind} ${step.reasons.join(",")}`);
        expect(plan({ keyPair: "b", flavorName: "small", imageId: "i1" })).toEqual(["replace keyPair"]);
        expect(plan({ keyPair: "a", flavorName: "large", imageId: "i1" })).toEqual(["update flavorName"]);
        expect(plan({ keyPair: "a", flavorName: "small", imageId: "i2" })).toEqual([]);
    });

    test("an input from a replaced resource is unknown, so a dependent's ForceNew input replaces it too", () => {
        const vm = resource(INSTANCE, "vm", { keyPair: "a" });
        const attach = resource(ATTACH, "vm-attach", { instanceId: "vm-id" }, { propertyDependencies: { instanceId: [vm.urn] }, dependsOn: [vm.urn] });
        const plan = planSteps(render(vm, attach), render(vm, attach), { replace: ["vm"] });
        expect(plan.steps.map((step) => `${step.kind} ${step.name}`)).toEqual(["replace vm", "replace vm-attach"]);
    });

    test("a protected resource is never deleted or replaced, a retained one leaves the state only", () => {
        const kept = resource("openstack:blockstorage/volume:Volume", "data", { volumeType: "ssd" }, { protect: true });
        expect(planSteps(render(kept), undefined).refusals).toEqual(["data is protected: the engine refuses to delete it"]);
        const changed = resource("openstack:blockstorage/volume:Volume", "data", { volumeType: "hdd" }, { protect: true });
        expect(planSteps(render(kept), render(changed)).refusals).toEqual(["data is protected: the engine refuses to replace it"]);
        const retained = resource("openstack:blockstorage/volume:Volume", "data", {}, { retainOnDelete: true });
        expect(planSteps(render(retained), undefined).steps[0]).toMatchObject({ kind: "delete", retained: true });
    });

    test("command triggers replace, a rotated secret updates, deletes go dependents first", () => {
        const command = (trigger: string, digest: string) =>
            resource("command:remote:Command", "run", { create: "x", triggers: [trigger] }, { secretDigests: { connection: digest } });
        expect(planSteps(render(command("a", "k1")), render(command("b", "k1"))).steps[0].kind).toBe("replace");
        expect(planSteps(render(command("a", "k1")), render(command("a", "k2"))).steps[0]).toMatchObject({ kind: "update", reasons: ["connection"] });
        const group = resource("openstack:networking/secGroup:SecGroup", "sg", {});
        const rule = resource("openstack:networking/secGroupRule:SecGroupRule", "rule", {}, { dependsOn: [group.urn] });
        expect(deletionWaves([group, rule]).map((wave) => wave.map((r) => r.name))).toEqual([["rule"], ["sg"]]);
    });

    test("the replacement table says what forces a new resource, with Kubernetes immutable fields", () => {
        expect(replacingPaths("openstack:networking/secGroupRule:SecGroupRule", ["description"])).toEqual(["description"]);
        expect(replacingPaths("openstack:loadbalancer/listener:Listener", ["allowedCidrs[0]"])).toEqual([]);
        expect(replacingPaths("kubernetes:apps/v1:Deployment", ["spec.selector.matchLabels.app", "spec.replicas"])).toEqual(["spec.selector.matchLabels.app"]);
        expect(replacingPaths("command:remote:Command", ["create"])).toEqual([]);
    });
});

describe("applying steps", () => {
    const project = (instanceOptions: Partial<RenderedResource>) => {
        const network = resource("openstack:networking/network:Network", "net", {});
        const subnet = resource("openstack:networking/subnet:Subnet", "subnet", { networkId: "net-id" }, { propertyDependencies: { networkId: [network.urn] } });
        const keypair = resource(KEYPAIR, "deploy", { name: "deploy" });
        const port = resource("openstack:networking/port:Port", "port", { networkId: "net-id", fixedIps: [{ subnetId: "subnet-id" }] }, {
            propertyDependencies: { networkId: [network.urn], fixedIps: [subnet.urn] },
        });
        const vm = resource(INSTANCE, "vm", { networks: [{ port: "port-id" }], keyPair: "deploy" }, {
            propertyDependencies: { networks: [port.urn], keyPair: [keypair.urn] },
            ...instanceOptions,
        });
        const volume = resource("openstack:blockstorage/volume:Volume", "data", { size: 10 });
        const attach = resource(ATTACH, "attach", { instanceId: "vm-id", volumeId: "data-id" }, {
            propertyDependencies: { instanceId: [vm.urn], volumeId: [volume.urn] },
        });
        return render(network, subnet, keypair, port, vm, volume, attach);
    };

    test("a server replaced create-before-delete collides on its port; delete-before-replace detaches, deletes, recreates", () => {
        const collide = new Deployment("192.0.2.10", 6443);
        expect(collide.apply(planSteps(undefined, project({}))).error).toBeUndefined();
        expect(collide.apply(planSteps(project({}), project({}), { replace: ["vm"] })).error).toMatch(/^409 PortInUse/);

        const dbr = project({ deleteBeforeReplace: true });
        const clean = new Deployment("192.0.2.10", 6443);
        clean.apply(planSteps(undefined, dbr));
        const outcome = clean.apply(planSteps(dbr, dbr, { replace: ["vm"] }));
        expect(outcome.log).toEqual(["delete attach", "delete vm", "create vm", "create attach"]);
        expect(clean.cloud.live("server")).toHaveLength(1);
    });

    test("the engine refuses a program that registers one URN twice", () => {
        const rule = resource("openstack:networking/secGroupRule:SecGroupRule", "rule", {});
        expect(planSteps(undefined, render(rule, rule)).refusals).toEqual([`Duplicate resource URN '${rule.urn}'; try giving it a unique name`]);
    });
});

describe("the fake OpenStack", () => {
    const cloud = () => {
        const fake = new FakeOpenStack();
        fake.create(resource("openstack:networking/network:Network", "net", {}));
        fake.create(resource("openstack:networking/subnet:Subnet", "subnet", { networkId: "net-id", cidr: "10.0.0.0/24" }));
        fake.create(resource("openstack:networking/router:Router", "router", {}));
        fake.create(resource("openstack:networking/secGroup:SecGroup", "sg", {}));
        fake.create(resource(KEYPAIR, "deploy", { name: "deploy" }));
        return fake;
    };
    const port = (name: string) =>
        resource("openstack:networking/port:Port", name, { networkId: "net-id", fixedIps: [{ subnetId: "subnet-id" }], securityGroupIds: ["sg-id"] }, { outputs: { allFixedIps: [`10.0.0.${name.length}`] } });
    const rule = (description: string, cidr = "192.0.2.0/24") =>
        resource("openstack:networking/secGroupRule:SecGroupRule", `rule-${description}`, {
            securityGroupId: "sg-id", direction: "ingress", ethertype: "IPv4", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: cidr, description,
        });

    test("refuses a second keypair of one name, a second server on a port, an identical rule whatever its description", () => {
        const fake = cloud();
        expect(() => fake.create(resource(KEYPAIR, "deploy-2", { name: "deploy" }))).toThrow("409 KeyPairExists");
        fake.create(port("p1"));
        fake.create(resource(INSTANCE, "vm", { networks: [{ port: "p1-id" }], keyPair: "deploy" }));
        expect(() => fake.create(resource(INSTANCE, "vm-2", { networks: [{ port: "p1-id" }], keyPair: "deploy" }))).toThrow("409 PortInUse");
        fake.create(rule("first"));
        expect(() => fake.create(rule("second"))).toThrow("409 SecurityGroupRuleExists");
        expect(() => fake.create(rule("other source", "198.51.100.0/24"))).not.toThrow();
    });

    test("a floating IP needs a router interface and a free port; the interface stays while it is used", () => {
        const fake = cloud();
        fake.create(port("bastion"));
        const fip = resource("openstack:networking/floatingIp:FloatingIp", "fip", { portId: "bastion-id" }, { outputs: { address: "203.0.113.5" } });
        expect(() => fake.create(fip)).toThrow("404 ExternalGatewayForFloatingIPNotFound");
        const [routerInterface] = fake.create(resource("openstack:networking/routerInterface:RouterInterface", "ri", { routerId: "router-id", subnetId: "subnet-id" }));
        fake.create(fip);
        expect(() => fake.create({ ...fip, id: "fip-2-id", name: "fip-2" })).toThrow("409 FloatingIPPortAlreadyAssociated");
        expect(() => fake.delete(routerInterface)).toThrow("409 RouterInterfaceInUseByFloatingIP");
        expect(() => fake.delete(fake.live("subnet")[0])).toThrow("409 SubnetInUse");
    });

    test("SSH reaches the bastion only through its floating IP and a rule admitting the runner", () => {
        const fake = cloud();
        fake.create(port("bastion"));
        fake.create(resource("openstack:networking/routerInterface:RouterInterface", "ri", { routerId: "router-id", subnetId: "subnet-id" }));
        fake.create(resource(INSTANCE, "bastion-vm", { networks: [{ port: "bastion-id" }], keyPair: "deploy" }));
        fake.create(resource("openstack:networking/floatingIp:FloatingIp", "fip", { portId: "bastion-id" }, { outputs: { address: "203.0.113.5" } }));
        expect(sshProblem(fake, "192.0.2.10", "203.0.113.5")).toMatch(/no rule .* admits 192.0.2.10/);
        const [admitted] = fake.create(rule("admin"));
        expect(sshProblem(fake, "192.0.2.10", "203.0.113.5")).toBeUndefined();
        fake.delete(admitted);
        expect(sshProblem(fake, "192.0.2.10", "203.0.113.5")).toMatch(/Connection timed out/);
        expect(apiProblem(fake, "192.0.2.10", 6443)).toMatch(/no control-plane server/);
    });

    test("the second hop of a ProxyJump needs the node's groups to admit the bastion", () => {
        const fake = cloud();
        fake.create(resource("openstack:networking/secGroup:SecGroup", "nodes", {}));
        fake.create(port("bastion"));
        fake.create(resource("openstack:networking/port:Port", "node-port", { networkId: "net-id", fixedIps: [{ subnetId: "subnet-id" }], securityGroupIds: ["nodes-id"] }, { outputs: { allFixedIps: ["10.0.0.50"] } }));
        fake.create(resource("openstack:networking/routerInterface:RouterInterface", "ri", { routerId: "router-id", subnetId: "subnet-id" }));
        fake.create(resource(INSTANCE, "bastion-vm", { networks: [{ port: "bastion-id" }], keyPair: "deploy" }));
        fake.create(resource(INSTANCE, "node", { networks: [{ port: "node-port-id" }], keyPair: "deploy" }));
        fake.create(resource("openstack:networking/floatingIp:FloatingIp", "fip", { portId: "bastion-id" }, { outputs: { address: "203.0.113.5" } }));
        fake.create(rule("admin"));
        expect(sshProblem(fake, "192.0.2.10", "10.0.0.50", "203.0.113.5")).toMatch(/no rule of node's groups admits the bastion/);
        fake.create(resource("openstack:networking/secGroupRule:SecGroupRule", "from-bastion", {
            securityGroupId: "nodes-id", direction: "ingress", ethertype: "IPv4", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteGroupId: "sg-id",
        }));
        expect(sshProblem(fake, "192.0.2.10", "10.0.0.50", "203.0.113.5")).toBeUndefined();
    });

    test("an Octavia listener refuses an allowed CIDR of the other IP family", () => {
        const fake = cloud();
        fake.create(resource("openstack:loadbalancer/loadBalancer:LoadBalancer", "lb", { vipSubnetId: "subnet-id" }, { outputs: { vipAddress: "10.0.0.9", vipPortId: "vip-port" } }));
        const listener = (cidrs: string[]) => resource("openstack:loadbalancer/listener:Listener", "l", { loadbalancerId: "lb-id", protocolPort: 6443, allowedCidrs: cidrs });
        expect(() => fake.create(listener(["2001:db8::/32"]))).toThrow("CIDR 2001:db8::/32 IP version incompatible");
        expect(() => fake.create(listener(["192.0.2.0/24"]))).not.toThrow();
    });
});

describe("the cluster's own cloud objects", () => {
    const kubernetes = (type: string, name: string, inputs: Record<string, unknown>) => ({ ...resource(type, name, inputs), custom: true });
    const cluster = (reclaimPolicy: string) => {
        const fake = new FakeOpenStack();
        const model = new ClusterModel(fake);
        fake.add("server", "cp-1", "test", { role: "control-plane" });
        model.formed = true;
        model.apply(kubernetes("kubernetes:helm.sh/v3:Release", "csi", { chart: "openstack-cinder-csi" }));
        model.apply(kubernetes("kubernetes:storage.k8s.io/v1:StorageClass", "cinder", { provisioner: "cinder.csi.openstack.org", reclaimPolicy }));
        const namespace = kubernetes("kubernetes:core/v1:Namespace", "data", { metadata: { name: "data" } });
        model.apply(namespace);
        model.apply(kubernetes("kubernetes:apps/v1:StatefulSet", "db", {
            metadata: { name: "db", namespace: "data" },
            spec: { replicas: 2, volumeClaimTemplates: [{ metadata: { name: "pgdata" } }] },
        }));
        return { fake, model, namespace };
    };

    test("Cinder CSI makes a volume per claim; deleting the namespace deletes them when the class reclaims with Delete", () => {
        const { fake, model, namespace } = cluster("Delete");
        expect(fake.live("volume").map((volume) => volume.name)).toEqual(["pvc-data/pgdata-db-0", "pvc-data/pgdata-db-1"]);
        model.remove(namespace);
        // The provisioner deletes the volume after the claim, asynchronously: by the end of the operation.
        expect(fake.live("volume")).toHaveLength(2);
        model.settle();
        expect(fake.live("volume")).toEqual([]);
    });

    test("a Retain class keeps the volumes, and a cluster without a control plane deletes nothing", () => {
        const retained = cluster("Retain");
        retained.model.remove(retained.namespace);
        retained.model.settle();
        expect(retained.fake.live("volume")).toHaveLength(2);
        const dead = cluster("Delete");
        dead.fake.remove(dead.fake.live("server")[0].id);
        dead.model.remove(dead.namespace);
        dead.model.settle();
        expect(dead.fake.live("volume")).toHaveLength(2);
    });

    /** A formed cluster on a subnet, whose cloud-controller-manager runs its service controller. */
    const clusterWithServiceController = () => {
        const fake = new FakeOpenStack();
        fake.create(resource("openstack:networking/network:Network", "net", {}));
        fake.create(resource("openstack:networking/subnet:Subnet", "subnet", { networkId: "net-id" }));
        const model = new ClusterModel(fake);
        fake.add("server", "cp-1", "test", { role: "control-plane" });
        model.formed = true;
        model.apply(kubernetes("kubernetes:helm.sh/v3:Release", "ccm", { chart: "openstack-cloud-controller-manager", values: { enabledControllers: ["service"] } }));
        return { fake, model };
    };

    test("the cloud-controller-manager makes a load balancer for a LoadBalancer Service on the subnet, and removes it with the Service", () => {
        const { fake, model } = clusterWithServiceController();
        const clusterIp = kubernetes("kubernetes:core/v1:Service", "internal", { metadata: { namespace: "a", name: "internal" }, spec: { type: "ClusterIP" } });
        model.apply(clusterIp);
        expect(fake.live("loadBalancer")).toEqual([]);
        const external = kubernetes("kubernetes:core/v1:Service", "external", { metadata: { namespace: "a", name: "external" }, spec: { type: "LoadBalancer" } });
        model.apply(external);
        expect(fake.live("loadBalancer").map((lb) => [lb.owner, lb.name])).toEqual([["cloud-controller-manager", "kube_service_a_external"]]);
        expect(() => fake.delete(fake.live("subnet")[0])).toThrow("409 SubnetInUse");
        model.remove(external);
        model.settle();
        expect([fake.live("loadBalancer"), fake.live("floatingIp")]).toEqual([[], []]);
    });

    test("Envoy Gateway's Service for a Gateway is a load balancer only when its EnvoyProxy asks for one", () => {
        const { fake, model } = clusterWithServiceController();
        model.apply(kubernetes("kubernetes:helm.sh/v3:Release", "eg", { chart: "oci://docker.io/envoyproxy/gateway-helm" }));
        const nodePorts = kubernetes("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", "proxy", { spec: { provider: { kubernetes: { envoyService: { type: "NodePort" } } } } });
        model.apply(nodePorts);
        model.apply(kubernetes("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gw", { metadata: { namespace: "gateway", name: "fsgs" } }));
        expect(fake.live("loadBalancer")).toEqual([]);
        model.remove(nodePorts);
        model.apply(kubernetes("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", "proxy", { spec: { provider: { kubernetes: { envoyService: { type: "LoadBalancer" } } } } }));
        expect(fake.live("loadBalancer").map((lb) => lb.name)).toEqual(["kube_service_envoy-gateway-system_fsgs"]);
    });

    test("a teardown script that deletes LoadBalancer Services and Delete-reclaimed claims with --wait releases them at once", () => {
        const { fake, model } = cluster("Delete");
        model.releaseCloudObjects('kubectl get persistentvolumes -o jsonpath=\'{.items[?(@.spec.persistentVolumeReclaimPolicy=="Delete")]}\'\nkubectl delete persistentvolumeclaim --wait=true x');
        expect(fake.live("volume")).toEqual([]);
        const retained = cluster("Retain");
        retained.model.releaseCloudObjects('kubectl delete persistentvolumeclaim x # persistentVolumeReclaimPolicy=="Delete"');
        expect(retained.fake.live("volume")).toHaveLength(2);
    });
});

describe("npm run plan --set", () => {
    test("parses dotted paths with list indexes, JSON values and plain strings", () => {
        expect(parseSetting("cluster.workerPools[0].count=5")).toEqual({ path: ["cluster", "workerPools", 0, "count"], key: "cluster.workerPools[0].count", value: 5 });
        expect(parseSetting("svom-fsgs:site.image.name=ubuntu-26.04").value).toBe("ubuntu-26.04");
        expect(parseSetting('access.adminCidrs=["192.0.2.0/24"]').value).toEqual(["192.0.2.0/24"]);
        expect(() => parseSetting("site.volumeType")).toThrow("expected key=value");
    });

    test("sets the value in the config, and refuses an index past the end of a list", () => {
        const config: Record<string, unknown> = { cluster: { workerPools: [{ name: "general", count: 2 }] } };
        applySetting(config, parseSetting("cluster.workerPools[0].count=3"));
        applySetting(config, parseSetting("site.volumeType=ceph-hdd"));
        expect(config).toEqual({ cluster: { workerPools: [{ name: "general", count: 3 }] }, site: { volumeType: "ceph-hdd" } });
        expect(() => applySetting(config, parseSetting("cluster.workerPools[5].count=1"))).toThrow("has no element 5");
    });
});
