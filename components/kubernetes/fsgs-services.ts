import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type DatabaseContext, PostgresCluster, postgresInput } from "./data/postgres-cluster";
import { type BrokerContext, brokerInput, RabbitmqBroker } from "./data/rabbitmq-cluster";
import { Domain } from "./domain";
import { metricsTarget, podMonitorManifest } from "./metrics-targets";
import { Microservice } from "./microservice";
import type { RegistryCredentials } from "./registry-secret";
import type { ResolvedService } from "./service-defaults";
import type { WorkloadContext } from "./workload-manifests";

export interface FsgsServicesArgs {
    /** The catalog, resolved for the stack. */
    services: readonly ResolvedService[];
    registry: RegistryCredentials;
    context: WorkloadContext;
    /** The platform add-ons the workloads rely on (ingress class, issuer, storage class). */
    platform?: pulumi.Resource;
    /** How the catalog's `postgresql` entries are run (CloudNativePG); required when the catalog has one. */
    databases?: DatabaseContext;
    /** The monitoring stack whose CRDs the services' PodMonitors need; without it no PodMonitor is made. */
    monitoring?: pulumi.Resource;
    /** How the catalog's `rabbitmq` entries are run (RabbitMQ Cluster Operator); required when the catalog has one. */
    brokers?: BrokerContext;
}

/**
 * The FSGS micro-services, each in the namespace of its domain. Give the component the cluster's Kubernetes
 * provider in `providers`: its children, and theirs, inherit it through `parent`.
 */
export class FsgsServices extends pulumi.ComponentResource {
    constructor(name: string, args: FsgsServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:kubernetes:FsgsServices", name, {}, opts);
        const namespaces = [...new Set(args.services.map((service) => service.namespace))].sort();
        const domains = new Map(
            namespaces.map((namespace) => [
                namespace,
                new Domain(
                    namespace,
                    {
                        namespace,
                        services: args.services.filter((service) => service.namespace === namespace),
                        registry: args.registry,
                        imagePullSecret: args.context.imagePullSecret,
                    },
                    { parent: this, dependsOn: args.platform ? [args.platform] : [] },
                ),
            ]),
        );
        for (const service of args.services) {
            const domain = domains.get(service.namespace);
            if (!domain) {
                throw new Error(`no domain for ${service.namespace}`);
            }
            const scrape = metricsTarget(service);
            if (scrape && args.monitoring) {
                // An entry that declares metrics is scraped (metrics-targets.ts); its NetworkPolicy admits Prometheus.
                const monitor = podMonitorManifest(scrape);
                new k8s.apiextensions.CustomResource(
                    `${service.name}-pod-monitor`,
                    { apiVersion: monitor.apiVersion, kind: monitor.kind, metadata: monitor.metadata, spec: monitor.spec },
                    { parent: this, dependsOn: [domain, args.monitoring] },
                );
            }
            if (service.postgresql) {
                // A database is the operator's to run: a Cluster, not a workload of ours.
                if (!args.databases) {
                    throw new Error(`${service.name} is a postgresql entry but the stack gives no database context`);
                }
                new PostgresCluster(
                    service.name,
                    {
                        input: postgresInput(service, args.databases, args.context),
                        backupCredentials: args.databases.backupCredentials,
                        restore: args.databases.restore,
                        protect: args.databases.protect,
                        dependsOn: [domain, args.databases.operator],
                    },
                    { parent: this },
                );
                continue;
            }
            if (service.rabbitmq) {
                // A broker is the operator's to run: a RabbitmqCluster, not a workload of ours.
                if (!args.brokers) {
                    throw new Error(`${service.name} is a rabbitmq entry but the stack gives no broker context`);
                }
                new RabbitmqBroker(
                    service.name,
                    {
                        input: brokerInput(service, args.brokers, args.context),
                        backupCredentials: args.brokers.backupCredentials,
                        protect: args.brokers.protect,
                        dependsOn: [domain, args.brokers.operator],
                        topologyOperator: args.brokers.topologyOperator,
                        namespaces: domains,
                    },
                    { parent: this },
                );
                continue;
            }
            new Microservice(service.name, { service, context: args.context, domain }, { parent: this });
        }
        this.registerOutputs({});
    }
}
