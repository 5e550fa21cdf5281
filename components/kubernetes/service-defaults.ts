import type { EnvironmentProfile } from "../config/profile";
import type { ServiceOverride, ServiceSpec } from "../config/service-schema";

/** A catalog entry with the stack's overrides and the production defaults applied: every field decided. */
export interface ResolvedService extends Omit<ServiceSpec, "replicas" | "resources" | "runAsUser" | "writablePaths"> {
    namespace: string;
    replicas: number;
    resources: NonNullable<ServiceSpec["resources"]>;
    runAsUser: number;
    writablePaths: string[];
    kind: "Deployment" | "StatefulSet";
}

// Small enough to pack a dozen services per worker, large enough for a Python web app at rest.
export const DEFAULT_RESOURCES: ResolvedService["resources"] = {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
};

// An unprivileged UID outside the range distributions give to system and login users.
export const DEFAULT_UID = 10001;

/** The namespace of a domain. */
export function domainNamespace(domain: string): string {
    return `fsgs-${domain}`;
}

/** The profile's decisions a service's defaults depend on. */
export type ServiceProfile = Pick<EnvironmentProfile, "minimumServiceReplicas" | "databaseInstances" | "brokerNodes">;

/**
 * Applies the stack's override and the defaults; replicas never go below the profile's minimum, except for
 * a singleton (`singleton.reason` says why two instances would be worse than an outage at a node drain).
 */
export function resolveService(spec: ServiceSpec, override: ServiceOverride | undefined, profile: ServiceProfile): ResolvedService {
    const minimum = profile.minimumServiceReplicas;
    const wanted = override?.replicas ?? spec.replicas ?? minimum;
    return {
        ...spec,
        image: { ...spec.image, tag: override?.tag ?? spec.image.tag },
        namespace: domainNamespace(spec.domain),
        // A database or a broker runs as many instances as the environment's data protection decides (the operator's),
        // so quotas and the capacity check count those, not the entry's replicas.
        replicas: spec.postgresql ? profile.databaseInstances : spec.rabbitmq ? profile.brokerNodes : spec.singleton ? 1 : Math.max(wanted, minimum),
        resources: override?.resources ?? spec.resources ?? DEFAULT_RESOURCES,
        runAsUser: spec.runAsUser ?? DEFAULT_UID,
        writablePaths: [...new Set(["/tmp", ...(spec.writablePaths ?? [])])],
        kind: spec.storage ? "StatefulSet" : "Deployment",
        // No network admitted (the stack's explicit []): nothing is exposed rather than an empty, open source list.
        expose:
            spec.expose && (override?.exposeSourceRanges ?? spec.expose.sourceRanges).length > 0
                ? { ...spec.expose, sourceRanges: override?.exposeSourceRanges ?? spec.expose.sourceRanges }
                : undefined,
    };
}

/** The hosts the Gateway serves: one per service with an `ingress`. */
export function routedHosts(services: readonly ResolvedService[]): { service: string; namespace: string; host: string }[] {
    return services.flatMap((service) => (service.ingress ? [{ service: service.name, namespace: service.namespace, host: service.ingress.host }] : []));
}
