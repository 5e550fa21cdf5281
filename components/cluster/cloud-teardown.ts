/** How long one object may take to go: the cloud-controller-manager and Cinder CSI work through OpenStack APIs. */
const DELETE_TIMEOUT = "10m";

/**
 * The `delete` of the teardown command, run on the first control plane before the cluster goes. It removes the
 * Kubernetes objects that made cloud resources, while the controllers that clean those up still run:
 * - every Service of type LoadBalancer: the cloud-controller-manager deletes its Octavia load balancer and
 *   floating IP, then lifts the `service.kubernetes.io/load-balancer-cleanup` finalizer (k8s.io/cloud-provider
 *   controllers/service), so `kubectl delete --wait` returns once the load balancer is gone;
 * - every PersistentVolumeClaim bound to a volume whose reclaim policy is Delete: Cinder CSI deletes the Cinder
 *   volume, then the PersistentVolume goes (the StatefulSets keep their claims, whenDeleted: Retain, so nothing
 *   else would). Volumes with the Retain policy (prod's StorageClass) are left alone: their data outlives a destroy.
 * Otherwise the load balancers would hold ports on the node subnet, and Neutron would refuse to delete it.
 */
export function cloudTeardownScript(): string {
    const kubectl = "sudo kubectl --kubeconfig=/etc/kubernetes/admin.conf";
    return [
        "set -eu",
        `services=$(${kubectl} get services --all-namespaces -o jsonpath='{range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.namespace}{" "}{.metadata.name}{"\\n"}{end}')`,
        `printf '%s\\n' "$services" | while read -r namespace service; do`,
        `  [ -n "$service" ] || continue`,
        `  ${kubectl} delete service --namespace "$namespace" "$service" --ignore-not-found --wait=true --timeout=${DELETE_TIMEOUT}`,
        "done",
        `volumes=$(${kubectl} get persistentvolumes -o jsonpath='{range .items[?(@.spec.persistentVolumeReclaimPolicy=="Delete")]}{.metadata.name}{" "}{.spec.claimRef.namespace}{" "}{.spec.claimRef.name}{"\\n"}{end}')`,
        `printf '%s\\n' "$volumes" | while read -r volume namespace claim; do`,
        `  [ -n "$volume" ] || continue`,
        `  if [ -n "$claim" ]; then ${kubectl} delete persistentvolumeclaim --namespace "$namespace" "$claim" --ignore-not-found --wait=true --timeout=${DELETE_TIMEOUT}; fi`,
        `  ${kubectl} wait --for=delete "persistentvolume/$volume" --timeout=${DELETE_TIMEOUT}`,
        "done",
    ].join("\n");
}
