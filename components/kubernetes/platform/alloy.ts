import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { LOKI } from "./loki";
import { CONFIG_RELOADER_RESOURCES, OBSERVABILITY_PODS } from "./observability-resources";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { CHARTS } from "./versions";

// Fixed, so the DaemonSet's name and pod labels never change.
const RELEASE_NAME = "alloy";
/** Alloy's pods (alloy chart templates/_helpers.tpl alloy.selectorLabels). */
export const ALLOY_POD_LABELS = { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": RELEASE_NAME } as const;

/**
 * Alloy's configuration (Alloy configuration syntax, components as documented for v1.18 at grafana.com/docs/alloy):
 * every container's log file under /var/log/pods of its own node (the kubelet's CRI log layout,
 * /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log), and the node's systemd journal (kubelet, containerd,
 * the etcd-backup and certificate-renewal units), both pushed to Loki.
 */
export function alloyConfig(pushUrl: string): string {
    return `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("HOSTNAME")
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_node_name"]
    target_label  = "node"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "__path__"
    replacement   = "/var/log/pods/*$1/*.log"
  }
}

local.file_match "pods" {
  path_targets = discovery.relabel.pods.output
}

loki.source.file "pods" {
  targets    = local.file_match.pods.targets
  forward_to = [loki.process.pods.receiver]
}

loki.process "pods" {
  stage.cri {}
  forward_to = [loki.write.cluster.receiver]
}

loki.relabel "journal" {
  forward_to = []
  rule {
    source_labels = ["__journal__systemd_unit"]
    target_label  = "unit"
  }
  rule {
    source_labels = ["__journal__hostname"]
    target_label  = "node"
  }
}

loki.source.journal "node" {
  path          = "/var/log/journal"
  relabel_rules = loki.relabel.journal.rules
  labels        = { job = "node-journal" }
  forward_to    = [loki.write.cluster.receiver]
}

loki.write "cluster" {
  endpoint {
    url = "${pushUrl}"
  }
}
`;
}

/** Values of the alloy chart: a DaemonSet on every node, /var/log mounted from the host. */
export function alloyValues(): Record<string, unknown> {
    return {
        alloy: {
            configMap: { create: true, content: alloyConfig(LOKI.pushUrl) },
            mounts: { varlog: true },
            resources: OBSERVABILITY_PODS.alloy.resources,
            // The CRI log files and the journal belong to root (0640): the agent runs as root (the image's user) to read
            // them as their owner, with no capability and no privilege escalation. Its root filesystem stays writable:
            // the read positions live under alloy.storagePath (/tmp/alloy).
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
            // No usage statistics leave the cluster.
            enableReporting: false,
            // Restart an agent whose HTTP server stops answering. /-/ready, not /-/healthy: the latter turns unhealthy
            // when Loki is down, and restarting every agent would not bring Loki back.
            livenessProbe: { httpGet: { path: "/-/ready", port: 12345 }, periodSeconds: 30, failureThreshold: 5 },
        },
        configReloader: { resources: { requests: CONFIG_RELOADER_RESOURCES.requests, limits: CONFIG_RELOADER_RESOURCES.limits } },
        controller: {
            type: "daemonset",
            // On every node, control planes included.
            tolerations: [{ operator: "Exists", effect: "NoSchedule" }],
        },
    };
}

/** Alloy: every node's and every pod's logs to Loki. In the node-agents namespace (a documented exception, see kube-prometheus-stack.ts). */
export function alloy(name: string, input: { namespace: pulumi.Input<string> }, opts: PlatformResourceOptions): k8s.helm.v3.Release {
    return pinnedRelease(name, { chart: CHARTS.alloy, releaseName: RELEASE_NAME, namespace: input.namespace, values: alloyValues(), timeoutSeconds: 300 }, opts);
}
