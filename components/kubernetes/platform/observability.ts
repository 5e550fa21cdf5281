import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlertReceiverConfig } from "../../config/observability-schema";
import { CNI_METRICS_PORTS } from "../../config/ports";
import type { CniName } from "../../config/schema";
import { type GatewayRef, httpRouteManifest } from "../gateway-manifests";
import type { MetricsTarget } from "../metrics-targets";
import { renderAlertmanagerConfig } from "./alertmanager-config";
import { alloy } from "./alloy";
import { cniMetricsManifests } from "./cni-metrics";
import { kubePrometheusStack, MONITORING, MONITORING_NAMESPACE, NODE_AGENTS_NAMESPACE } from "./kube-prometheus-stack";
import { loki, LOGGING_NAMESPACE, LOKI } from "./loki";
import { monitoringPolicies } from "./monitoring-policies";
import { addOnNamespace } from "./namespace";
import { alertRuleManifest } from "./observability-alerts";
import { alsoAfter, type PlatformResourceOptions } from "./release";

/** The Secret the Alertmanager reads its whole configuration from (the chart's alertmanagerSpec.configSecret). */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-fsgs";
/** The Secret of Grafana's admin user (the grafana chart's admin.existingSecret). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

export interface ObservabilityInput {
    replicas: number;
    metrics: { retentionDays: number; volumeSizeGiB: number };
    logs: { retentionDays: number; volumeSizeGiB: number };
    storageClass: string;
    grafanaHost: string;
    alertReceiver: AlertReceiverConfig;
    /** The webhook URL or the SMTP password; a Pulumi secret end to end. */
    alertReceiverSecret: pulumi.Output<string>;
    /** Grafana's admin password; a Pulumi secret end to end. */
    grafanaAdminPassword: pulumi.Output<string>;
    gateway: GatewayRef;
    nodeCidr: string;
    clusterCidrs: readonly string[];
    /** The catalog's metrics endpoints, which Prometheus' NetworkPolicy lets it reach (their PodMonitors are the services'). */
    scrapeTargets: readonly MetricsTarget[];
    /** The cluster's CNI, whose node agent Prometheus scrapes (cni-metrics.ts). */
    cni: CniName;    /** Stored data outlives a release (the profile's protectStoredData): Grafana's claim stays when its release goes. */
    protectStoredData: boolean;
}

/**
 * Metrics, alerts and dashboards: kube-prometheus-stack in `monitoring` (node-exporter in its own privileged
 * namespace), the Alertmanager configuration and Grafana's admin credential as Secrets written from stack secrets, the
 * platform's PrometheusRule, Grafana's HTTPRoute on the stack's Gateway, and the namespace's NetworkPolicies.
 */
export function observability(name: string, input: ObservabilityInput, opts: PlatformResourceOptions): k8s.helm.v3.Release {
    const onCluster = { parent: opts.parent, provider: opts.provider };
    const namespace = addOnNamespace(`${name}-ns`, MONITORING_NAMESPACE, "restricted", onCluster);
    // The documented exception: node-exporter and Alloy need the host's network, PIDs and files (kube-prometheus-stack.ts).
    const nodeAgentsNamespace = addOnNamespace(`${name}-node-agents-ns`, NODE_AGENTS_NAMESPACE, "privileged", onCluster);
    const loggingNamespace = addOnNamespace(`${name}-logging-ns`, LOGGING_NAMESPACE, "restricted", onCluster);
    const inNamespace = { ...onCluster, dependsOn: [namespace, loggingNamespace] };

    for (const policy of monitoringPolicies({
        gateway: input.gateway,
        nodeCidr: input.nodeCidr,
        clusterCidrs: input.clusterCidrs,
        scrapeTargets: input.scrapeTargets,
        cniMetricsPort: CNI_METRICS_PORTS[input.cni],
    })) {
        // Two namespaces, each with a default-deny: the namespace is part of the resource name.
        new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${policy.metadata.namespace}-${policy.metadata.name}`, { metadata: policy.metadata, spec: policy.spec }, inNamespace);
    }
    const receiver = input.alertReceiver;
    const alertmanagerConfig = new k8s.core.v1.Secret(
        `${name}-alertmanager-config`,
        {
            metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: MONITORING_NAMESPACE },
            // The rendered file holds the credential: the whole of stringData is a secret output.
            stringData: pulumi.secret(input.alertReceiverSecret.apply((credential) => ({ "alertmanager.yaml": renderAlertmanagerConfig(receiver, credential) }))),
        },
        inNamespace,
    );
    const grafanaAdmin = new k8s.core.v1.Secret(
        `${name}-grafana-admin`,
        {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING_NAMESPACE },
            stringData: pulumi.secret(input.grafanaAdminPassword.apply((password) => ({ "admin-user": "admin", "admin-password": password }))),
        },
        inNamespace,
    );
    const release = kubePrometheusStack(
        `${name}-kube-prometheus-stack`,
        {
            replicas: input.replicas,
            metrics: input.metrics,
            storageClass: input.storageClass,
            grafanaAdminSecret: GRAFANA_ADMIN_SECRET,
            alertmanagerConfigSecret: ALERTMANAGER_CONFIG_SECRET,
            grafanaHost: input.grafanaHost,
            lokiUrl: LOKI.queryUrl,
            keepGrafanaData: input.protectStoredData,
            namespace: namespace.metadata.name,
        },
        alsoAfter(opts, namespace, nodeAgentsNamespace, alertmanagerConfig, grafanaAdmin),
    );
    const logStore = loki(`${name}-loki`, { logs: input.logs, storageClass: input.storageClass, namespace: loggingNamespace.metadata.name }, alsoAfter(opts, loggingNamespace));
    alloy(`${name}-alloy`, { namespace: nodeAgentsNamespace.metadata.name }, alsoAfter(opts, nodeAgentsNamespace, logStore));
    // The rule needs the operator's CRD, which the release installs.
    const rule = alertRuleManifest(MONITORING_NAMESPACE) as { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: unknown };
    new k8s.apiextensions.CustomResource(`${name}-alerts`, { apiVersion: rule.apiVersion, kind: rule.kind, metadata: rule.metadata, spec: rule.spec }, alsoAfter(opts, release));
    // The CNI agent's metrics: the Service lives beside the agents, in a namespace the CNI itself made before any of this.
    const cniMetrics = cniMetricsManifests(input.cni);
    new k8s.core.v1.Service(`${name}-cni-metrics`, { metadata: cniMetrics.service.metadata, spec: cniMetrics.service.spec }, onCluster);
    const monitor = cniMetrics.serviceMonitor;
    new k8s.apiextensions.CustomResource(`${name}-cni-metrics-monitor`, { apiVersion: monitor.apiVersion, kind: monitor.kind, metadata: monitor.metadata, spec: monitor.spec }, alsoAfter(opts, release));

    const route = httpRouteManifest(
        {
            service: MONITORING.grafanaService.name,
            namespace: MONITORING_NAMESPACE,
            host: input.grafanaHost,
            path: "/",
            port: MONITORING.grafanaService.port,
            labels: { "app.kubernetes.io/name": "grafana" },
        },
        input.gateway,
    );
    new k8s.apiextensions.CustomResource(`${name}-grafana-route`, { apiVersion: route.apiVersion, kind: route.kind, metadata: route.metadata, spec: route.spec }, alsoAfter(opts, release));
    return release;
}
