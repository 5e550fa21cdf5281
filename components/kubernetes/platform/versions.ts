/**
 * Where a Helm chart comes from, pinned to one exact version (no range: an upgrade is a reviewed commit).
 * `repo` is an HTTPS chart repository, or an OCI registry path (`oci://...`) under which the chart is pulled.
 */
export interface ChartRef {
    chart: string;
    version: string;
    repo: string;
}

const CLOUD_PROVIDER_OPENSTACK = "https://kubernetes.github.io/cloud-provider-openstack";
// Envoy Gateway publishes its charts only as OCI artifacts on Docker Hub (gateway.envoyproxy.io "Install with Helm").
const ENVOY_GATEWAY_OCI = "oci://docker.io/envoyproxy";

/**
 * Every chart the platform installs. cloud-provider-openstack versions its charts 2.<minor>.<patch> after the
 * Kubernetes minor they are built and tested for: keep them on the cluster's minor.
 */
export const CHARTS = {
    // cloud-provider-openstack release v1.36.0: chart version 2.36.0, appVersion v1.36.0 (charts/*/Chart.yaml at the tag).
    cloudControllerManager: { chart: "openstack-cloud-controller-manager", version: "2.36.0", repo: CLOUD_PROVIDER_OPENSTACK },
    // cloud-provider-openstack release v1.36.0: chart version 2.36.0, appVersion v1.36.0.
    cinderCsi: { chart: "openstack-cinder-csi", version: "2.36.0", repo: CLOUD_PROVIDER_OPENSTACK },
    // Envoy Gateway v1.9.0: Gateway API v1.6.1 compiled in, Kubernetes 1.33 to 1.36, end of life 2027-02-14
    // (site/content/en/news/releases/matrix.md at the tag). The CRD chart of the same release carries exactly the
    // Gateway API v1.6.1 and Envoy Gateway CRDs, as templates, so `helm upgrade` upgrades them (a chart's crds/
    // folder is installed once and never upgraded).
    envoyGatewayCrds: { chart: "gateway-crds-helm", version: "v1.9.0", repo: ENVOY_GATEWAY_OCI },
    envoyGateway: { chart: "gateway-helm", version: "v1.9.0", repo: ENVOY_GATEWAY_OCI },
    // cert-manager v1.21.1; cert-manager.io "Supported releases": 1.21 supports Kubernetes 1.33 to 1.36.
    certManager: { chart: "cert-manager", version: "v1.21.1", repo: "https://charts.jetstack.io" },
    // metrics-server-helm-chart-3.13.1 (metrics-server v0.8.1), chart CHANGELOG.md of 2026-02-27.
    metricsServer: { chart: "metrics-server", version: "3.13.1", repo: "https://kubernetes-sigs.github.io/metrics-server/" },
    // cloudnative-pg chart 0.29.0 = operator v1.30.0 (charts/cloudnative-pg/Chart.yaml at tag cloudnative-pg-v0.29.0);
    // CloudNativePG 1.30 supports Kubernetes 1.34 to 1.36 (docs/src/supported_releases.md at v1.30.0). Its CRDs and
    // the chart's values.schema.json are vendored under tests/fixtures/ for this exact pair: update them together.
    cloudNativePg: { chart: "cloudnative-pg", version: "0.29.0", repo: "https://cloudnative-pg.github.io/charts" },
    // kube-prometheus-stack 88.5.3 = Prometheus Operator v0.93.1, with grafana 12.11.1 (Grafana 13.2.0), kube-state-metrics
    // 8.4.0 and prometheus-node-exporter 4.56.1 (charts/kube-prometheus-stack/Chart.yaml at prometheus-community/helm-charts
    // cf408a29, 2026-08-22, the newest snapshot checked); kubeVersion ">=1.25.0-0". The chart follows kube-prometheus,
    // whose compatibility matrix lists the Kubernetes minors each release is tested on: check it at each upgrade. No
    // values.schema.json: its default values are vendored under tests/fixtures/charts/ and every key we set is checked.
    kubePrometheusStack: { chart: "kube-prometheus-stack", version: "88.5.3", repo: "https://prometheus-community.github.io/helm-charts" },
    // loki 18.11.0 = Loki 3.7.6 (charts/loki/Chart.yaml at grafana-community/helm-charts 3386a115, 2026-08-20; the chart
    // moved there from grafana/helm-charts); kubeVersion ">=1.25.0-0". Its values.schema.json is vendored under
    // tests/fixtures/charts/loki-18.11.0/.
    loki: { chart: "loki", version: "18.11.0", repo: "https://grafana-community.github.io/helm-charts" },
    // alloy 1.11.1 = Grafana Alloy v1.18.1 (operations/helm/charts/alloy/Chart.yaml at grafana/alloy 66ebea85,
    // 2026-08-21), published to https://grafana.github.io/helm-charts. No values.schema.json: defaults vendored.
    alloy: { chart: "alloy", version: "1.11.1", repo: "https://grafana.github.io/helm-charts" },
} as const satisfies Record<string, ChartRef>;

/** The Gateway API release the pinned CRD chart installs; the manifests are validated against its schemas. */
export const GATEWAY_API_VERSION = "v1.6.1";

/**
 * The RabbitMQ Cluster Operator, installed from its own release manifest: the project publishes no Helm chart, and
 * Bitnami's chart of it moved its images behind a subscription in 2025 (Bitnami "Upcoming changes to the Bitnami
 * catalog", bitnami/charts#35164), so that chart would pull images that stop being updated. v2.22.3 (2026-07-17) is
 * the newest release; it deploys RabbitMQ 4.2.6 by default and "should work with any supported RabbitMQ version and
 * Kubernetes version" (README "Supported Versions" at the tag). Its manifest needs cert-manager for the webhook's
 * certificate (config/installation/kustomization.yaml). The CRD is vendored under tests/fixtures/crds/ for this
 * exact version: update them together.
 */
export const RABBITMQ_CLUSTER_OPERATOR = {
    version: "v2.22.3",
    manifest: "https://github.com/rabbitmq/cluster-operator/releases/download/v2.22.3/cluster-operator.yml",
    // Its one operator pod's requests, which the capacity check counts on the workers (config/manager/manager.yaml at
    // the tag: 1 replica, requests equal to limits). The manifest is fetched at deploy time, so they are written here.
    operatorPod: { replicas: 1, requests: { cpu: "200m", memory: "500Mi" } },
} as const;

/**
 * The RabbitMQ Messaging Topology Operator, which turns `User` and `Permission` objects into users and permissions of a
 * RabbitmqCluster through its management API. v1.20.1 (2026-08-07) is the newest release; its go.mod builds against
 * github.com/rabbitmq/cluster-operator/v2 v2.22.3, the Cluster Operator pinned above, and its README says it "is tested
 * with the latest release of RabbitMQ Cluster Operator". Its webhook's certificate comes from cert-manager (README:
 * "cert-manager 1.2.0 or above"; its CI installs v1.15.1), which the platform installs at v1.21.1. Its manifest is
 * vendored (platform/manifests/, SOURCE.md says how it was built) because one object of it must be left out; the
 * User and Permission CRDs are vendored under tests/fixtures/crds/ for this exact version: update them together.
 */
export const RABBITMQ_TOPOLOGY_OPERATOR = {
    version: "v1.20.1",
    image: "ghcr.io/rabbitmq/messaging-topology-operator:1.20.1",
    manifest: "messaging-topology-operator-v1.20.1.yaml",
} as const;
