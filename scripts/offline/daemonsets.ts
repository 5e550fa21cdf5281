import { calicoDocuments, ciliumValues } from "../../components/cluster/cni-config";
import type { StackConfig } from "../../components/config/schema";
import { type DaemonSetReading, type RenderedObject, readDaemonSets } from "../../components/kubernetes/daemonsets";

/** The DaemonSets of a rendered stack: its registered releases and objects, plus the CNI the cluster layer renders. */
export function stackDaemonSets(resources: readonly RenderedObject[], config: Pick<StackConfig, "cluster" | "network">): DaemonSetReading {
    // Only the CNI's resource settings are read; the API endpoint given to Cilium's values does not change them.
    const cni =
        config.cluster.cni === "calico"
            ? { cni: "calico" as const, documents: calicoDocuments(config.network.podCidr) }
            : { cni: "cilium" as const, values: ciliumValues(config.network.podCidr, { address: "0.0.0.0", port: 0 }) };
    return readDaemonSets(resources, cni);
}
