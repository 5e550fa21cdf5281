import * as pulumi from "@pulumi/pulumi";
import { KubeadmCluster } from "./cluster/kubeadm-cluster";
import type { CatalogFile } from "./config/catalog";
import { loadStack } from "./config/load";
import { DEFINITIONS_BACKUP_IMAGE } from "./kubernetes/data/rabbitmq";
import { FsgsServices } from "./kubernetes/fsgs-services";
import { Platform } from "./kubernetes/platform";
import { clusterProvider } from "./kubernetes/provider";
import { deployKeys } from "./config/deploy-keys";
import { hasStatefulPool } from "./config/pools";
import { certificateSource, outsideNodePorts } from "./config/traffic";
import { resolveService, routedHosts } from "./kubernetes/service-defaults";
import { metricsTargets } from "./kubernetes/metrics-targets";
import { Environment, type NodesByRole } from "./openstack/environment";

/** What a stack exports; index.ts publishes exactly this. */
export interface StackOutputs {
    environmentName: string;
    site: string;
    nodes: pulumi.Output<NodesByRole>;
    bastionPublicAddress: pulumi.Output<string>;
    apiEndpoint: {
        privateAddress: pulumi.Output<string>;
        publicAddress: pulumi.Output<string>;
        port: number;
        url: pulumi.Output<string>;
    };
    /** Cluster-admin kubeconfig naming the public endpoint; a secret. */
    kubeconfig: pulumi.Output<string>;
    /** When that kubeconfig's client certificate expires (ISO 8601), so its end is never a surprise. */
    kubeconfigExpiresAt: pulumi.Output<string>;
}

/**
 * The whole program: validate the config (throwing before any registration), then build the environment, the
 * cluster, the platform and the services. `catalogFiles` replaces the project's services/ folder (the Swarm
 * importer's tests render imported entries through the whole program this way).
 */
export function buildStack(catalogFiles?: readonly CatalogFile[]): StackOutputs {
    const { config, profile, secrets, catalog } = catalogFiles === undefined ? loadStack() : loadStack(undefined, catalogFiles);
    const name = `fsgs-${config.environment}`;
    const keys = deployKeys(config.access.deployPublicKey, secrets.deployPrivateKey, secrets.deployPreviousPrivateKey);
    const environment = new Environment(name, {
        config,
        protectStoredData: profile.protectStoredData,
        outsideNodePorts: outsideNodePorts(config, catalog),
        deployKeypairPublicKey: keys.keypairPublicKey,
    });
    const cluster = new KubeadmCluster(name, {
        config,
        hosts: environment.hosts,
        deployKeys: keys,
        etcdBackupKeys: { accessKey: secrets.etcdBackupAccessKey, secretKey: secrets.etcdBackupSecretKey },
    });
    const endpoint = environment.apiEndpoint;
    const outputs: StackOutputs = {
        environmentName: config.environment,
        site: config.site.name,
        nodes: environment.nodes,
        bastionPublicAddress: environment.bastionPublicAddress,
        apiEndpoint: {
            privateAddress: endpoint.privateAddress,
            publicAddress: endpoint.publicAddress,
            port: endpoint.port,
            url: pulumi.interpolate`https://${endpoint.publicAddress}:${endpoint.port}`,
        },
        kubeconfig: cluster.kubeconfig,
        kubeconfigExpiresAt: cluster.kubeconfigExpiresAt,
    };
    const kubernetesProvider = clusterProvider(name, cluster.kubeconfig);
    const services = catalog.map((service) => resolveService(service, config.services[service.name], profile));
    // The name is also the cluster name Octavia load balancers and Cinder volumes are tagged with: keep it.
    // The provider travels with `parent`: every Kubernetes resource below these two components inherits it.
    const onCluster = { providers: [kubernetesProvider] };
    const platform = new Platform(
        name,
        {
        profile,
        openstack: {
            authUrl: config.site.authUrl,
            region: config.site.region,
            applicationCredentialId: secrets.cloudCredentialId,
            applicationCredentialSecret: secrets.cloudCredentialSecret,
            subnetId: environment.subnetId,
            floatingNetworkId: environment.externalNetworkId,
        },
        loadBalancers: config.cluster.apiEndpoint.mode === "octavia",
        certManager: {
            acmeEmail: config.platform.acmeEmail,
            acmeServer: config.platform.acmeServer,
            certificates: certificateSource(config),
        },
        routes: routedHosts(services),
        volumeType: config.site.volumeType,
        observability: {
            // Two Prometheus and two Alertmanager replicas where the profile asks for high availability.
            replicas: profile.highAvailabilityReplicas,
            metrics: config.observability.metrics,
            logs: config.observability.logs,
            grafanaHost: config.observability.grafanaHost,
            alertReceiver: config.observability.alertReceiver,
            alertReceiverSecret: secrets.alertReceiverSecret,
            grafanaAdminPassword: secrets.grafanaAdminPassword,
            nodeCidr: config.network.nodeCidr,
            clusterCidrs: [config.network.podCidr, config.network.serviceCidr],
            scrapeTargets: metricsTargets(services),
            cni: config.cluster.cni,
            protectStoredData: profile.protectStoredData,
        },
        },
        onCluster,
    );
    const statefulPool = hasStatefulPool(config);
    const placementNodes = config.cluster.workerPools
        .filter((pool) => !statefulPool || pool.role === "stateful")
        .reduce((sum, pool) => sum + pool.count, 0);
    // Before the cluster goes, the objects that made Octavia load balancers and Cinder volumes are deleted while
    // the controllers that remove those still run.
    cluster.releaseCloudResourcesAtTeardown([platform]);
    // The databases and the brokers keep their data under the same decisions: protection, placement, storage and
    // the object store their backups go to.
    const storedData = {
        protect: profile.protectStoredData,
        placementNodes,
        storageClass: platform.storageClassName,
        backup: config.data.backup,
        backupCredentials:
            secrets.backupAccessKeyId && secrets.backupSecretAccessKey
                ? { accessKeyId: secrets.backupAccessKeyId, secretAccessKey: secrets.backupSecretAccessKey }
                : undefined,
        stackName: name,
        nodeCidr: config.network.nodeCidr,
    };
    new FsgsServices(
        `${name}-services`,
        {
            services,
            registry: { ...config.platform.registry, password: secrets.registryPassword },
            context: {
                imagePullSecret: "gitlab-registry",
                gateway: platform.gateway,
                catalog: services,
                statefulPool,
                externalAccess: { loadBalancers: config.cluster.apiEndpoint.mode === "octavia", nodeCidr: config.network.nodeCidr },
                clusterCidrs: [config.network.podCidr, config.network.serviceCidr],
            },
            // Routes and certificates need the controllers and the CRDs first.
            platform,
            databases: {
                ...storedData,
                instances: profile.databaseInstances,
                restore: config.data.restore,
                operator: platform.databaseOperator,
            },
            monitoring: platform.monitoringStack,
            brokers: {
                ...storedData,
                nodes: profile.brokerNodes,
                backupImage: DEFINITIONS_BACKUP_IMAGE,
                operator: platform.brokerOperator,
                topologyOperator: platform.brokerTopologyOperator,
            },
        },
        onCluster,
    );
    return outputs;
}
