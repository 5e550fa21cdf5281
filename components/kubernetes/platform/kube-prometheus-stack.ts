import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { OBSERVABILITY_PODS, CONFIG_RELOADER_RESOURCES, GRAFANA_SIDECAR_RESOURCES } from "./observability-resources";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { CONTROL_PLANE_NODE_SELECTOR, CONTROL_PLANE_TOLERATION } from "./scheduling";
import { CHARTS } from "./versions";

/** The namespace of Prometheus, Alertmanager, Grafana and the operator: restricted Pod Security. */
export const MONITORING_NAMESPACE = "monitoring";
/**
 * The node agents' namespace, the one documented exception to the restricted profile: node-exporter reads the host's
 * /proc, /sys and root filesystem (hostPath volumes) and listens on the node's network (hostNetwork, hostPID), and
 * Alloy reads /var/log from the host (a hostPath volume, as root); only the privileged level admits them. Nothing else
 * runs there.
 */
export const NODE_AGENTS_NAMESPACE = "node-agents";

// Fixed, with fixed object names (fullnameOverride), so NetworkPolicies, the HTTPRoute and the alert rules can name them.
const RELEASE_NAME = "monitoring";
/** The chart's object prefix: Prometheus `kps-prometheus`, Alertmanager `kps-alertmanager`, the operator `kps-operator`. */
const FULLNAME = "kps";

/** Names and labels other manifests use to find the stack's pods and Services. */
export const MONITORING = {
    /** Labels of the Prometheus pods (prometheus-operator pkg/prometheus/statefulset.go: app.kubernetes.io/name, operator.prometheus.io/name). */
    prometheusPodLabels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": `${FULLNAME}-prometheus` },
    /** Labels of the Alertmanager pods (pkg/alertmanager/statefulset.go). */
    alertmanagerPodLabels: { "app.kubernetes.io/name": "alertmanager", "alertmanager": `${FULLNAME}-alertmanager` },
    /** Labels of Grafana's pods (grafana chart templates/_helpers.tpl grafana.selectorLabels). */
    grafanaPodLabels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": RELEASE_NAME },
    /** Grafana's Service: port 80 to the container's 3000 (grafana chart values service.port/targetPort). */
    grafanaService: { name: "grafana", port: 80, targetPort: 3000 },
    /** Prometheus' web port (the operator's Service prometheus-operated and the chart's kps-prometheus). */
    prometheusPort: 9090,
    alertmanagerPort: 9093,
    /** The operator's admission webhook and metrics (chart prometheusOperator.tls.internalPort). */
    operatorPort: 10250,
    /** The operator's pods (chart templates/prometheus-operator/_prometheus-operator.tpl: the chart's name, not the fullname). */
    operatorPodLabels: { "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator", release: RELEASE_NAME },
    kubeStateMetricsPodLabels: { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": RELEASE_NAME },
    kubeStateMetricsPort: 8080,
    /** The ServiceMonitors and PodMonitors Prometheus selects: any, in any namespace (the selectors' NilUsesHelmValues off). */
    prometheusUrl: `http://${FULLNAME}-prometheus.${MONITORING_NAMESPACE}.svc:9090`,
} as const;

/** Host ports the scrape targets outside pods listen on, each with where the fact comes from. */
export const HOST_SCRAPE_PORTS = {
    // node-exporter's default --web.listen-address (prometheus-node-exporter chart service.port).
    nodeExporter: 9100,
    // kubelet's authenticated API, /metrics and /metrics/cadvisor (Kubernetes "Ports and Protocols").
    kubelet: 10250,
    // kubeadm's etcd metrics listener, --listen-metrics-urls http://...:2381 (kubeadm constants.EtcdMetricsPort).
    etcdMetrics: 2381,
    // kube-controller-manager and kube-scheduler secure ports (Kubernetes "Ports and Protocols").
    controllerManager: 10257,
    scheduler: 10259,
    // kube-apiserver.
    apiServer: 6443,
} as const;

/**
 * Where node scripts leave metrics for node-exporter's textfile collector: the etcd_backup role's default
 * `etcd_backup_textfile_dir` (playbooks/roles/etcd_backup/defaults/main.yml) names the same directory.
 */
export const NODE_TEXTFILE_DIRECTORY = "/var/lib/node-exporter/textfile";
const NODE_TEXTFILE_MOUNT = "/host/textfile";

/** Seccomp and user settings of the restricted Pod Security profile, stated rather than left to each chart's defaults. */
const restrictedPod = (uid: number) => ({
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
});
const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

export interface KubePrometheusStackInput {
    /** Prometheus and Alertmanager replicas (config/observability.ts). */
    replicas: number;
    /** How long and how much Prometheus keeps (svom-fsgs:observability.metrics). */
    metrics: { retentionDays: number; volumeSizeGiB: number };
    /** The Cinder StorageClass Prometheus' and Alertmanager's volumes are claimed from. */
    storageClass: string;
    /** The Secret holding Grafana's admin user and password (keys admin-user, admin-password). */
    grafanaAdminSecret: string;
    /** The Secret holding alertmanager.yaml, with the receiver's credential. */
    alertmanagerConfigSecret: string;
    /** Grafana's public host, for the links it writes (server.root_url). */
    grafanaHost: string;
    /** Loki's query URL: Grafana's second datasource. */
    lokiUrl: string;
    /**
     * Whether Grafana's claim outlives its release (the profile's protectStoredData): Helm then leaves the claim behind
     * on an uninstall or a release replacement, and the next release takes it over.
     */
    keepGrafanaData: boolean;
}

/**
 * Grafana's own volume: its SQLite database of users, teams, preferences and hand-made dashboards (Grafana's default
 * [database] type sqlite3 under /var/lib/grafana), a few megabytes; Cinder allocates whole GiB.
 */
export const GRAFANA_VOLUME_GIB = 2;

/**
 * Prometheus keeps its blocks until either limit: the days asked, or 90 % of the volume (the rest leaves room for the
 * write-ahead log and compaction, which Prometheus does not count in retention.size; prometheus.io/docs/prometheus/latest/storage).
 */
export function retentionSize(volumeSizeGiB: number): string {
    return `${Math.floor(volumeSizeGiB * 0.9)}GB`;
}

/** Values of the kube-prometheus-stack chart (every key checked against the chart's defaults in tests/kube-prometheus-stack.test.ts). */
export function kubePrometheusStackValues(input: KubePrometheusStackInput): Record<string, unknown> {
    const pods = OBSERVABILITY_PODS;
    return {
        fullnameOverride: FULLNAME,
        // The chart's crds/ folder: Helm installs it on the first install and never upgrades it. A chart upgrade that
        // changes the CRDs needs `kubectl apply --server-side -f` of the new ones first (chart UPGRADE.md).
        crds: { enabled: true },
        // The kubernetes-mixin rules: recording rules the default dashboards read, and alerts beside the FSGS ones.
        defaultRules: { create: true },
        // kubeadm's kube-proxy binds its metrics to 127.0.0.1:10249 (KubeProxyConfiguration metricsBindAddress default):
        // nothing outside the node can scrape it, and the list does not ask for it.
        kubeProxy: { enabled: false },
        // etcd's plain-HTTP metrics listener, which kubeadm-config.ts opens on every address (2381 is not etcd's client
        // port: it serves /metrics and /health only).
        kubeEtcd: { service: { port: HOST_SCRAPE_PORTS.etcdMetrics, targetPort: HOST_SCRAPE_PORTS.etcdMetrics }, serviceMonitor: { scheme: "http" } },
        // Both serve a certificate they sign themselves at start (kubeadm gives them no serving certificate): the
        // scrape authenticates with Prometheus' token over TLS, without verifying the server's certificate.
        kubeControllerManager: {
            service: { port: HOST_SCRAPE_PORTS.controllerManager, targetPort: HOST_SCRAPE_PORTS.controllerManager },
            serviceMonitor: { https: true, insecureSkipVerify: true },
        },
        kubeScheduler: {
            service: { port: HOST_SCRAPE_PORTS.scheduler, targetPort: HOST_SCRAPE_PORTS.scheduler },
            serviceMonitor: { https: true, insecureSkipVerify: true },
        },
        kubelet: { enabled: true, serviceMonitor: { cAdvisor: true } },
        prometheusOperator: {
            resources: pods.prometheusOperator.resources,
            securityContext: restrictedPod(65534),
            containerSecurityContext: RESTRICTED_CONTAINER,
            prometheusConfigReloader: { resources: { requests: CONFIG_RELOADER_RESOURCES.requests, limits: CONFIG_RELOADER_RESOURCES.limits } },
            // The Job that writes the admission webhook's certificate at install and upgrade.
            admissionWebhooks: { patch: { resources: { requests: CONFIG_RELOADER_RESOURCES.requests, limits: CONFIG_RELOADER_RESOURCES.limits } } },
        },
        prometheus: {
            prometheusSpec: {
                replicas: input.replicas,
                retention: `${input.metrics.retentionDays}d`,
                retentionSize: retentionSize(input.metrics.volumeSizeGiB),
                // Every ServiceMonitor, PodMonitor and PrometheusRule of the cluster, not only those labelled with the
                // release: the FSGS services' monitors live in their own namespaces.
                ruleSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                // The security groups let only control planes reach kubelets, node-exporter and the control-plane
                // metrics ports (openstack/rules.ts): Prometheus scrapes from there, as metrics-server does.
                nodeSelector: CONTROL_PLANE_NODE_SELECTOR,
                tolerations: [CONTROL_PLANE_TOLERATION],
                podAntiAffinity: "soft",
                resources: pods.prometheus.resources,
                securityContext: restrictedPod(1000),
                storageSpec: {
                    volumeClaimTemplate: {
                        spec: {
                            storageClassName: input.storageClass,
                            accessModes: ["ReadWriteOnce"],
                            resources: { requests: { storage: `${input.metrics.volumeSizeGiB}Gi` } },
                        },
                    },
                },
            },
        },
        alertmanager: {
            alertmanagerSpec: {
                replicas: input.replicas,
                // The configuration, with the receiver's credential, is a Secret the program writes from a Pulumi
                // secret: never chart values, which Helm keeps in clear in its release Secret.
                useExistingSecret: true,
                configSecret: input.alertmanagerConfigSecret,
                podAntiAffinity: "soft",
                resources: pods.alertmanager.resources,
                securityContext: restrictedPod(1000),
                // Silences and the notification log survive a restart.
                storage: {
                    volumeClaimTemplate: {
                        spec: { storageClassName: input.storageClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
                    },
                },
            },
        },
        grafana: {
            fullnameOverride: MONITORING.grafanaService.name,
            admin: { existingSecret: input.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
            "grafana.ini": {
                server: { root_url: `https://${input.grafanaHost}/` },
                // Nobody sees a dashboard without logging in; nobody signs up on their own.
                "auth.anonymous": { enabled: false },
                users: { allow_sign_up: false },
                // The cluster does not call home.
                analytics: { reporting_enabled: false, check_for_updates: false },
            },
            // Prometheus is the chart's default datasource; Loki is added beside it.
            additionalDataSources: [{ name: "Loki", type: "loki", uid: "loki", access: "proxy", url: input.lokiUrl, isDefault: false }],
            resources: pods.grafana.resources,
            securityContext: restrictedPod(472),
            containerSecurityContext: RESTRICTED_CONTAINER,
            sidecar: { resources: GRAFANA_SIDECAR_RESOURCES, securityContext: RESTRICTED_CONTAINER },
            // The chart's `helm test` pod runs as root: it is never installed.
            testFramework: { enabled: false },
            // Dashboards and datasources are provisioned from ConfigMaps; users, preferences and hand-made dashboards live
            // in Grafana's database, on a Cinder claim of its own (grafana chart 12.11.1 templates/pvc.yaml: the claim
            // is named after the fullname, `grafana`), so a restart or a rescheduling keeps them.
            persistence: {
                enabled: true,
                type: "pvc",
                storageClassName: input.storageClass,
                accessModes: ["ReadWriteOnce"],
                size: `${GRAFANA_VOLUME_GIB}Gi`,
                // Helm leaves a resource with this annotation in place when it deletes the release (helm.sh/docs
                // "Chart Development Tips and Tricks: Tell Helm Not To Uninstall a Resource").
                ...(input.keepGrafanaData ? { annotations: { "helm.sh/resource-policy": "keep" } } : {}),
            },
            // A ReadWriteOnce Cinder volume attaches to one node at a time: a rolling update's new pod, on another node,
            // would wait forever on the old pod's attachment (Multi-Attach error) while the old one waits for it.
            deploymentStrategy: { type: "Recreate" },
            // The chart's init container chowns the volume as root with CHOWN and DAC_OVERRIDE (values.yaml
            // initChownData.securityContext), which the restricted profile refuses; the pod's fsGroup 472 gives the
            // volume to Grafana's group instead, as it does Prometheus', Alertmanager's and Loki's: the kubelet applies
            // fsGroup to a ReadWriteOnce volume with an fsType, and Cinder CSI's volumes have one (cloud-provider-openstack
            // charts/cinder-csi-plugin: the provisioner's --default-fstype=ext4; its CSIDriver sets no fsGroupPolicy, so
            // Kubernetes' default ReadWriteOnceWithFSType holds).
            initChownData: { enabled: false },
        },
        "kube-state-metrics": {
            resources: pods.kubeStateMetrics.resources,
            securityContext: restrictedPod(65534),
            containerSecurityContext: RESTRICTED_CONTAINER,
        },
        "prometheus-node-exporter": {
            namespaceOverride: NODE_AGENTS_NAMESPACE,
            // The textfile collector reads the metrics node scripts write: the etcd backup's last success
            // (playbooks/roles/etcd_backup, read by the EtcdSnapshotTooOld alert).
            extraArgs: [`--collector.textfile.directory=${NODE_TEXTFILE_MOUNT}`],
            extraHostVolumeMounts: [{ name: "textfile-collector", hostPath: NODE_TEXTFILE_DIRECTORY, type: "DirectoryOrCreate", mountPath: NODE_TEXTFILE_MOUNT, readOnly: true }],
            resources: pods.nodeExporter.resources,
            // On every node, control planes included.
            tolerations: [{ operator: "Exists", effect: "NoSchedule" }],
        },
    };
}

/** kube-prometheus-stack: the Prometheus Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, node-exporter. */
export function kubePrometheusStack(
    name: string,
    input: KubePrometheusStackInput & { namespace: pulumi.Input<string> },
    opts: PlatformResourceOptions,
): k8s.helm.v3.Release {
    return pinnedRelease(
        name,
        // Two Cinder volumes to attach, several images to pull: a first install takes minutes.
        { chart: CHARTS.kubePrometheusStack, releaseName: RELEASE_NAME, namespace: input.namespace, values: kubePrometheusStackValues(input), timeoutSeconds: 900 },
        opts,
    );
}
