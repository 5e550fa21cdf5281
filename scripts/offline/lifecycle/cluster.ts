import type { RenderedResource } from "../render";
import type { FakeOpenStack } from "./fake-openstack";
import { chartReference } from "../../../components/kubernetes/platform/release";
import { CHARTS } from "../../../components/kubernetes/platform/versions";

/** A PersistentVolumeClaim a StatefulSet, an operator's cluster or a chart made, and the Cinder volume the CSI driver gave it. */
interface Claim {
    namespace: string;
    /** The URN of what made it: a StatefulSet, an operator's cluster object, or a Helm release. */
    statefulSet: string;
    volume?: string;
    /** A chart's claim annotated helm.sh/resource-policy: keep, which Helm leaves behind when the release goes. */
    keptByHelm?: boolean;
}

const RELEASE = "kubernetes:helm.sh/v3:Release";
const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {});

/**
 * What the cluster itself creates in the project while it lives. The OpenStack cloud-controller-manager's
 * service controller makes a load balancer (VIP port, floating IP) for each Service of type LoadBalancer and
 * deletes it with the Service (cloud-provider-openstack docs "Exposing applications using services of
 * LoadBalancer type"); Cinder CSI makes a volume for each PersistentVolumeClaim of its StorageClass and deletes
 * it with the claim when the class's reclaimPolicy is Delete (Kubernetes docs "Persistent Volumes: Reclaiming").
 * A StatefulSet's claims outlive it unless persistentVolumeClaimRetentionPolicy.whenDeleted is Delete; deleting a
 * namespace deletes the claims in it. Controllers act only while a control plane runs.
 *
 * Cleanup is asynchronous: after a claim or a LoadBalancer Service goes, the external provisioner deletes the
 * volume and the service controller the load balancer later (Kubernetes "Persistent Volumes: Delete";
 * k8s.io/cloud-provider service controller and its `service.kubernetes.io/load-balancer-cleanup` finalizer).
 * Nothing in a Pulumi deletion waits for that, so the simulator lets such cleanup lose every race: it happens at
 * the end of the operation, and only if the controller still runs then. A delete script that waits for it
 * (`kubectl delete ... --wait`, `kubectl wait --for=delete`) gets it at once (`releaseCloudObjects`).
 */
/** The CloudNativePG PostgreSQL cluster (postgresql.cnpg.io/v1 Cluster). */
const CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
/** The RabbitMQ broker (rabbitmq.com/v1beta1 RabbitmqCluster). */
const RABBITMQ_CLUSTER = "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster";
/** Operator clusters whose claims belong to the cluster object, deleted with it by the garbage collector. */
const CLAIM_OWNERS = new Set([CNPG_CLUSTER, RABBITMQ_CLUSTER]);

export class ClusterModel {
    readonly kubernetes = new Map<string, RenderedResource>();
    private readonly claims = new Map<string, Claim>();
    /** Volumes and load balancers whose Kubernetes objects are gone, waiting for their controller. */
    private readonly pending: { kind: "volume" | "loadBalancer"; id: string }[] = [];
    formed = false;

    constructor(private readonly cloud: FakeOpenStack) {}

    alive(): boolean {
        return this.formed && this.cloud.live("server").some((server) => server.attrs.role === "control-plane");
    }

    apply(resource: RenderedResource): void {
        this.kubernetes.set(resource.urn, resource);
        this.reconcile();
    }

    remove(resource: RenderedResource): void {
        this.kubernetes.delete(resource.urn);
        const inputs = resource.inputs;
        if (resource.type === "kubernetes:core/v1:Namespace") {
            const namespace = String(record(inputs.metadata).name);
            // The namespace controller deletes everything in it, the StatefulSets that would make claims again too.
            for (const [urn, object] of this.kubernetes) {
                if (record(object.inputs.metadata).namespace === namespace) {
                    this.kubernetes.delete(urn);
                }
            }
            for (const [key, claim] of this.claims) {
                if (claim.namespace === namespace) {
                    this.deleteClaim(key);
                }
            }
        }
        // CloudNativePG sets an ownerReference from each instance's claim to its Cluster (cloudnative-pg
        // pkg/specs/pvcs.go), and the RabbitMQ Cluster Operator v2.22.3 one from each node's claim to its
        // RabbitmqCluster (internal/resource/statefulset.go persistentVolumeClaim, SetControllerReference): the
        // garbage collector deletes the claims with the cluster object.
        if (CLAIM_OWNERS.has(resource.type)) {
            for (const [key, claim] of this.claims) {
                if (claim.statefulSet === resource.urn) {
                    this.deleteClaim(key);
                }
            }
        }
        // Helm deletes the objects of a release it uninstalls, a chart's own claims with them, except those annotated
        // helm.sh/resource-policy: keep (helm.sh/docs "Chart Development Tips and Tricks").
        if (resource.type === RELEASE) {
            for (const [key, claim] of this.claims) {
                if (claim.statefulSet === resource.urn && !claim.keptByHelm) {
                    this.deleteClaim(key);
                }
            }
        }
        if (resource.type === "kubernetes:apps/v1:StatefulSet") {
            const policy = record(record(inputs.spec).persistentVolumeClaimRetentionPolicy);
            if (policy.whenDeleted === "Delete") {
                for (const [key, claim] of this.claims) {
                    if (claim.statefulSet === resource.urn) {
                        this.deleteClaim(key);
                    }
                }
            }
        }
        this.reconcile();
    }

    private releases(chart: string): RenderedResource[] {
        return [...this.kubernetes.values()].filter((resource) => resource.type === RELEASE && resource.inputs.chart === chart);
    }

    private storageClass(): RenderedResource | undefined {
        return [...this.kubernetes.values()].find(
            (resource) => resource.type === "kubernetes:storage.k8s.io/v1:StorageClass" && resource.inputs.provisioner === "cinder.csi.openstack.org",
        );
    }

    private reclaims(): boolean {
        return (this.storageClass()?.inputs.reclaimPolicy ?? "Delete") === "Delete";
    }

    private csiRuns(): boolean {
        return this.alive() && this.releases("openstack-cinder-csi").length > 0;
    }

    private ccmRuns(): boolean {
        return (
            this.alive() &&
            this.releases("openstack-cloud-controller-manager").some((release) =>
                ((record(release.inputs.values).enabledControllers as string[] | undefined) ?? ["service"]).includes("service"),
            )
        );
    }

    private deleteClaim(key: string, awaited = false): void {
        const claim = this.claims.get(key);
        this.claims.delete(key);
        if (!claim?.volume || !this.reclaims()) {
            return;
        }
        if (awaited && this.csiRuns()) {
            this.cloud.remove(claim.volume);
        } else {
            this.pending.push({ kind: "volume", id: claim.volume });
        }
    }

    private deleteLoadBalancer(id: string): void {
        const lb = this.cloud.get(id);
        if (!lb) {
            return;
        }
        for (const fip of this.cloud.live("floatingIp").filter((candidate) => candidate.attrs.port === lb.attrs.vipPort)) {
            this.cloud.remove(fip.id);
        }
        this.cloud.remove(String(lb.attrs.vipPort));
        this.cloud.remove(lb.id);
    }

    /**
     * What a delete script run on a node asks kubectl to do, awaited: deleting every LoadBalancer Service, and
     * every claim bound to a volume reclaimed with Delete. Only these two forms are read; any other script has
     * no effect on the fake cluster.
     */
    releaseCloudObjects(script: string): void {
        if (!this.alive() || !script.includes("kubectl")) {
            return;
        }
        if (/delete service/.test(script) && script.includes("LoadBalancer") && this.ccmRuns()) {
            for (const lb of this.cloud.live("loadBalancer").filter((candidate) => candidate.owner === "cloud-controller-manager")) {
                this.deleteLoadBalancer(lb.id);
            }
            this.servicesReleased = true;
        }
        if (/delete persistentvolumeclaim/.test(script) && /persistentVolumeReclaimPolicy=="Delete"/.test(script) && this.reclaims()) {
            for (const key of [...this.claims.keys()]) {
                this.deleteClaim(key, true);
            }
            this.claimsReleased = true;
        }
    }

    /** Set once a teardown deleted the objects: the controllers do not make them again in this simulation. */
    private servicesReleased = false;
    private claimsReleased = false;

    /** The end of an operation: the controllers that still run finish their cleanup; the rest is left behind. */
    settle(): void {
        for (const item of this.pending.splice(0)) {
            if (item.kind === "volume" && this.csiRuns()) {
                this.cloud.remove(item.id);
            }
            if (item.kind === "loadBalancer" && this.ccmRuns()) {
                this.deleteLoadBalancer(item.id);
            }
        }
    }

    /**
     * The Services of type LoadBalancer the cluster holds, named as the CCM names their load balancers
     * (`kube_service_<cluster>_<namespace>_<name>`, shortened here to namespace and name): those the program
     * declares, and the one Envoy Gateway makes for each Gateway whose EnvoyProxy asks for a LoadBalancer
     * (gateway.envoyproxy.io EnvoyProxy spec.provider.kubernetes.envoyService.type, default LoadBalancer).
     */
    private loadBalancerServices(): string[] {
        const objects = [...this.kubernetes.values()];
        const declared = objects
            .filter((resource) => resource.type === "kubernetes:core/v1:Service" && record(resource.inputs.spec).type === "LoadBalancer")
            .map((resource) => `kube_service_${String(record(resource.inputs.metadata).namespace)}_${String(record(resource.inputs.metadata).name)}`);
        const proxyWantsLoadBalancer = objects.some(
            (resource) =>
                resource.type.endsWith(":EnvoyProxy") &&
                (record(record(record(record(resource.inputs.spec).provider).kubernetes).envoyService).type ?? "LoadBalancer") === "LoadBalancer",
        );
        const gateways = this.releases(chartReference(CHARTS.envoyGateway)).length > 0 && proxyWantsLoadBalancer
            ? objects
                  .filter((resource) => resource.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway")
                  .map((resource) => `kube_service_envoy-gateway-system_${String(record(resource.inputs.metadata).name)}`)
            : [];
        return [...declared, ...gateways].sort();
    }

    /** An operator's or a chart's claim of an owner object, bound to a Cinder volume once the driver provisions; none after a teardown released them. */
    private ensureClaim(key: string, namespace: string, owner: string, provisions: boolean, keptByHelm = false): void {
        const claim = this.claims.get(key) ?? { namespace, statefulSet: owner };
        // A release that takes over a claim a former release left behind makes it its own again (Helm adopts an object
        // that carries its release's meta.helm.sh annotations).
        claim.statefulSet = owner;
        claim.keptByHelm = keptByHelm;
        if (this.claimsReleased && !this.claims.has(key)) {
            return;
        }
        if (!claim.volume && provisions) {
            claim.volume = this.cloud.add("volume", `pvc-${key}`, "cinder-csi", {}).id;
        }
        this.claims.set(key, claim);
    }

    /** Brings the cloud objects the controllers own in line with the Kubernetes objects. */
    reconcile(): void {
        if (!this.alive()) {
            return;
        }
        const ccm = this.releases("openstack-cloud-controller-manager").find((release) =>
            ((record(release.inputs.values).enabledControllers as string[] | undefined) ?? ["service"]).includes("service"),
        );
        const wanted = this.loadBalancerServices();
        const existing = this.cloud.live("loadBalancer").filter((lb) => lb.owner === "cloud-controller-manager");
        if (ccm && !this.servicesReleased) {
            for (const name of wanted.filter((candidate) => !existing.some((lb) => lb.name === candidate))) {
                const subnet = this.cloud.live("subnet")[0];
                const lb = this.cloud.add("loadBalancer", name, "cloud-controller-manager", { subnet: subnet?.id });
                const port = this.cloud.add("port", `octavia-lb-${lb.id}`, "cloud-controller-manager", { subnet: subnet?.id, network: subnet?.attrs.network, securityGroups: [] });
                lb.attrs.vipPort = port.id;
                // The cloud-config names a floating network, so the CCM gives every load balancer a floating IP.
                this.cloud.add("floatingIp", `fip-${lb.id}`, "cloud-controller-manager", { port: port.id, address: name });
            }
        }
        for (const lb of existing.filter((candidate) => !wanted.includes(candidate.name) && !this.pending.some((item) => item.id === candidate.id))) {
            this.pending.push({ kind: "loadBalancer", id: lb.id });
        }
        const provisions = this.releases("openstack-cinder-csi").length > 0 && this.storageClass() !== undefined;
        for (const statefulSet of [...this.kubernetes.values()].filter((resource) => resource.type === "kubernetes:apps/v1:StatefulSet")) {
            const spec = record(statefulSet.inputs.spec);
            const namespace = String(record(statefulSet.inputs.metadata).namespace);
            const name = String(record(statefulSet.inputs.metadata).name);
            const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
            for (const template of (spec.volumeClaimTemplates as unknown[] | undefined) ?? []) {
                for (let index = 0; index < replicas; index += 1) {
                    const key = `${namespace}/${String(record(record(template).metadata).name)}-${name}-${index}`;
                    const claim = this.claims.get(key) ?? { namespace, statefulSet: statefulSet.urn };
                    if (this.claimsReleased && !this.claims.has(key)) {
                        continue;
                    }
                    if (!claim.volume && provisions) {
                        claim.volume = this.cloud.add("volume", `pvc-${key}`, "cinder-csi", {}).id;
                    }
                    this.claims.set(key, claim);
                }
            }
        }
        // CloudNativePG makes one claim per instance, named <cluster>-<serial> from 1 (cloudnative-pg pkg/specs/pvcs.go).
        for (const database of [...this.kubernetes.values()].filter((resource) => resource.type === CNPG_CLUSTER)) {
            const namespace = String(record(database.inputs.metadata).namespace);
            const name = String(record(database.inputs.metadata).name);
            const instances = record(database.inputs.spec).instances;
            for (let serial = 1; serial <= (typeof instances === "number" ? instances : 1); serial += 1) {
                this.ensureClaim(`${namespace}/${name}-${serial}`, namespace, database.urn, provisions);
            }
        }
        // The grafana subchart of kube-prometheus-stack makes one claim named after Grafana's fullname when persistence
        // is a pvc of a Deployment (grafana chart 12.11.1 templates/pvc.yaml: persistence.enabled, type pvc, no
        // existingClaim, not useStatefulSet), in the release's namespace.
        for (const release of this.releases(chartReference(CHARTS.kubePrometheusStack))) {
            const grafana = record(record(release.inputs.values).grafana);
            const persistence = record(grafana.persistence);
            if (persistence.enabled === true && (persistence.type ?? "pvc") === "pvc" && !persistence.existingClaim && grafana.useStatefulSet !== true) {
                const namespace = String(release.inputs.namespace);
                const keep = record(persistence.annotations)["helm.sh/resource-policy"] === "keep";
                const fullname = typeof grafana.fullnameOverride === "string" ? grafana.fullnameOverride : `${String(release.inputs.name)}-grafana`;
                this.ensureClaim(`${namespace}/${fullname}`, namespace, release.urn, provisions, keep);
            }
        }
        // The RabbitMQ operator's StatefulSet <name>-server makes persistence-<name>-server-<n> from 0 (its volume
        // claim template `persistence`), one per replica, the CRD's default being 1.
        for (const broker of [...this.kubernetes.values()].filter((resource) => resource.type === RABBITMQ_CLUSTER)) {
            const namespace = String(record(broker.inputs.metadata).namespace);
            const name = String(record(broker.inputs.metadata).name);
            const replicas = record(broker.inputs.spec).replicas;
            for (let node = 0; node < (typeof replicas === "number" ? replicas : 1); node += 1) {
                this.ensureClaim(`${namespace}/persistence-${name}-server-${node}`, namespace, broker.urn, provisions);
            }
        }
    }
}
