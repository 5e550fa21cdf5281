import * as k8s from "@pulumi/kubernetes";
import { environmentProfile } from "../components/config/profile";
import * as pulumi from "@pulumi/pulumi";
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { GatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import { CLUSTER_ISSUER_NAME, INTERNAL_CA_ISSUER_NAME, certManagerValues, clusterIssuerSpec } from "../components/kubernetes/platform/cert-manager";
import { CINDER_PROVISIONER, cinderCsiValues, defaultStorageClass } from "../components/kubernetes/platform/cinder-csi";
import {
    CLOUD_CONFIG_SECRET,
    type CloudConfigInput,
    cloudConfigIni,
    cloudConfigText,
} from "../components/kubernetes/platform/cloud-config";
import { cloudControllerManagerValues } from "../components/kubernetes/platform/cloud-controller-manager";
import { clusterGateway, envoyGatewayValues, envoyProxySpec, GATEWAY_NODE_PORTS, proxyProtocolPolicySpec } from "../components/kubernetes/platform/envoy-gateway";
import { Platform, type PlatformArgs } from "../components/kubernetes/platform/index";
import { metricsServerValues } from "../components/kubernetes/platform/metrics-server";
import { releaseArgs } from "../components/kubernetes/platform/release";
import { CHARTS } from "../components/kubernetes/platform/versions";
import { type Render, type RenderedResource, renderProgram } from "../scripts/offline/render";

const ENVIRONMENTS = ["integration", "preprod", "prod"] as const;
const EXACT_VERSION = /^v?\d+\.\d+\.\d+$/;

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const GATEWAY_CLASS = "kubernetes:gateway.networking.k8s.io/v1:GatewayClass";
const CLIENT_TRAFFIC_POLICY = "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy";
const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";

// Characters that gcfg would read as a comment or an escape if the value were not quoted.
const CREDENTIAL_SECRET = 'Zx9;q#"w\\e-credential-secret';
const CREDENTIAL_ID = "4d2f0c6b-application-credential-id";

const cloudConfigInput = (overrides: Partial<CloudConfigInput> = {}): CloudConfigInput => ({
    authUrl: "https://keystone.example.org:5000/v3",
    region: "RegionOne",
    applicationCredentialId: CREDENTIAL_ID,
    applicationCredentialSecret: CREDENTIAL_SECRET,
    subnetId: "subnet-0123",
    floatingNetworkId: "net-4567",
    loadBalancers: true,
    ...overrides,
});

/** `[Section]` -> key -> raw value text, as a gcfg reader splits the file. */
function iniSections(text: string): Record<string, Record<string, string>> {
    const sections: Record<string, Record<string, string>> = {};
    let current: Record<string, string> | undefined;
    for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
        const header = /^\[(.+)\]$/.exec(line);
        if (header) {
            current = sections[header[1]] = {};
            continue;
        }
        const [key, ...rest] = line.split(" = ");
        current![key] = rest.join(" = ");
    }
    return sections;
}

const unwrap = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

describe("cloud.conf", () => {
    it("gives both OpenStack add-ons the application credential, the region and the node subnet", () => {
        const ini = iniSections(cloudConfigIni(cloudConfigInput()));
        expect(ini.Global).toMatchObject({
            "auth-url": '"https://keystone.example.org:5000/v3"',
            region: '"RegionOne"',
            "application-credential-id": `"${CREDENTIAL_ID}"`,
        });
        expect(ini.LoadBalancer).toEqual({ enabled: "true", "subnet-id": '"subnet-0123"', "floating-network-id": '"net-4567"' });
        expect(ini.BlockStorage).toEqual({ "rescan-on-resize": "true" });
    });

    it("turns the load balancer integration off where the site has no Octavia", () => {
        expect(iniSections(cloudConfigIni(cloudConfigInput({ loadBalancers: false }))).LoadBalancer.enabled).toBe("false");
    });

    it("quotes values so that ';', '#', quotes and backslashes in a secret survive gcfg parsing", () => {
        const ini = iniSections(cloudConfigIni(cloudConfigInput()));
        expect(ini.Global["application-credential-secret"]).toBe('"Zx9;q#\\"w\\\\e-credential-secret"');
    });

    it("refuses a multi-line value without echoing it", () => {
        const build = () => cloudConfigIni(cloudConfigInput({ applicationCredentialSecret: "line1\nline2" }));
        expect(build).toThrow("cloud.conf: application-credential-secret must be a single line");
        expect(build).not.toThrow(/line1/);
    });

    it("is a secret even when the credential arrives as plain values", async () => {
        const text = cloudConfigText(
            {
                authUrl: "https://keystone.example.org:5000/v3",
                region: "RegionOne",
                applicationCredentialId: pulumi.output(CREDENTIAL_ID),
                applicationCredentialSecret: pulumi.output(CREDENTIAL_SECRET),
                subnetId: "subnet-0123",
                floatingNetworkId: "net-4567",
            },
            true,
        );
        expect(await pulumi.isSecret(text)).toBe(true);
        expect(await unwrap(text)).toContain(`application-credential-id = "${CREDENTIAL_ID}"`);
    });
});

describe("chart values", () => {
    it("pins every chart to an exact version from an HTTPS repository", () => {
        for (const [addOn, chart] of Object.entries(CHARTS)) {
            expect([addOn, EXACT_VERSION.test(chart.version), /^(https|oci):\/\//.test(chart.repo)]).toEqual([addOn, true, true]);
        }
    });

    it("waits for every release and rolls a failed one back", () => {
        const args = releaseArgs({ chart: CHARTS.metricsServer, releaseName: "m", namespace: "n", values: {}, timeoutSeconds: 300 });
        expect(args).toMatchObject({ atomic: true, cleanupOnFail: true, skipAwait: false, timeout: 300, version: "3.13.1" });
    });

    it("makes both OpenStack charts mount the existing cloud-config Secret instead of rendering their own", () => {
        const ccm = cloudControllerManagerValues({ clusterName: "fsgs-prod", loadBalancers: true, configChecksum: "c0ffee" });
        const cinder = cinderCsiValues({ clusterName: "fsgs-prod", configChecksum: "c0ffee" });
        for (const values of [ccm, cinder]) {
            expect(values.secret).toMatchObject({ enabled: true, create: false, name: CLOUD_CONFIG_SECRET.name });
        }
    });

    it("runs the cloud-controller-manager on the control plane, on nodes it has not initialised yet", () => {
        const values = cloudControllerManagerValues({ clusterName: "fsgs-prod", loadBalancers: true, configChecksum: "c0ffee" });
        expect(values.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "" });
        expect(values.tolerations).toEqual(
            expect.arrayContaining([
                expect.objectContaining({ key: "node.cloudprovider.kubernetes.io/uninitialized", effect: "NoSchedule" }),
                expect.objectContaining({ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }),
            ]),
        );
    });

    it("runs the service controller only where Octavia exists, and never the route controller", () => {
        expect(cloudControllerManagerValues({ clusterName: "c", loadBalancers: true, configChecksum: "c0ffee" }).enabledControllers).toEqual(
            expect.arrayContaining(["cloud-node", "cloud-node-lifecycle", "service"]),
        );
        const vip = cloudControllerManagerValues({ clusterName: "c", loadBalancers: false, configChecksum: "c0ffee" }).enabledControllers;
        expect(vip).not.toContain("service");
        expect(vip).not.toContain("route");
    });

    it("leaves the Cinder chart's own storage classes out, so only one class claims the default", () => {
        expect(cinderCsiValues({ clusterName: "c", configChecksum: "c0ffee" }).storageClass).toEqual({ enabled: false });
    });

    const gateway = clusterGateway("fsgs", "gateway");

    it("exposes the Gateway's proxies on fixed NodePorts, without the PROXY protocol, where there are no load balancers", () => {
        const service = (envoyProxySpec({ replicas: 1, loadBalancers: false }, gateway) as any).provider.kubernetes.envoyService;
        expect(service.type).toBe("NodePort");
        expect(service.annotations).toBeUndefined();
        // Local keeps the client's address: kube-proxy does not masquerade it.
        expect(service.externalTrafficPolicy).toBe("Local");
        expect(service.patch.value.spec.ports).toEqual([
            { port: 80, nodePort: GATEWAY_NODE_PORTS.http },
            { port: 443, nodePort: GATEWAY_NODE_PORTS.https },
        ]);
    });

    it("keeps client addresses behind Octavia: PROXY protocol on the load balancer, and required by the listeners", () => {
        const service = (envoyProxySpec({ replicas: 2, loadBalancers: true }, gateway) as any).provider.kubernetes.envoyService;
        expect(service.type).toBe("LoadBalancer");
        expect(service.annotations["loadbalancer.openstack.org/proxy-protocol"]).toBe("true");
        const policy = proxyProtocolPolicySpec(gateway) as any;
        expect(policy.targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "fsgs" }]);
        // An optional header would let a client that reaches the proxies directly claim any address.
        expect(policy.proxyProtocol.optional).toBeUndefined();
    });

    it.each(ENVIRONMENTS)("sizes Envoy Gateway for %s: two proxies under a budget outside integration, bounded memory", (environment) => {
        const replicas = environment === "integration" ? 1 : 2;
        const kubernetes = (envoyProxySpec({ replicas, loadBalancers: true }, gateway) as any).provider.kubernetes;
        expect(kubernetes.envoyDeployment.replicas).toBe(replicas);
        expect(kubernetes.envoyPDB).toEqual(replicas > 1 ? { minAvailable: 1 } : undefined);
        expect(kubernetes.envoyDeployment.container.resources.limits.memory).toEqual(expect.any(String));
        const values = envoyGatewayValues({ replicas, loadBalancers: true }) as any;
        // The CRD release owns the CRDs, so that an upgrade of the chart upgrades them.
        expect(values.crds).toEqual({ enabled: false });
        expect(values.podDisruptionBudget.minAvailable).toBe(replicas > 1 ? 1 : 0);
    });

    it("installs the cert-manager CRDs with the chart and keeps them if the chart goes", () => {
        const values = certManagerValues({ replicas: 2 });
        expect(values.crds).toEqual({ enabled: true, keep: true });
        expect(values).not.toHaveProperty("installCRDs");
    });

    it("gives cert-manager and its webhook a disruption budget only where they have two replicas", () => {
        expect(certManagerValues({ replicas: 2 })).toMatchObject({
            replicaCount: 2,
            podDisruptionBudget: { enabled: true },
            webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
        });
        expect(certManagerValues({ replicas: 1 })).toMatchObject({
            replicaCount: 1,
            podDisruptionBudget: { enabled: false },
        });
    });

    it("turns on cert-manager's Gateway API support", () => {
        expect(certManagerValues({ replicas: 2 }).config).toEqual(expect.objectContaining({ kind: "ControllerConfiguration", enableGatewayAPI: true }));
    });

    it("answers ACME HTTP-01 challenges through the Gateway's plain-HTTP listener, with the configured account", () => {
        const spec = clusterIssuerSpec({
            certificates: "acme-http01",
            acmeEmail: "ops@example.org",
            acmeServer: "https://acme.example/dir",
            gateway: { name: "fsgs", namespace: "gateway", httpListener: "http" },
        });
        expect(spec).toEqual({
            acme: expect.objectContaining({
                email: "ops@example.org",
                server: "https://acme.example/dir",
                solvers: [
                    {
                        http01: {
                            gatewayHTTPRoute: {
                                parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "fsgs", namespace: "gateway", sectionName: "http" }],
                            },
                        },
                    },
                ],
            }),
        });
        expect(() => new ClusterIssuer({ metadata: { name: CLUSTER_ISSUER_NAME }, spec } as any).validate()).not.toThrow();
    });

    it.each(ENVIRONMENTS)("runs metrics-server on the control plane in %s, the only nodes allowed to reach kubelets", (environment) => {
        const values = metricsServerValues({ replicas: environmentProfile(environment).highAvailabilityReplicas });
        expect(values.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "" });
        expect(values.tolerations).toEqual([{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }]);
    });

    it("makes metrics-server call kubelets on their node-subnet address only", () => {
        const args = [...(metricsServerValues({ replicas: 2 }).defaultArgs as string[])];
        expect(args.filter((arg) => arg.startsWith("--kubelet-preferred-address-types"))).toEqual(["--kubelet-preferred-address-types=InternalIP"]);
    });
});

describe("default StorageClass", () => {
    it("keeps the Cinder volume of a deleted claim in prod", () => {
        expect(defaultStorageClass({ reclaimPolicy: environmentProfile("prod").volumeReclaimPolicy }).reclaimPolicy).toBe("Retain");
    });

    it.each(["integration", "preprod"] as const)("deletes the Cinder volume with its claim in %s", (environment) => {
        expect(defaultStorageClass({ reclaimPolicy: environmentProfile(environment).volumeReclaimPolicy }).reclaimPolicy).toBe("Delete");
    });

    it.each(ENVIRONMENTS)("is the default class in %s, served by Cinder CSI, and lets volumes grow", (environment) => {
        const spec = defaultStorageClass({ reclaimPolicy: environmentProfile(environment).volumeReclaimPolicy });
        expect(spec.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
        expect(spec.provisioner).toBe(CINDER_PROVISIONER);
        expect(spec.allowVolumeExpansion).toBe(true);
    });

    it("uses the site's volume type when it has one, Cinder's default otherwise", () => {
        expect(defaultStorageClass({ reclaimPolicy: "Retain", volumeType: "ceph-ssd" }).parameters).toEqual({ type: "ceph-ssd" });
        expect(defaultStorageClass({ reclaimPolicy: environmentProfile("prod").volumeReclaimPolicy })).not.toHaveProperty("parameters");
    });
});

interface PlatformRender {
    render: Render;
}

/** The platform alone, given the cluster's provider only through its `providers` option, as the program does. */
async function renderPlatform(overrides: Partial<Omit<PlatformArgs, "openstack">> = {}, credentialSecret = CREDENTIAL_SECRET): Promise<PlatformRender> {
    const render = await renderProgram({
        project: "svom-fsgs",
        stack: "platform-test",
        config: {},
        program: () => {
            const provider = new k8s.Provider("cluster", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") });
            const platform = new Platform("fsgs-test", {
                profile: environmentProfile("prod"),
                openstack: {
                    authUrl: "https://keystone.example.org:5000/v3",
                    region: "RegionOne",
                    applicationCredentialId: pulumi.secret(CREDENTIAL_ID),
                    applicationCredentialSecret: pulumi.secret(credentialSecret),
                    subnetId: pulumi.output("subnet-0123"),
                    floatingNetworkId: "net-4567",
                },
                loadBalancers: true,
                certManager: {
                    acmeEmail: "ops@example.org",
                    acmeServer: "https://acme-staging-v02.api.letsencrypt.org/directory",
                    certificates: "acme-http01",
                },
                routes: [{ service: "web", namespace: "fsgs-web", host: "web.example.org" }],
                volumeType: "ceph-ssd",
                observability: {
                    replicas: 2,
                    metrics: { retentionDays: 30, volumeSizeGiB: 100 },
                    logs: { retentionDays: 30, volumeSizeGiB: 100 },
                    grafanaHost: "grafana.example.org",
                    alertReceiver: { type: "webhook" },
                    alertReceiverSecret: pulumi.secret("https://hooks.example.org/t0ken"),
                    grafanaAdminPassword: pulumi.secret("correct-horse-battery-staple"),
                    nodeCidr: "10.0.0.0/24",
                    clusterCidrs: ["10.244.0.0/16", "10.96.0.0/12"],
                    scrapeTargets: [],
                    cni: "calico",
                    protectStoredData: true,
                },
                ...overrides,
            }, { providers: [provider] });
            return {
                storageClassName: platform.storageClassName,
                clusterIssuerName: platform.clusterIssuerName,
                gateway: platform.gateway,
            };
        },
    });
    return { render };
}

const ofType = (render: Render, type: string) => render.resources.filter((resource) => resource.type === type);
const releaseOf = (render: Render, chart: string): RenderedResource => {
    const found = ofType(render, RELEASE).find((release) => release.inputs.chart === chart || String(release.inputs.chart).endsWith(`/${chart}`));
    if (!found) {
        throw new Error(`no release of chart ${chart}`);
    }
    return found;
};

/** Every `type` field anywhere in a value, e.g. a Service type in chart values. */
function typesIn(value: unknown): unknown[] {
    if (Array.isArray(value)) {
        return value.flatMap(typesIn);
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, inner]) => (key === "type" ? [inner, ...typesIn(inner)] : typesIn(inner)));
    }
    return [];
}

describe("the platform under mocks", () => {
    let prod: PlatformRender;
    let providerRef: string;
    beforeAll(async () => {
        prod = await renderPlatform();
        const [provider] = ofType(prod.render, K8S_PROVIDER);
        providerRef = `${provider.urn}::${provider.id}`;
    });

    it("installs six pinned releases, each from its repository or OCI registry", () => {
        const releases = ofType(prod.render, RELEASE);
        const reference = (chart: { chart: string; repo: string }) => (chart.repo.startsWith("oci://") ? `${chart.repo}/${chart.chart}` : chart.chart);
        expect(releases.map((release) => release.inputs.chart).sort()).toEqual(Object.values(CHARTS).map(reference).sort());
        for (const release of releases) {
            const { chart, version, repositoryOpts } = release.inputs as any;
            const source = String(chart).startsWith("oci://") ? chart : repositoryOpts?.repo;
            expect([release.name, EXACT_VERSION.test(version), source]).toEqual([release.name, true, expect.stringMatching(/^(https|oci):\/\//)]);
        }
    });

    it("sends every Kubernetes object through the cluster's provider", () => {
        const objects = prod.render.resources.filter((resource) => resource.custom && resource.type.startsWith("kubernetes:"));
        expect(objects.length).toBeGreaterThan(8);
        for (const object of objects) {
            expect([object.type, object.name, object.provider]).toEqual([object.type, object.name, providerRef]);
        }
    });

    it("deploys the cloud-controller-manager and Cinder CSI beside the cloud-config Secret they mount", () => {
        const [secret] = ofType(prod.render, SECRET);
        expect(secret.inputs.metadata).toEqual({ name: "cloud-config", namespace: "kube-system" });
        for (const chart of [CHARTS.cloudControllerManager.chart, CHARTS.cinderCsi.chart]) {
            const release = releaseOf(prod.render, chart);
            expect(release.inputs.namespace).toBe("kube-system");
            expect((release.inputs.values as any).secret.name).toBe("cloud-config");
            expect(release.dependsOn).toContain(secret.urn);
        }
    });

    it("keeps the credential in the cloud-config Secret only, and as a secret", () => {
        const [secret] = ofType(prod.render, SECRET);
        expect(secret.inputs.stringData).toBe("[secret]");
        // A secret that reached a chart's values would show there as "[secret]" (the render masks it), and end in
        // the Helm release's stored manifest in clear: values must hold none.
        for (const release of ofType(prod.render, RELEASE)) {
            expect([release.name, JSON.stringify(release.inputs.values)]).toEqual([release.name, expect.not.stringContaining("[secret]")]);
            expect([release.name, release.secretDigests]).toEqual([release.name, {}]);
        }
        const plan = JSON.stringify(prod.render);
        expect(plan).not.toContain(CREDENTIAL_SECRET);
        expect(plan).not.toContain(CREDENTIAL_ID);
    });

    it("creates the ClusterIssuer once the cert-manager release, and so its CRDs, exist", () => {
        const [issuer] = ofType(prod.render, CLUSTER_ISSUER);
        expect(issuer.inputs.metadata).toEqual({ name: CLUSTER_ISSUER_NAME });
        expect((issuer.inputs.spec as any).acme.server).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
        expect(issuer.dependsOn).toContain(releaseOf(prod.render, CHARTS.certManager.chart).urn);
    });

    it("publishes the Gateway and issuer applications use, and they are those it deploys", () => {
        const outputs = prod.render.outputs;
        const [gatewayObject] = ofType(prod.render, GATEWAY);
        const [gatewayClass] = ofType(prod.render, GATEWAY_CLASS);
        const metadata = gatewayObject.inputs.metadata as any;
        expect({ name: metadata.name, namespace: metadata.namespace }).toEqual({
            name: (outputs.gateway.value as any).name,
            namespace: (outputs.gateway.value as any).namespace,
        });
        expect(metadata.annotations["cert-manager.io/cluster-issuer"]).toBe(outputs.clusterIssuerName.value);
        expect((gatewayObject.inputs.spec as any).gatewayClassName).toBe((gatewayClass.inputs.metadata as any).name);
        expect((gatewayClass.inputs.spec as any).controllerName).toBe("gateway.envoyproxy.io/gatewayclass-controller");
        expect(() => new GatewayClass(gatewayClass.inputs as any).validate()).not.toThrow();
    });

    it("starts cert-manager, whose Gateway API support needs the CRDs at start, after the Gateway API CRD release", () => {
        const crds = releaseOf(prod.render, CHARTS.envoyGatewayCrds.chart);
        expect((crds.inputs.values as any).crds.gatewayAPI).toEqual({ enabled: true, channel: "standard" });
        expect(releaseOf(prod.render, CHARTS.certManager.chart).dependsOn).toContain(crds.urn);
        // The controller chart must not install its own copy of the CRDs.
        expect(releaseOf(prod.render, CHARTS.envoyGateway.chart).inputs.skipCrds).toBe(true);
    });

    it("creates the Gateway once its class and its issuer exist, with a PROXY-protocol policy behind Octavia", () => {
        const [gatewayObject] = ofType(prod.render, GATEWAY);
        expect(gatewayObject.dependsOn).toEqual(expect.arrayContaining([ofType(prod.render, GATEWAY_CLASS)[0].urn, ofType(prod.render, CLUSTER_ISSUER)[0].urn]));
        expect(ofType(prod.render, CLIENT_TRAFFIC_POLICY)).toHaveLength(1);
    });

    it("starts the other add-ons only after the cloud-controller-manager, which untaints the nodes", () => {
        const ccm = releaseOf(prod.render, CHARTS.cloudControllerManager.chart);
        for (const release of ofType(prod.render, RELEASE).filter((r) => r.urn !== ccm.urn)) {
            expect([release.name, release.dependsOn.includes(ccm.urn)]).toEqual([release.name, true]);
        }
    });

    it("declares one default StorageClass that retains volumes in prod", () => {
        const classes = ofType(prod.render, STORAGE_CLASS);
        expect(classes).toHaveLength(1);
        expect(classes[0].inputs).toMatchObject({ reclaimPolicy: "Retain", parameters: { type: "ceph-ssd" } });
        expect(prod.render.outputs.storageClassName.value).toBe((classes[0].inputs.metadata as any).name);
    });

    it("rolls the cloud-controller-manager and both Cinder CSI plugins when the credential changes, and only then", async () => {
        const rotated = await renderPlatform({}, "a-rotated-application-credential-secret");
        const again = await renderPlatform();
        const annotations = (render: Render) => {
            const ccm = releaseOf(render, CHARTS.cloudControllerManager.chart).inputs.values as any;
            const cinder = releaseOf(render, CHARTS.cinderCsi.chart).inputs.values as any;
            return [ccm.podAnnotations, cinder.csi.plugin.controllerPlugin.podAnnotations, cinder.csi.plugin.nodePlugin.podAnnotations].map(
                (annotation) => annotation["checksum/cloud-config"] as string,
            );
        };
        const before = annotations(prod.render);
        expect(before.every((sum) => /^[0-9a-f]{64}$/.test(sum))).toBe(true);
        expect(new Set(before).size).toBe(1);
        expect(annotations(again.render)).toEqual(before);
        const after = annotations(rotated.render);
        for (const [index, sum] of after.entries()) {
            expect(sum).not.toBe(before[index]);
        }
        expect(JSON.stringify(rotated.render)).not.toContain("a-rotated-application-credential-secret");
    });

    it("asks for no load balancer anywhere in vip mode, and signs certificates with the stack's own CA", async () => {
        const vip = await renderPlatform({
            loadBalancers: false,
            profile: environmentProfile("integration"),
            certManager: { acmeEmail: "ops@example.org", acmeServer: "https://acme.example/dir", certificates: "internal-ca" },
        });
        const requested = [...ofType(vip.render, RELEASE), ...vip.render.resources.filter((r) => r.type.includes("EnvoyProxy"))].flatMap((resource) =>
            typesIn(resource.inputs.values ?? resource.inputs.spec),
        );
        expect(requested).toContain("NodePort");
        expect(requested).not.toContain("LoadBalancer");
        expect(ofType(vip.render, CLIENT_TRAFFIC_POLICY)).toHaveLength(0);
        const issuers = ofType(vip.render, CLUSTER_ISSUER);
        expect(issuers.map((issuer) => (issuer.inputs.metadata as any).name).sort()).toEqual([INTERNAL_CA_ISSUER_NAME, "fsgs-selfsigned"]);
        const [root] = ofType(vip.render, CERTIFICATE);
        expect((root.inputs.spec as any).isCA).toBe(true);
        const caIssuer = issuers.find((issuer) => (issuer.inputs.metadata as any).name === INTERNAL_CA_ISSUER_NAME)!;
        expect((caIssuer.inputs.spec as any).ca.secretName).toBe((root.inputs.spec as any).secretName);
        expect(caIssuer.dependsOn).toContain(root.urn);
        for (const issuer of issuers) {
            expect(() => new ClusterIssuer(issuer.inputs as any).validate()).not.toThrow();
        }
        expect(() => new Certificate({ ...(root.inputs as any), metadata: { name: "fsgs-root-ca", namespace: "cert-manager" } }).validate()).not.toThrow();
        expect((ofType(vip.render, GATEWAY)[0].inputs.metadata as any).annotations["cert-manager.io/cluster-issuer"]).toBe(INTERNAL_CA_ISSUER_NAME);
        expect(ofType(vip.render, STORAGE_CLASS)[0].inputs.reclaimPolicy).toBe("Delete");
    });
});
