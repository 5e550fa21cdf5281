import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { EnvironmentProfile } from "../../config/profile";
import { CLOUD_CONFIG_CHECKSUM_ANNOTATION, CLOUD_CONFIG_SECRET } from "./cloud-config";
import { pinnedRelease, type PlatformResourceOptions } from "./release";
import { CHARTS } from "./versions";

/** Name of the CSI driver the chart registers. */
export const CINDER_PROVISIONER = "cinder.csi.openstack.org";

/** The cluster's only StorageClass, and its default. */
export const STORAGE_CLASS_NAME = "cinder";

export interface CinderCsiInput {
    /** Tags every volume the driver creates, so an operator can tell the cluster's volumes apart in Cinder. */
    clusterName: string;
    /** SHA-256 of the cloud config: a new credential changes both pod templates, which rolls the pods. */
    configChecksum: string;
}

// The external-attacher/provisioner/snapshotter/resizer sidecars watch the API; the probe and registrar idle.
const CSI_SIDECAR_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } };
const CSI_PROBE_RESOURCES = { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "64Mi" } };

/** Values of the openstack-cinder-csi chart. */
export function cinderCsiValues(input: CinderCsiInput): Record<string, unknown> {
    return {
        secret: { enabled: true, create: false, name: CLOUD_CONFIG_SECRET.name, filename: CLOUD_CONFIG_SECRET.key },
        // The chart's two classes (csi-cinder-sc-delete and -retain) would both exist in every environment under
        // fixed names; the platform declares the one class it wants itself (see defaultStorageClass).
        storageClass: { enabled: false },
        clusterID: input.clusterName,
        priorityClassName: "system-cluster-critical",
        // Both the controller and the node plugin read the credential (charts/cinder-csi-plugin values.yaml,
        // csi.plugin.{controllerPlugin,nodePlugin}.podAnnotations).
        // The chart gives no container requests or limits (every csi.*.resources is {} in charts/cinder-csi-plugin
        // values.yaml at openstack-cinder-csi-2.36.0): the storage driver would be the first evicted under pressure.
        csi: {
            attacher: { resources: CSI_SIDECAR_RESOURCES },
            provisioner: { resources: CSI_SIDECAR_RESOURCES },
            snapshotter: { resources: CSI_SIDECAR_RESOURCES },
            resizer: { resources: CSI_SIDECAR_RESOURCES },
            livenessprobe: { resources: CSI_PROBE_RESOURCES },
            nodeDriverRegistrar: { resources: CSI_PROBE_RESOURCES },
            plugin: {
                resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                controllerPlugin: { podAnnotations: { [CLOUD_CONFIG_CHECKSUM_ANNOTATION]: input.configChecksum } },
                nodePlugin: { podAnnotations: { [CLOUD_CONFIG_CHECKSUM_ANNOTATION]: input.configChecksum } },
            },
        },
    };
}

export interface StorageClassInput {
    /** `Retain` where stored data is protected (the profile's volumeReclaimPolicy): a deleted claim leaves its Cinder volume. */
    reclaimPolicy: EnvironmentProfile["volumeReclaimPolicy"];
    /** Cinder volume type of the site (e.g. ceph-ssd); the project's default type when absent. */
    volumeType?: string;
}

/** The fields of a StorageClass the platform sets, as plain data. */
export interface StorageClassSpec {
    metadata: { name: string; annotations: Record<string, string> };
    provisioner: string;
    reclaimPolicy: EnvironmentProfile["volumeReclaimPolicy"];
    allowVolumeExpansion: boolean;
    volumeBindingMode: "WaitForFirstConsumer";
    parameters?: Record<string, string>;
}

/** The default StorageClass: where data is protected, a deleted claim leaves its Cinder volume behind for an operator to recover. */
export function defaultStorageClass(input: StorageClassInput): StorageClassSpec {
    return {
        metadata: { name: STORAGE_CLASS_NAME, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: CINDER_PROVISIONER,
        reclaimPolicy: input.reclaimPolicy,
        allowVolumeExpansion: true,
        // The volume is created once the pod is scheduled, in the availability zone of the node that runs it.
        volumeBindingMode: "WaitForFirstConsumer",
        ...(input.volumeType ? { parameters: { type: input.volumeType } } : {}),
    };
}

/** The Cinder CSI driver; it provisions, attaches and grows the volumes of PersistentVolumeClaims. */
export function cinderCsi(
    name: string,
    input: Omit<CinderCsiInput, "configChecksum"> & { configChecksum: pulumi.Output<string> },
    opts: PlatformResourceOptions,
): k8s.helm.v3.Release {
    return pinnedRelease(
        name,
        {
            chart: CHARTS.cinderCsi,
            releaseName: "openstack-cinder-csi",
            // The chart mounts the Secret from its own namespace.
            namespace: CLOUD_CONFIG_SECRET.namespace,
            values: input.configChecksum.apply((configChecksum) => cinderCsiValues({ ...input, configChecksum })),
            timeoutSeconds: 600,
        },
        opts,
    );
}

/** Registers the default StorageClass; its parameters are immutable, so a change replaces it (existing volumes stay). */
export function storageClass(name: string, input: StorageClassInput, opts: pulumi.CustomResourceOptions): k8s.storage.v1.StorageClass {
    // The name is fixed, so the old class must go before the new one can take it.
    return new k8s.storage.v1.StorageClass(name, defaultStorageClass(input), { ...opts, deleteBeforeReplace: true });
}
