import { CNI_METRICS_PORTS } from "../../components/config/ports";
import { parseCatalog, readCatalog } from "../../components/config/catalog";
import { parseStackConfig } from "../../components/config/load";
import { environmentProfile } from "../../components/config/profile";
import { hasStatefulPool } from "../../components/config/pools";
import { postgresManifests } from "../../components/kubernetes/data/postgres-manifests";
import { DEFINITIONS_BACKUP_IMAGE } from "../../components/kubernetes/data/rabbitmq";
import { type BrokerInput, rabbitmqManifests } from "../../components/kubernetes/data/rabbitmq-manifests";
import { certificateSource } from "../../components/config/traffic";
import { issuerName } from "../../components/kubernetes/platform/cert-manager";
import { domainManifests } from "../../components/kubernetes/domain-manifests";
import { gatewayManifest, gatewayNamespacePolicies, httpsRedirectRoute } from "../../components/kubernetes/gateway-manifests";
import { metricsTargets } from "../../components/kubernetes/metrics-targets";
import { monitoringPolicies } from "../../components/kubernetes/platform/monitoring-policies";
import { clusterGateway } from "../../components/kubernetes/platform/envoy-gateway";
import { type ResolvedService, resolveService, routedHosts } from "../../components/kubernetes/service-defaults";
import { type WorkloadContext, workloadManifests } from "../../components/kubernetes/workload-manifests";
import { ROOT, type StackName, rawConfig } from "./stack-config";

export const catalog = parseCatalog(readCatalog(ROOT));
export const gateway = clusterGateway("fsgs", "gateway");

/** The catalog resolved for a stack, as the program resolves it. */
export function resolved(stack: StackName): ResolvedService[] {
    const config = parseStackConfig(rawConfig(stack));
    return catalog.map((service) => resolveService(service, config.services[service.name], environmentProfile(config.environment)));
}

/** The context the program gives the workloads of a stack. */
export function contextOf(stack: StackName): WorkloadContext {
    const config = parseStackConfig(rawConfig(stack));
    return {
        imagePullSecret: "gitlab-registry",
        gateway,
        catalog: resolved(stack),
        clusterCidrs: [config.network.podCidr, config.network.serviceCidr],
        statefulPool: hasStatefulPool(config),
        externalAccess: { loadBalancers: config.cluster.apiEndpoint.mode === "octavia", nodeCidr: config.network.nodeCidr },
    };
}

/** What the program gives a database of a stack (components/stack.ts), for the manifests alone. */
export function databaseInput(stack: StackName, service: ResolvedService) {
    const config = parseStackConfig(rawConfig(stack));
    const context = contextOf(stack);
    return {
        service,
        instances: environmentProfile(config.environment).databaseInstances,
        placementNodes: config.cluster.workerPools.reduce((sum, pool) => sum + pool.count, 0),
        statefulPool: context.statefulPool,
        storageClass: "cinder",
        imagePullSecret: context.imagePullSecret,
        backup: config.data.backup,
        stackName: `fsgs-${stack}`,
        nodeCidr: config.network.nodeCidr,
        catalog: context.catalog,
    };
}

/** What the program gives a broker of a stack (components/stack.ts), for the manifests alone. */
export function brokerInputOf(stack: StackName, service: ResolvedService): BrokerInput {
    const config = parseStackConfig(rawConfig(stack));
    const context = contextOf(stack);
    const statefulPool = context.statefulPool;
    return {
        service,
        nodes: environmentProfile(config.environment).brokerNodes,
        placementNodes: config.cluster.workerPools.filter((pool) => !statefulPool || pool.role === "stateful").reduce((sum, pool) => sum + pool.count, 0),
        statefulPool,
        storageClass: "cinder",
        imagePullSecret: context.imagePullSecret,
        backup: config.data.backup,
        stackName: `fsgs-${stack}`,
        nodeCidr: config.network.nodeCidr,
        catalog: context.catalog,
        backupImage: DEFINITIONS_BACKUP_IMAGE,
    };
}

/** Every object the stack would deploy for its services and its Gateway, as plain manifests. */
export function manifestsOf(stack: StackName): Record<string, any>[] {
    const services = resolved(stack);
    const context = contextOf(stack);
    const namespaces = [...new Set(services.map((service) => service.namespace))];
    return [
        ...namespaces.flatMap((namespace) => Object.values(domainManifests(namespace, services.filter((s) => s.namespace === namespace)))),
        ...services.flatMap((service) =>
            service.postgresql
                ? postgresManifests(databaseInput(stack, service))
                : service.rabbitmq
                  ? rabbitmqManifests(brokerInputOf(stack, service))
                  : Object.values(workloadManifests(service, context)).filter(Boolean),
        ),
        gatewayManifest({
            gateway,
            gatewayClassName: "envoy",
            clusterIssuer: issuerName(certificateSource(parseStackConfig(rawConfig(stack)))),
            routes: routedHosts(services),
        }),
        httpsRedirectRoute(gateway),
        ...gatewayNamespacePolicies(gateway),
        ...monitoringPolicies({
            gateway,
            nodeCidr: context.externalAccess.nodeCidr,
            clusterCidrs: context.clusterCidrs,
            scrapeTargets: metricsTargets(services),
            cniMetricsPort: CNI_METRICS_PORTS[parseStackConfig(rawConfig(stack)).cluster.cni],
        }),
    ] as Record<string, any>[];
}
