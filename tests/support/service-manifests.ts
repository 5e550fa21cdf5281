import { parseCatalog, readCatalog } from "../../components/config/catalog";
import { parseStackConfig } from "../../components/config/load";
import { hasStatefulPool } from "../../components/config/pools";
import { domainManifests } from "../../components/kubernetes/domain-manifests";
import { gatewayManifest, gatewayNamespacePolicies, httpsRedirectRoute } from "../../components/kubernetes/gateway-manifests";
import { clusterGateway } from "../../components/kubernetes/platform/envoy-gateway";
import { type ResolvedService, resolveService, routedHosts } from "../../components/kubernetes/service-defaults";
import { type WorkloadContext, workloadManifests } from "../../components/kubernetes/workload-manifests";
import { ROOT, type StackName, rawConfig } from "./stacks";

export const catalog = parseCatalog(readCatalog(ROOT));
export const gateway = clusterGateway("fsgs", "gateway");

/** The catalog resolved for a stack, as the program resolves it. */
export function resolved(stack: StackName): ResolvedService[] {
    const config = parseStackConfig(rawConfig(stack));
    return catalog.map((service) => resolveService(service, config.services[service.name], config.environment));
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
    };
}

/** Every object the stack would deploy for its services and its Gateway, as plain manifests. */
export function manifestsOf(stack: StackName): Record<string, any>[] {
    const services = resolved(stack);
    const context = contextOf(stack);
    const namespaces = [...new Set(services.map((service) => service.namespace))];
    return [
        ...namespaces.flatMap((namespace) => Object.values(domainManifests(namespace, services.filter((s) => s.namespace === namespace)))),
        ...services.flatMap((service) => Object.values(workloadManifests(service, context)).filter(Boolean)),
        gatewayManifest({ gateway, gatewayClassName: "envoy", clusterIssuer: "letsencrypt", routes: routedHosts(services) }),
        httpsRedirectRoute(gateway),
        ...gatewayNamespacePolicies(gateway),
    ] as Record<string, any>[];
}
