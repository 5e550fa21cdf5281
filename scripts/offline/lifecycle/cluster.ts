import type { RenderedResource } from "../render";
import type { FakeOpenStack } from "./fake-openstack";

/** A PersistentVolumeClaim a StatefulSet made, and the Cinder volume the CSI driver gave it. */
interface Claim {
    namespace: string;
    statefulSet: string;
    volume?: string;
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
 */
export class ClusterModel {
    readonly kubernetes = new Map<string, RenderedResource>();
    private readonly claims = new Map<string, Claim>();
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

    private deleteClaim(key: string): void {
        const claim = this.claims.get(key);
        this.claims.delete(key);
        const reclaim = this.storageClass()?.inputs.reclaimPolicy ?? "Delete";
        if (claim?.volume && reclaim === "Delete" && this.alive() && this.releases("openstack-cinder-csi").length > 0) {
            this.cloud.remove(claim.volume);
        }
    }

    /** Brings the cloud objects the controllers own in line with the Kubernetes objects. */
    reconcile(): void {
        if (!this.alive()) {
            return;
        }
        const ccm = this.releases("openstack-cloud-controller-manager").find((release) =>
            ((record(release.inputs.values).enabledControllers as string[] | undefined) ?? ["service"]).includes("service"),
        );
        const wantsLoadBalancer = this.releases("ingress-nginx").some(
            (release) => (record(record(record(release.inputs.values).controller).service).type ?? "LoadBalancer") === "LoadBalancer",
        );
        const existing = this.cloud.live("loadBalancer").filter((lb) => lb.owner === "cloud-controller-manager");
        if (ccm && wantsLoadBalancer && existing.length === 0) {
            const subnet = this.cloud.live("subnet")[0];
            const lb = this.cloud.add("loadBalancer", "kube_service_ingress-nginx_ingress-nginx-controller", "cloud-controller-manager", { subnet: subnet?.id });
            const port = this.cloud.add("port", `octavia-lb-${lb.id}`, "cloud-controller-manager", { subnet: subnet?.id, network: subnet?.attrs.network, securityGroups: [] });
            lb.attrs.vipPort = port.id;
            this.cloud.add("floatingIp", `ingress-${lb.id}`, "cloud-controller-manager", { port: port.id, address: "ingress" });
        }
        if (ccm && !wantsLoadBalancer) {
            for (const lb of existing) {
                for (const fip of this.cloud.live("floatingIp").filter((candidate) => candidate.attrs.port === lb.attrs.vipPort)) {
                    this.cloud.remove(fip.id);
                }
                this.cloud.remove(String(lb.attrs.vipPort));
                this.cloud.remove(lb.id);
            }
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
                    if (!claim.volume && provisions) {
                        claim.volume = this.cloud.add("volume", `pvc-${key}`, "cinder-csi", {}).id;
                    }
                    this.claims.set(key, claim);
                }
            }
        }
    }
}
