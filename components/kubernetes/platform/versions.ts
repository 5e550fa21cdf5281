/** Where a Helm chart comes from, pinned to one exact version (no range: an upgrade is a reviewed commit). */
export interface ChartRef {
    chart: string;
    version: string;
    repo: string;
}

const CLOUD_PROVIDER_OPENSTACK = "https://kubernetes.github.io/cloud-provider-openstack";

/**
 * Every chart the platform installs. cloud-provider-openstack versions its charts 2.<minor>.<patch> after the
 * Kubernetes minor they are built and tested for: keep them on the cluster's minor (1.35).
 */
export const CHARTS = {
    // cloud-provider-openstack release v1.35.0: chart version 2.35.0, appVersion v1.35.0.
    cloudControllerManager: { chart: "openstack-cloud-controller-manager", version: "2.35.0", repo: CLOUD_PROVIDER_OPENSTACK },
    // cloud-provider-openstack release v1.35.0: chart version 2.35.0, appVersion v1.35.0.
    cinderCsi: { chart: "openstack-cinder-csi", version: "2.35.0", repo: CLOUD_PROVIDER_OPENSTACK },
    // helm-chart-4.15.1 (controller v1.15.1), the last line before the project's retirement in March 2026.
    ingressNginx: { chart: "ingress-nginx", version: "4.15.1", repo: "https://kubernetes.github.io/ingress-nginx" },
    // cert-manager v1.21.1; cert-manager.io "Supported releases": 1.21 supports Kubernetes 1.33 to 1.36.
    certManager: { chart: "cert-manager", version: "v1.21.1", repo: "https://charts.jetstack.io" },
    // metrics-server-helm-chart-3.13.1 (metrics-server v0.8.1), chart CHANGELOG.md of 2026-02-27.
    metricsServer: { chart: "metrics-server", version: "3.13.1", repo: "https://kubernetes-sigs.github.io/metrics-server/" },
} as const satisfies Record<string, ChartRef>;
