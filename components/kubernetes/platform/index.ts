import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { certManager, CLUSTER_ISSUER_NAME } from "./cert-manager";
import { cinderCsi, STORAGE_CLASS_NAME, storageClass } from "./cinder-csi";
import { cloudConfigSecret, type OpenStackAccess } from "./cloud-config";
import { cloudControllerManager } from "./cloud-controller-manager";
import { INGRESS_CLASS_NAME, INGRESS_NAMESPACE, ingressNginx } from "./ingress-nginx";
import { metricsServer } from "./metrics-server";
import { addOnNamespace } from "./namespace";

export interface PlatformArgs {
    /** The cluster's only Kubernetes provider: every resource goes through it. */
    provider: k8s.Provider;
    /** Sets replica counts and the reclaim policy of the default StorageClass. */
    environment: "integration" | "preprod" | "prod";
    /** Keystone access (an application credential) and the networks the cloud-controller-manager uses. */
    openstack: OpenStackAccess;
    /** false where the site has no Octavia (vip mode): no LoadBalancer Services, ingress-nginx as NodePort. */
    loadBalancers: boolean;
    /** ACME account of the cluster's ClusterIssuer. */
    certManager: { acmeEmail: string; acmeServer: string };
    /** Cinder volume type of the default StorageClass (the site's `volumeType`); the project's default if absent. */
    volumeType?: string;
}

/**
 * The cluster's add-ons, each a pinned Helm release: the OpenStack cloud-controller-manager and Cinder CSI
 * (sharing one cloud-config Secret), ingress-nginx, cert-manager with an ACME ClusterIssuer, and metrics-server.
 * The component's name is also the cluster name the OpenStack add-ons tag their load balancers and volumes with:
 * give it the stack's name (kubeadm's clusterName) and never change it.
 */
export class Platform extends pulumi.ComponentResource {
    /** The default StorageClass (Cinder). */
    public readonly storageClassName: string;
    /** The IngressClass of ingress-nginx, also the cluster's default. */
    public readonly ingressClassName: string;
    /** The ACME ClusterIssuer, for the `cert-manager.io/cluster-issuer` annotation. */
    public readonly clusterIssuerName: string;
    /** Namespace of the ingress-nginx controller pods, which application NetworkPolicies must admit. */
    public readonly ingressNamespace: string;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:kubernetes:Platform", name, {}, opts);
        const onCluster = { parent: this, provider: args.provider };
        const clusterName = name;

        const cloudConfig = cloudConfigSecret(`${name}-cloud-config`, args.openstack, args.loadBalancers, onCluster);
        const cloudControllerManagerRelease = cloudControllerManager(
            `${name}-openstack-ccm`,
            { clusterName, loadBalancers: args.loadBalancers },
            { ...onCluster, dependsOn: [cloudConfig] },
        );
        // Until the cloud-controller-manager has initialised a node, its taint keeps every other pod off it: the
        // other releases would only wait out their timeout.
        const afterNodesInitialised = { ...onCluster, dependsOn: [cloudControllerManagerRelease] };

        const cinderRelease = cinderCsi(
            `${name}-cinder-csi`,
            { clusterName },
            { ...onCluster, dependsOn: [cloudConfig, cloudControllerManagerRelease] },
        );
        // Claims against the default class only make sense once the driver that serves it is running.
        storageClass(`${name}-storage-class`, { environment: args.environment, volumeType: args.volumeType }, {
            ...onCluster,
            dependsOn: [cinderRelease],
        });

        const ingressNamespace = addOnNamespace(`${name}-ingress-nginx-ns`, INGRESS_NAMESPACE, "baseline", onCluster);
        ingressNginx(
            `${name}-ingress-nginx`,
            { environment: args.environment, loadBalancers: args.loadBalancers, namespace: ingressNamespace.metadata.name },
            afterNodesInitialised,
        );

        const certManagerNamespace = addOnNamespace(`${name}-cert-manager-ns`, "cert-manager", "restricted", onCluster);
        certManager(
            `${name}-cert-manager`,
            {
                environment: args.environment,
                namespace: certManagerNamespace.metadata.name,
                acmeEmail: args.certManager.acmeEmail,
                acmeServer: args.certManager.acmeServer,
                ingressClassName: INGRESS_CLASS_NAME,
            },
            afterNodesInitialised,
        );

        const metricsNamespace = addOnNamespace(`${name}-metrics-server-ns`, "metrics-server", "restricted", onCluster);
        metricsServer(
            `${name}-metrics-server`,
            { environment: args.environment, namespace: metricsNamespace.metadata.name },
            afterNodesInitialised,
        );

        this.storageClassName = STORAGE_CLASS_NAME;
        this.ingressClassName = INGRESS_CLASS_NAME;
        this.clusterIssuerName = CLUSTER_ISSUER_NAME;
        this.ingressNamespace = INGRESS_NAMESPACE;
        this.registerOutputs({
            storageClassName: this.storageClassName,
            ingressClassName: this.ingressClassName,
            clusterIssuerName: this.clusterIssuerName,
            ingressNamespace: this.ingressNamespace,
        });
    }
}
