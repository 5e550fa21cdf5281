import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

/**
 * Where the OpenStack cloud-controller-manager and the Cinder CSI driver read their cloud config: both charts
 * mount an existing Secret of their own release namespace, so the Secret and both releases live in kube-system.
 */
export const CLOUD_CONFIG_SECRET = { name: "cloud-config", namespace: "kube-system", key: "cloud.conf" } as const;

/** How the cluster's add-ons reach the OpenStack APIs of their project. */
export interface OpenStackAccess {
    /** Keystone URL, e.g. https://keystone.example.org:5000/v3. */
    authUrl: string;
    /** e.g. RegionOne. */
    region: string;
    /** ID of an application credential of the project; a Pulumi secret. */
    applicationCredentialId: pulumi.Output<string>;
    /** Secret of that application credential; a Pulumi secret. */
    applicationCredentialSecret: pulumi.Output<string>;
    /** The node subnet: load balancer VIPs and members are ports on it. */
    subnetId: pulumi.Input<string>;
    /** External network that LoadBalancer Services take their floating IPs from. */
    floatingNetworkId: pulumi.Input<string>;
}

/** The cloud config with every value resolved. */
export interface CloudConfigInput {
    authUrl: string;
    region: string;
    applicationCredentialId: string;
    applicationCredentialSecret: string;
    subnetId: string;
    floatingNetworkId: string;
    /** Whether the site has Octavia; without it the cloud-controller-manager must not try to create load balancers. */
    loadBalancers: boolean;
}

type IniValue = string | boolean;

/**
 * A value in gcfg (git-config) syntax, which both programs parse: quoted, so `;` and `#` are not comments.
 * The key, never the value, goes into errors: the value may be the credential's secret.
 */
function iniValue(key: string, value: IniValue): string {
    if (typeof value === "boolean") {
        return String(value);
    }
    if (value.length === 0) {
        throw new Error(`cloud.conf: ${key} is empty`);
    }
    if (/[\r\n]/.test(value)) {
        throw new Error(`cloud.conf: ${key} must be a single line`);
    }
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function iniSection(title: string, entries: [string, IniValue][]): string {
    return [`[${title}]`, ...entries.map(([key, value]) => `${key} = ${iniValue(key, value)}`)].join("\n");
}

/** The INI text of `cloud.conf`, as the cloud-controller-manager and Cinder CSI documentation describe it. */
export function cloudConfigIni(input: CloudConfigInput): string {
    const sections = [
        iniSection("Global", [
            ["auth-url", input.authUrl],
            ["region", input.region],
            ["application-credential-id", input.applicationCredentialId],
            ["application-credential-secret", input.applicationCredentialSecret],
        ]),
        iniSection("LoadBalancer", [
            ["enabled", input.loadBalancers],
            ["subnet-id", input.subnetId],
            ["floating-network-id", input.floatingNetworkId],
        ]),
        // Volumes may grow (allowVolumeExpansion): the node plugin checks the new size before growing the filesystem.
        iniSection("BlockStorage", [["rescan-on-resize", true]]),
    ];
    return `${sections.join("\n\n")}\n`;
}

/** `cloud.conf` as a secret Output, whatever the secretness of the inputs it is built from. */
export function cloudConfigText(openstack: OpenStackAccess, loadBalancers: boolean): pulumi.Output<string> {
    const text = pulumi
        .all([
            openstack.applicationCredentialId,
            openstack.applicationCredentialSecret,
            openstack.subnetId,
            openstack.floatingNetworkId,
        ])
        .apply(([applicationCredentialId, applicationCredentialSecret, subnetId, floatingNetworkId]) =>
            cloudConfigIni({
                authUrl: openstack.authUrl,
                region: openstack.region,
                applicationCredentialId,
                applicationCredentialSecret,
                subnetId,
                floatingNetworkId,
                loadBalancers,
            }),
        );
    return pulumi.secret(text);
}

/** The kube-system Secret both OpenStack add-ons mount. */
export function cloudConfigSecret(
    name: string,
    openstack: OpenStackAccess,
    loadBalancers: boolean,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        name,
        {
            metadata: { name: CLOUD_CONFIG_SECRET.name, namespace: CLOUD_CONFIG_SECRET.namespace },
            type: "Opaque",
            stringData: { [CLOUD_CONFIG_SECRET.key]: cloudConfigText(openstack, loadBalancers) },
        },
        opts,
    );
}

/** Pod-template annotation whose value changes with the cloud config, so that a new credential rolls the pods. */
export const CLOUD_CONFIG_CHECKSUM_ANNOTATION = "checksum/cloud-config";

/**
 * SHA-256 of the cloud config, as plain (not secret) text: it goes into chart values, where a secret would make the
 * whole release's values secret. A digest of a text holding a random application-credential secret reveals nothing
 * of it. Both charts mount the Secret but only hash their own rendered config (occm's checksum/config), which is
 * empty with `secret.create: false`: without this, a rotated credential reaches no running pod until it restarts.
 */
export function cloudConfigChecksum(openstack: OpenStackAccess, loadBalancers: boolean): pulumi.Output<string> {
    return pulumi.unsecret(cloudConfigText(openstack, loadBalancers).apply((text) => createHash("sha256").update(text).digest("hex")));
}
