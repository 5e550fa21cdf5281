/**
 * Which input changes make a provider answer "replace" rather than "update", one row per resource type the
 * program uses. Paths are the SDK's input names; `a[].b` is field `b` of any element of list `a`, `a.b` a
 * nested field. A change at a path, under it, or above it (the whole list replaced) forces the replacement.
 */
export interface ReplacementRule {
    paths: readonly string[];
    /** Where the fields come from, for the reader who doubts a row. */
    source: string;
}

// terraform-provider-openstack v1.54.1 (which @pulumi/openstack 3.15.2 wraps), `ForceNew: true` fields of
// openstack/resource_openstack_<name>.go, read at tag v1.54.1. `region` is in every row and never set here.
const TF = (file: string) => `terraform-provider-openstack v1.54.1 openstack/resource_openstack_${file}.go (ForceNew)`;

// pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go and remote/copy.go: `triggers` is tagged
// provider:"replaceOnChanges"; every other input change is an update (remote/commandController.go Update
// runs `update`, else `create`, again).
const COMMAND = "pulumi-command v1.2.1 remote/command.go, remote/copy.go (triggers: replaceOnChanges)";

// Kubernetes refuses these changes on update ("field is immutable"); pulumi-kubernetes 4.x replaces the
// object when a server-side dry run reports so, and always on a new name or namespace
// (provider/pkg/provider/forcenew.go metadataForceNewProperties).
const K8S = (where: string) => `Kubernetes ${where}; pulumi-kubernetes replaces on metadata.name/namespace`;
const METADATA = ["metadata.name", "metadata.namespace"];

export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
    "openstack:compute/instance:Instance": {
        // image_id/image_name are not ForceNew in v1.54.1: a change rebuilds the server in place (Update calls
        // servers.Rebuild), which wipes the root disk as surely as a replacement; see IN_PLACE_REBUILDS.
        paths: [
            "region", "userData", "availabilityZoneHints", "availabilityZone", "networkMode", "networks[].uuid",
            "networks[].name", "networks[].port", "networks[].fixedIpV4", "networks[].fixedIpV6", "networks[].accessNetwork",
            "configDrive", "keyPair", "blockDevices", "schedulerHints",
        ],
        source: TF("compute_instance_v2"),
    },
    "openstack:networking/port:Port": {
        paths: ["region", "networkId", "macAddress", "tenantId", "deviceOwner", "deviceId", "valueSpecs"],
        source: TF("networking_port_v2"),
    },
    "openstack:blockstorage/volume:Volume": {
        paths: [
            "region", "availabilityZone", "snapshotId", "sourceVolId", "imageId", "backupId", "volumeType",
            "consistencyGroupId", "sourceReplica", "schedulerHints",
        ],
        source: TF("blockstorage_volume_v3"),
    },
    "openstack:compute/volumeAttach:VolumeAttach": {
        paths: ["region", "instanceId", "volumeId", "multiattach", "vendorOptions"],
        source: TF("compute_volume_attach_v2"),
    },
    "openstack:compute/keypair:Keypair": {
        paths: ["region", "name", "publicKey", "valueSpecs", "userId"],
        source: TF("compute_keypair_v2"),
    },
    "openstack:networking/secGroup:SecGroup": {
        paths: ["region", "tenantId", "deleteDefaultRules"],
        source: TF("networking_secgroup_v2"),
    },
    "openstack:networking/secGroupRule:SecGroupRule": {
        // Neutron has no rule update at all: every field, the description included, is ForceNew.
        paths: [
            "region", "description", "direction", "ethertype", "portRangeMin", "portRangeMax", "protocol",
            "remoteGroupId", "remoteIpPrefix", "securityGroupId", "tenantId",
        ],
        source: TF("networking_secgroup_rule_v2"),
    },
    "openstack:networking/floatingIp:FloatingIp": {
        // port_id is updatable: moving the address to another port is an update.
        paths: ["region", "address", "pool", "tenantId", "valueSpecs", "dnsName", "dnsDomain"],
        source: TF("networking_floatingip_v2"),
    },
    "openstack:networking/floatingIpAssociate:FloatingIpAssociate": {
        paths: ["region", "floatingIp"],
        source: TF("networking_floatingip_associate_v2"),
    },
    "openstack:loadbalancer/loadBalancer:LoadBalancer": {
        paths: [
            "region", "vipNetworkId", "vipSubnetId", "tenantId", "vipAddress", "vipPortId", "flavorId",
            "loadbalancerProvider", "availabilityZone",
        ],
        source: TF("lb_loadbalancer_v2"),
    },
    "openstack:loadbalancer/listener:Listener": {
        paths: ["region", "protocol", "protocolPort", "tenantId", "loadbalancerId"],
        source: TF("lb_listener_v2"),
    },
    "openstack:loadbalancer/pool:Pool": {
        paths: ["region", "tenantId", "protocol", "loadbalancerId", "listenerId", "persistence"],
        source: TF("lb_pool_v2"),
    },
    "openstack:loadbalancer/member:Member": {
        paths: ["region", "tenantId", "address", "protocolPort", "subnetId", "poolId"],
        source: TF("lb_member_v2"),
    },
    "openstack:loadbalancer/monitor:Monitor": {
        paths: ["region", "poolId", "tenantId", "type"],
        source: TF("lb_monitor_v2"),
    },
    "openstack:networking/network:Network": {
        paths: ["region", "tenantId", "valueSpecs", "availabilityZoneHints", "transparentVlan"],
        source: TF("networking_network_v2"),
    },
    "openstack:networking/subnet:Subnet": {
        paths: ["region", "networkId", "cidr", "prefixLength", "tenantId", "ipVersion", "hostRoutes", "subnetpoolId", "valueSpecs"],
        source: TF("networking_subnet_v2"),
    },
    "openstack:networking/router:Router": {
        paths: ["region", "distributed", "tenantId", "valueSpecs", "availabilityZoneHints"],
        source: TF("networking_router_v2"),
    },
    "openstack:networking/routerInterface:RouterInterface": {
        paths: ["region", "routerId", "subnetId", "portId"],
        source: TF("networking_router_interface_v2"),
    },
    "openstack:compute/serverGroup:ServerGroup": {
        paths: ["region", "name", "policies", "rules", "valueSpecs"],
        source: TF("compute_servergroup_v2"),
    },
    "command:remote:Command": { paths: ["triggers"], source: COMMAND },
    "command:remote:CopyToRemote": { paths: ["triggers"], source: COMMAND },
    "random:index/randomPassword:RandomPassword": {
        // Every input RequiresReplace (keepers only when set): a new password, which the broker users' Secrets follow.
        paths: ["keepers", "length", "special", "upper", "lower", "number", "numeric", "minNumeric", "minUpper", "minLower", "minSpecial", "overrideSpecial"],
        source: "terraform-provider-random internal/provider/resource_password.go passwordSchemaV3 (RequiresReplace), wrapped by @pulumi/random 4.21.2",
    },
    "kubernetes:apps/v1:Deployment": {
        paths: [...METADATA, "spec.selector"],
        source: K8S("pkg/apis/apps/validation ValidateDeploymentUpdate (spec.selector immutable in apps/v1)"),
    },
    "kubernetes:apps/v1:StatefulSet": {
        // Everything but replicas, template, updateStrategy, persistentVolumeClaimRetentionPolicy,
        // minReadySeconds and ordinals is forbidden on update.
        paths: [...METADATA, "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy"],
        source: K8S("pkg/apis/apps/validation ValidateStatefulSetUpdate"),
    },
    "kubernetes:core/v1:Service": {
        paths: [...METADATA, "spec.clusterIP", "spec.clusterIPs"],
        source: K8S("pkg/apis/core/validation ValidateServiceUpdate (clusterIP immutable)"),
    },
    "kubernetes:core/v1:Secret": {
        paths: [...METADATA, "type"],
        source: K8S("pkg/apis/core/validation ValidateSecretUpdate (type immutable)"),
    },
    "kubernetes:core/v1:PersistentVolumeClaim": {
        paths: [...METADATA, "spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
        source: K8S("pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate"),
    },
    "kubernetes:storage.k8s.io/v1:StorageClass": {
        paths: [...METADATA, "parameters", "provisioner", "reclaimPolicy", "volumeBindingMode"],
        source: K8S("pkg/apis/storage/validation ValidateStorageClassUpdate"),
    },
    "kubernetes:helm.sh/v3:Release": {
        // `helm upgrade` addresses a release by name in its namespace: there is no rename.
        paths: ["name", "namespace"],
        source: "pulumi-kubernetes 4.x Release (helm upgrade addresses a release by name and namespace)",
    },
};

/** Kubernetes kinds not listed above: only a new name or namespace replaces them. */
const KUBERNETES_DEFAULT: ReplacementRule = { paths: METADATA, source: K8S("metadata") };

export function replacementRule(type: string): ReplacementRule | undefined {
    return REPLACEMENT_RULES[type] ?? (type.startsWith("kubernetes:") ? KUBERNETES_DEFAULT : undefined);
}

/**
 * Inputs that are not ForceNew but whose change still destroys what the resource holds, said aloud in a plan.
 * terraform-provider-openstack v1.54.1 resourceComputeInstanceV2Update: a new image_id/image_name rebuilds.
 */
export const IN_PLACE_REBUILDS: Readonly<Record<string, readonly string[]>> = {
    "openstack:compute/instance:Instance": ["imageId", "imageName"],
};

/** `a[3].b` -> `a[].b`: rows name list fields, not positions. */
export function genericPath(path: string): string {
    return path.replace(/\[\d+\]/g, "[]");
}

/** Whether a change at `changed` touches `rule`: the same field, a field under it, or a whole that holds it. */
export function pathTouches(changed: string, rule: string): boolean {
    const a = genericPath(changed);
    const under = (inner: string, outer: string) =>
        inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
    return under(a, rule) || under(rule, a);
}

/** The changed inputs that force a replacement of a resource of this type. */
export function replacingPaths(type: string, changed: readonly string[]): string[] {
    const rule = replacementRule(type);
    if (!rule) {
        return [];
    }
    return changed.filter((path) => rule.paths.some((field) => pathTouches(path, field)));
}
