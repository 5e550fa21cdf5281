import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema";
import type { OutsideNodePort } from "../config/traffic";
import { type ApiEndpoint, apiEndpointAllowedCidrs } from "./api-endpoint";
import type { ClusterHosts, NodeAddress, NodesByRole, ServerIdentity } from "./cluster-hosts";
import { type ServerRole, serverMetadata } from "./server-metadata";
import { Bastion } from "./bastion";
import { Network } from "./network";
import { NodePool } from "./node-pool";
import { OctaviaApiEndpoint } from "./octavia-api-endpoint";
import { securityRules } from "./rules";
import { SecurityGroups } from "./security-groups";
import { VipApiEndpoint } from "./vip-api-endpoint";

export interface EnvironmentArgs {
    /** The validated stack config. */
    config: StackConfig;
    /**
     * Data volumes and the API endpoint are `protect`ed and kept on delete (the profile's `protectStoredData`):
     * certificates and kubeconfigs name the endpoint's address.
     */
    protectStoredData: boolean;
    /**
     * The deploy keypair's public key (`DeployKeys.keypairPublicKey`): `access.deployPublicKey`, or during a
     * rotation the retiring key, which the servers' "authorized deploy keys" commands log in with.
     */
    deployKeypairPublicKey?: pulumi.Input<string>;
    /** NodePorts reached from outside the cluster and their allowed networks (config/traffic.ts `outsideNodePorts`). */
    outsideNodePorts: readonly OutsideNodePort[];
}

export type { NodeAddress, NodesByRole, ServerIdentity } from "./cluster-hosts";


/** One FSGS environment in its OpenStack project: network, security groups, bastion, nodes, API endpoint. */
export class Environment extends pulumi.ComponentResource {
    public readonly nodes: pulumi.Output<NodesByRole>;
    public readonly bastionPublicAddress: pulumi.Output<string>;
    public readonly bastionPrivateAddress: pulumi.Output<string>;
    public readonly apiEndpoint: ApiEndpoint & pulumi.Resource;
    /** The bastion's component and server name. */
    public readonly bastion: pulumi.Resource;
    public readonly bastionName: string;
    /** The node subnet and the site's external network, for the cluster's cloud integration. */
    public readonly subnetId: pulumi.Output<string>;
    public readonly externalNetworkId: pulumi.Output<string>;
    /** The node pools and the API endpoint: what must exist before Ansible forms the cluster. */
    public readonly clusterResources: pulumi.Resource[];
    /**
     * What every SSH connection of the program travels through: the security groups with all their rules (the
     * runner's SSH to the bastion, the bastion's SSH to the nodes, the node rules Ansible's run relies on) and
     * the bastion with its floating IP. Remote commands depend on these so that `destroy` deletes them only
     * after the commands, whose own deletes (and the Kubernetes deletes behind them) still need to connect.
     */
    public readonly sshPath: pulumi.Resource[];
    /** Nova ID of every server (bastion and nodes) by name: what changes when one is replaced. */
    public readonly serverIds: pulumi.Output<Record<string, string>>;
    /** Every server (bastion and nodes) with its own ID and host key, so a consumer can depend on one server alone. */
    public readonly servers: readonly ServerIdentity[];
    /** Nova ID of the bastion. */
    public readonly bastionId: pulumi.Output<string>;
    /** SSH host public key of every server (bastion and nodes) by name. */
    public readonly hostPublicKeys: pulumi.Output<Record<string, string>>;
    /** Cinder ID of each node's data volume, by node name (nodes without one are absent). */
    public readonly dataVolumeIds: pulumi.Output<Record<string, string>>;
    /** What the cluster layer is given: hosts, bastion, endpoint, what to wait for. */
    public readonly hosts: ClusterHosts;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:openstack:Environment", name, {}, opts);
        const { site, network: addressing, access, cluster, environment } = args.config;
        const parent = { parent: this };
        const protect = args.protectStoredData;

        const externalNetwork = openstack.networking.getNetworkOutput({ name: site.externalNetwork, external: true }, parent);
        const image = openstack.images.getImageOutput({ name: site.image.name, mostRecent: true }, parent);

        const network = new Network(
            name,
            { nodeCidr: addressing.nodeCidr, dnsServers: site.dnsServers, externalNetworkId: externalNetwork.id },
            parent,
        );
        const securityGroups = new SecurityGroups(
            `${name}-sg`,
            {
                rules: securityRules({
                    adminCidrs: access.adminCidrs,
                    nodeCidr: addressing.nodeCidr,
                    cni: cluster.cni,
                    apiEndpointMode: cluster.apiEndpoint.mode,
                    outsideNodePorts: args.outsideNodePorts,
                }),
            },
            parent,
        );
        const keypair = new openstack.compute.Keypair(
            `${name}-keypair`,
            // The deploy key, for Pulumi and Ansible; cloud-init adds the operators' keys beside it.
            { name: `${name}-deploy`, publicKey: args.deployKeypairPublicKey ?? access.deployPublicKey },
            // Name and public key are ForceNew (terraform-provider-openstack v1.54.1 resource_openstack_compute_keypair_v2.go)
            // and Nova refuses a second keypair of one name (409): a new key replaces the old one in place. Servers keep
            // the key they booted with (keyPair is an ignored change, and Nova hands keys to a server only at boot):
            // the "authorized deploy keys" command of each server (components/ansible/authorized-keys.ts) moves them on.
            { ...parent, deleteBeforeReplace: true },
        );
        const common = {
            imageId: image.id,
            sshUser: site.image.sshUser,
            sshPublicKeys: access.sshPublicKeys,
            keyPairName: keypair.name,
            networkId: network.networkId,
            subnetId: network.subnetId,
            volumeType: site.volumeType,
        };
        const metadata = (role: ServerRole, pool?: string) => serverMetadata(environment, role, pool);

        const bastion = new Bastion(
            `${name}-bastion`,
            {
                ...common,
                flavorName: site.flavors.bastion,
                securityGroupIds: [securityGroups.ids.bastion],
                availabilityZone: site.availabilityZones[0],
                floatingIpPool: site.externalNetwork,
                routerInterface: network.routerInterface,
                metadata: metadata("bastion"),
                // Ansible runs from the bastion: it is the one host that reaches every node.
                packages: ["ansible"],
            },
            parent,
        );

        const endpointCommon = {
            subnetId: network.subnetId,
            securityGroupId: securityGroups.ids.apiEndpoint,
            floatingIpPool: site.externalNetwork,
            routerInterface: network.routerInterface,
            protect,
        };
        // The VIP must exist before the control-plane ports that list it; Octavia members come after the nodes.
        const vip =
            cluster.apiEndpoint.mode === "vip"
                ? new VipApiEndpoint(
                      `${name}-api`,
                      { ...endpointCommon, networkId: network.networkId },
                      parent,
                  )
                : undefined;

        const controlPlane = new NodePool(
            `${name}-cp`,
            {
                ...common,
                count: cluster.controlPlane.count,
                flavorName: cluster.controlPlane.flavor ?? site.flavors.controlPlane,
                bootVolumeSize: cluster.controlPlane.bootVolumeSize,
                securityGroupIds: vip
                    ? [securityGroups.ids.controlPlane, securityGroups.ids.apiEndpoint]
                    : [securityGroups.ids.controlPlane],
                allowedAddresses: vip ? [vip.privateAddress] : undefined,
                availabilityZones: site.availabilityZones,
                antiAffinity: "hard",
                protectData: protect,
                metadata: metadata("control-plane"),
            },
            parent,
        );
        const workerPools = cluster.workerPools.map(
            (pool) =>
                [
                    pool.name,
                    new NodePool(
                        `${name}-${pool.name}`,
                        {
                            ...common,
                            count: pool.count,
                            flavorName: pool.flavor ?? site.flavors.worker,
                            bootVolumeSize: pool.bootVolumeSize,
                            dataVolumeSize: pool.dataVolumeSize,
                            securityGroupIds: [securityGroups.ids.worker],
                            availabilityZones: site.availabilityZones,
                            antiAffinity: "soft",
                            protectData: protect,
                            metadata: metadata("worker", pool.name),
                        },
                        parent,
                    ),
                ] as const,
        );

        this.apiEndpoint =
            vip ??
            new OctaviaApiEndpoint(
                `${name}-api`,
                {
                    ...endpointCommon,
                    allowedCidrs: apiEndpointAllowedCidrs(access.adminCidrs, addressing.nodeCidr),
                    members: controlPlane.nodes.map((node) => ({ name: node.name, address: node.privateAddress })),
                },
                parent,
            );

        const addresses = (nodes: NodePool["nodes"], pool?: string) =>
            nodes.map((node) =>
                node.privateAddress.apply((privateAddress): NodeAddress => ({ name: node.name, privateAddress, ...(pool ? { pool } : {}) })),
            );
        this.nodes = pulumi
            .all([
                pulumi.all(addresses(controlPlane.nodes)),
                pulumi.all(workerPools.flatMap(([poolName, pool]) => addresses(pool.nodes, poolName))),
            ])
            .apply(([controlPlaneNodes, workerNodes]): NodesByRole => ({ controlPlane: controlPlaneNodes, workers: workerNodes }));
        this.subnetId = network.subnetId;
        this.externalNetworkId = externalNetwork.id;
        this.bastion = bastion;
        this.bastionName = `${name}-bastion`;
        this.clusterResources = [controlPlane, ...workerPools.map(([, pool]) => pool), this.apiEndpoint];
        this.sshPath = [securityGroups, bastion];
        const poolNodes = [...controlPlane.nodes, ...workerPools.flatMap(([, pool]) => pool.nodes)];
        const servers: ServerIdentity[] = [{ name: `${name}-bastion`, instanceId: bastion.instanceId, hostPublicKey: bastion.hostPublicKey }, ...poolNodes];
        this.servers = servers;
        this.serverIds = pulumi
            .all(servers.map((server) => server.instanceId))
            .apply((ids): Record<string, string> => Object.fromEntries(servers.map((server, index) => [server.name, ids[index]])));
        this.bastionId = bastion.instanceId;
        this.hostPublicKeys = pulumi
            .all(servers.map((server) => server.hostPublicKey))
            .apply((keys): Record<string, string> => Object.fromEntries(servers.map((server, index) => [server.name, keys[index]])));
        const withVolumes = poolNodes.flatMap((node) => (node.dataVolumeId ? [{ name: node.name, id: node.dataVolumeId }] : []));
        this.dataVolumeIds = pulumi
            .all(withVolumes.map((node) => node.id))
            .apply((ids): Record<string, string> => Object.fromEntries(withVolumes.map((node, index) => [node.name, ids[index]])));
        this.bastionPublicAddress = bastion.publicAddress;
        this.bastionPrivateAddress = bastion.privateAddress;
        this.hosts = {
            nodes: this.nodes,
            bastion: { name: this.bastionName, privateAddress: bastion.privateAddress, publicAddress: bastion.publicAddress, id: bastion.instanceId, resource: bastion },
            endpoint: {
                mode: cluster.apiEndpoint.mode,
                privateAddress: this.apiEndpoint.privateAddress,
                publicAddress: this.apiEndpoint.publicAddress,
                port: this.apiEndpoint.port,
            },
            hostPublicKeys: this.hostPublicKeys,
            servers: this.servers,
            dataVolumeIds: this.dataVolumeIds,
            ready: this.clusterResources,
            sshPath: this.sshPath,
        };
        this.registerOutputs({
            nodes: this.nodes,
            bastionPublicAddress: this.bastionPublicAddress,
            apiEndpoint: { privateAddress: this.apiEndpoint.privateAddress, publicAddress: this.apiEndpoint.publicAddress },
        });
    }
}
