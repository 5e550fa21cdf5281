import { parse, stringify } from "yaml";

interface Kubeconfig {
    clusters?: { name?: string; cluster?: { server?: string } }[];
}

/**
 * admin.conf names the private endpoint, which only the project's network reaches; the copy handed to Pulumi
 * and operators names the public one, which the API certificate also covers (kubeadm certSANs).
 */
export function pointKubeconfigAt(text: string, serverUrl: string): string {
    const kubeconfig = parse(text) as Kubeconfig | null;
    const clusters = kubeconfig?.clusters ?? [];
    if (clusters.length === 0) {
        throw new Error("the kubeconfig read from the first control plane has no cluster");
    }
    for (const entry of clusters) {
        entry.cluster = { ...entry.cluster, server: serverUrl };
    }
    return stringify(kubeconfig, { lineWidth: 0 });
}
