import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * The one Kubernetes provider of a stack: every Kubernetes resource of the program goes through it.
 *
 * `clusterIdentifier` is the cluster's name, which never changes for the life of a stack. Without it the provider
 * decides from the kubeconfig whether it points at another cluster, and a kubeconfig that is unknown at preview
 * (it is read from the first control plane after Ansible runs) makes it plan to replace itself and so every
 * Kubernetes resource; with it, "the provider will _only_ be replaced when `clusterIdentifier` changes; all other
 * changes to provider configuration will be treated as updates" (@pulumi/kubernetes 4.34.2 provider.d.ts).
 *
 * `deleteUnreachable` is left to the operator: set, a `pulumi refresh` from a runner that cannot reach the API
 * (outside `access.adminCidrs`, or during an outage) would drop every Kubernetes resource from the state. For a
 * cluster that is really gone, run that one command with `PULUMI_K8S_DELETE_UNREACHABLE=true`, which the SDK
 * reads when the option is absent.
 */
export function clusterProvider(name: string, kubeconfig: pulumi.Output<string>, parent?: pulumi.Resource): k8s.Provider {
    return new k8s.Provider(name, { kubeconfig, clusterIdentifier: name }, { parent });
}
