import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type GatewayRef, HTTP_LISTENER, type RoutedHost } from "../gateway-manifests";
import type { EnvironmentProfile } from "../../config/profile";
import { type CertificateSource, certManager, issuerName } from "./cert-manager";
import { cinderCsi, STORAGE_CLASS_NAME, storageClass } from "./cinder-csi";
import { cloudConfigChecksum, cloudConfigSecret, type OpenStackAccess } from "./cloud-config";
import { cloudControllerManager } from "./cloud-controller-manager";
import { cloudNativePg } from "./cloudnative-pg";
import { CNPG_NAMESPACE } from "../data/cnpg";
import { clusterGateway, ENVOY_GATEWAY_NAMESPACE, envoyGateway, GATEWAY_CLASS_NAME } from "./envoy-gateway";
import { gatewayResources } from "./gateway";
import { metricsServer } from "./metrics-server";
import { alsoAfter } from "./release";
import { addOnNamespace } from "./namespace";
import { observability, type ObservabilityInput } from "./observability";
import { MONITORING, MONITORING_NAMESPACE } from "./kube-prometheus-stack";
import { rabbitmqOperator } from "./rabbitmq-operator";
import { rabbitmqTopologyOperator } from "./rabbitmq-topology-operator";
import { exceptionNamespaceLabels, POD_SECURITY_EXCEPTIONS } from "../pod-security";

export interface PlatformArgs {
    /**
     * The environment's decisions the add-ons follow: controllers' replicas, the default StorageClass's reclaim
     * policy, the database operator's replicas; `environment` only names the internal root CA.
     */
    profile: Pick<EnvironmentProfile, "environment" | "highAvailabilityReplicas" | "volumeReclaimPolicy" | "databaseOperatorReplicas">;
    /** Keystone access (an application credential) and the networks the cloud-controller-manager uses. */
    openstack: OpenStackAccess;
    /** false where the site has no Octavia (vip mode): no LoadBalancer Services, the Gateway's proxies on NodePorts. */
    loadBalancers: boolean;
    /** ACME account of the cluster's ClusterIssuer, and whether certificates come from ACME or the stack's own CA. */
    certManager: { acmeEmail: string; acmeServer: string; certificates: CertificateSource };
    /** The hosts the Gateway serves, one HTTPS listener and certificate each. */
    routes: readonly RoutedHost[];
    /** Cinder volume type of the default StorageClass (the site's `volumeType`); the project's default if absent. */
    volumeType?: string;
    /** Metrics, alerts and dashboards (observability.ts); the Gateway and StorageClass are the platform's own. */
    observability: Omit<ObservabilityInput, "gateway" | "storageClass">;
}

/**
 * The cluster's add-ons, each a pinned Helm release (give the component the cluster's Kubernetes provider in
 * `providers`: every child goes through it): the OpenStack cloud-controller-manager and Cinder CSI
 * (sharing one cloud-config Secret), Envoy Gateway with the stack's one Gateway, cert-manager with its ClusterIssuer,
 * and metrics-server.
 * The component's name is also the cluster name the OpenStack add-ons tag their load balancers and volumes with:
 * give it the stack's name (kubeadm's clusterName) and never change it.
 */
export class Platform extends pulumi.ComponentResource {
    /** The default StorageClass (Cinder). */
    public readonly storageClassName: string;
    /** The ClusterIssuer of the Gateway's certificates (`cert-manager.io/cluster-issuer`). */
    public readonly clusterIssuerName: string;
    /** The cluster's Gateway, which HTTPRoutes attach to, and its proxies, which NetworkPolicies admit. */
    public readonly gateway: GatewayRef;
    /** The CloudNativePG operator release: database Clusters need its CRDs and webhook. */
    public readonly databaseOperator: k8s.helm.v3.Release;
    /** kube-prometheus-stack: PodMonitors need its CRDs. */
    public readonly monitoringStack: k8s.helm.v3.Release;
    /** The RabbitMQ Cluster Operator's manifest: RabbitmqClusters need its CRD and webhook. */
    public readonly brokerOperator: pulumi.Resource;
    /** The Messaging Topology Operator: a broker's User and Permission objects need its CRDs and webhook. */
    public readonly brokerTopologyOperator: pulumi.Resource;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:kubernetes:Platform", name, {}, opts);
        // The cluster's provider comes with the component's `providers` option; every child inherits it.
        const onCluster = { parent: this };
        const clusterName = name;

        // The namespaces of the documented exceptions the program labels (kubeadm's kube-system): their level said
        // out loud rather than left to the admission default, and restricted audited.
        for (const exception of POD_SECURITY_EXCEPTIONS.filter((candidate) => candidate.labelledBy === "program")) {
            new k8s.core.v1.NamespacePatch(`${name}-${exception.namespace}-pod-security`, { metadata: { name: exception.namespace, labels: exceptionNamespaceLabels(exception) } }, onCluster);
        }

        const cloudConfig = cloudConfigSecret(`${name}-cloud-config`, args.openstack, args.loadBalancers, onCluster);
        const configChecksum = cloudConfigChecksum(args.openstack, args.loadBalancers);
        const cloudControllerManagerRelease = cloudControllerManager(
            `${name}-openstack-ccm`,
            { clusterName, loadBalancers: args.loadBalancers, configChecksum },
            { ...onCluster, dependsOn: [cloudConfig] },
        );
        // Until the cloud-controller-manager has initialised a node, its taint keeps every other pod off it: the
        // other releases would only wait out their timeout.
        const afterNodesInitialised = { ...onCluster, dependsOn: [cloudControllerManagerRelease] };

        const cinderRelease = cinderCsi(
            `${name}-cinder-csi`,
            { clusterName, configChecksum },
            { ...onCluster, dependsOn: [cloudConfig, cloudControllerManagerRelease] },
        );
        // Claims against the default class only make sense once the driver that serves it is running.
        storageClass(`${name}-storage-class`, { reclaimPolicy: args.profile.volumeReclaimPolicy, volumeType: args.volumeType }, {
            ...onCluster,
            dependsOn: [cinderRelease],
        });

        const gateway = clusterGateway("fsgs", "gateway");
        const clusterIssuer = issuerName(args.certManager.certificates);
        // Restricted: the controller's values and the proxies Envoy Gateway renders (non-root, no escalation, ALL
        // capabilities dropped, RuntimeDefault seccomp; internal/infrastructure/kubernetes/proxy/testdata at v1.9.0)
        // comply with it.
        const envoyNamespace = addOnNamespace(`${name}-envoy-gateway-ns`, ENVOY_GATEWAY_NAMESPACE, "restricted", onCluster);
        const envoy = envoyGateway(
            `${name}-envoy-gateway`,
            {
                replicas: args.profile.highAvailabilityReplicas,
                loadBalancers: args.loadBalancers,
                namespace: envoyNamespace.metadata.name,
                gateway,
            },
            afterNodesInitialised,
        );

        const certManagerNamespace = addOnNamespace(`${name}-cert-manager-ns`, "cert-manager", "restricted", onCluster);
        const certificates = certManager(
            `${name}-cert-manager`,
            {
                replicas: args.profile.highAvailabilityReplicas,
                environment: args.profile.environment,
                namespace: certManagerNamespace.metadata.name,
                certificates: args.certManager.certificates,
                acmeEmail: args.certManager.acmeEmail,
                acmeServer: args.certManager.acmeServer,
                gateway: { name: gateway.name, namespace: gateway.namespace, httpListener: HTTP_LISTENER },
            },
            // cert-manager's Gateway API support needs the Gateway API CRDs when its controller starts.
            { ...onCluster, dependsOn: [cloudControllerManagerRelease, envoy.crds] },
        );

        // Grafana gets an HTTPS listener and a certificate of its own, like a routed service.
        const grafanaRoute = { service: MONITORING.grafanaService.name, namespace: MONITORING_NAMESPACE, host: args.observability.grafanaHost };
        // The Gateway names the issuer: cert-manager must be there to make its certificates.
        const clusterGatewayResource = gatewayResources(
            `${name}-gateway`,
            { gateway, gatewayClassName: GATEWAY_CLASS_NAME, clusterIssuer, routes: [...args.routes, grafanaRoute], loadBalancers: args.loadBalancers },
            { ...onCluster, dependsOn: [envoy.gatewayClass, certificates.clusterIssuer] },
        );

        const metricsNamespace = addOnNamespace(`${name}-metrics-server-ns`, "metrics-server", "restricted", onCluster);
        metricsServer(
            `${name}-metrics-server`,
            { replicas: args.profile.highAvailabilityReplicas, namespace: metricsNamespace.metadata.name },
            afterNodesInitialised,
        );

        const cnpgNamespace = addOnNamespace(`${name}-cnpg-ns`, CNPG_NAMESPACE, "restricted", onCluster);
        this.databaseOperator = cloudNativePg(
            `${name}-cloudnative-pg`,
            { replicas: args.profile.databaseOperatorReplicas, namespace: cnpgNamespace.metadata.name },
            afterNodesInitialised,
        );

        // Prometheus' volumes come from the Cinder class; Grafana's route attaches to the Gateway.
        this.monitoringStack = observability(
            `${name}-observability`,
            { ...args.observability, gateway, storageClass: STORAGE_CLASS_NAME },
            alsoAfter(afterNodesInitialised, cinderRelease, clusterGatewayResource),
        );
        // Its webhook's serving certificate is a cert-manager Certificate in the same manifest.
        const brokerOperator = rabbitmqOperator(`${name}-rabbitmq-operator`, {
            ...onCluster,
            dependsOn: [cloudControllerManagerRelease, certificates.release],
        });
        this.brokerOperator = brokerOperator.install;
        // Per-client broker users (User and Permission objects) need it; it lives in the Cluster Operator's namespace.
        this.brokerTopologyOperator = rabbitmqTopologyOperator(`${name}-rabbitmq-topology-operator`, {
            ...onCluster,
            dependsOn: [brokerOperator.install, brokerOperator.namespaceLabels, certificates.release],
        });

        this.storageClassName = STORAGE_CLASS_NAME;
        this.clusterIssuerName = clusterIssuer;
        this.gateway = gateway;
        this.registerOutputs({ storageClassName: this.storageClassName, clusterIssuerName: this.clusterIssuerName, gateway: this.gateway });
    }
}
