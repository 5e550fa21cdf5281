import { X509Certificate } from "node:crypto";
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

interface KubeconfigUsers {
    users?: { user?: { "client-certificate-data"?: string } }[];
}

/**
 * When the client certificate the kubeconfig authenticates with stops being valid (kubeadm signs admin.conf's for
 * one year, and again at each renewal); undefined when the kubeconfig carries no readable certificate.
 */
export function kubeconfigClientExpiry(text: string): Date | undefined {
    const kubeconfig = parse(text) as KubeconfigUsers | null;
    const data = kubeconfig?.users?.find((entry) => entry.user?.["client-certificate-data"])?.user?.["client-certificate-data"];
    if (!data) {
        return undefined;
    }
    try {
        return new Date(new X509Certificate(Buffer.from(data, "base64")).validTo);
    } catch {
        return undefined;
    }
}

/**
 * Changes once per calendar month: a trigger of the admin.conf read, so a certificate the control plane renewed
 * (the kubeadm_certificates role, 60 days before expiry) reaches Pulumi's copy within a month, while the old one
 * is still valid. Renewal does not revoke the old certificate, so the copy works until its own end.
 */
export function kubeconfigRefreshPeriod(today: Date): string {
    return today.toISOString().slice(0, 7);
}

/** Below this many days of validity left on Pulumi's kubeconfig, every `up` warns. */
export const KUBECONFIG_WARNING_DAYS = 30;

/** The warning for a kubeconfig near its end, or undefined. */
export function kubeconfigExpiryWarning(expiresAt: Date | undefined, today: Date): string | undefined {
    if (!expiresAt) {
        return undefined;
    }
    const days = Math.floor((expiresAt.getTime() - today.getTime()) / 86_400_000);
    if (days >= KUBECONFIG_WARNING_DAYS) {
        return undefined;
    }
    return days < 0
        ? `the cluster-admin kubeconfig expired on ${expiresAt.toISOString()}: run the playbooks (pulumi up) so the control planes renew their certificates, then pulumi up again to read the renewed admin.conf`
        : `the cluster-admin kubeconfig expires on ${expiresAt.toISOString()}, in ${days} days: its certificate was not renewed on the first control plane (see playbooks/README.md, certificate renewal)`;
}
