import type { RenderedResource } from "../render";
import { serverRoleOf } from "../../../components/openstack/server-metadata";
import { CloudError, SOURCES } from "./cloud-error";
import { type AuthorizedKey, cidrContains } from "./reachability";
import { parseCidr } from "../../../components/config/cidr";
import { fingerprintOf } from "../../../components/config/ssh-keys";


export type Kind =
    | "network" | "subnet" | "router" | "routerInterface" | "port" | "secGroup" | "secGroupRule" | "keypair"
    | "serverGroup" | "server" | "volume" | "volumeAttachment" | "floatingIp" | "loadBalancer" | "listener"
    | "pool" | "member" | "monitor";

/** A real object in the project. `owner` is the URN that made it, or the in-cluster controller. */
export interface CloudObject {
    id: string;
    kind: Kind;
    name: string;
    owner: string;
    attrs: Record<string, unknown>;
}

const KIND_BY_TYPE: Record<string, Kind> = {
    "openstack:networking/network:Network": "network",
    "openstack:networking/subnet:Subnet": "subnet",
    "openstack:networking/router:Router": "router",
    "openstack:networking/routerInterface:RouterInterface": "routerInterface",
    "openstack:networking/port:Port": "port",
    "openstack:networking/secGroup:SecGroup": "secGroup",
    "openstack:networking/secGroupRule:SecGroupRule": "secGroupRule",
    "openstack:compute/keypair:Keypair": "keypair",
    "openstack:compute/serverGroup:ServerGroup": "serverGroup",
    "openstack:compute/instance:Instance": "server",
    "openstack:blockstorage/volume:Volume": "volume",
    "openstack:compute/volumeAttach:VolumeAttach": "volumeAttachment",
    "openstack:networking/floatingIp:FloatingIp": "floatingIp",
    "openstack:loadbalancer/loadBalancer:LoadBalancer": "loadBalancer",
    "openstack:loadbalancer/listener:Listener": "listener",
    "openstack:loadbalancer/pool:Pool": "pool",
    "openstack:loadbalancer/member:Member": "member",
    "openstack:loadbalancer/monitor:Monitor": "monitor",
};

export const kindOf = (type: string): Kind | undefined => KIND_BY_TYPE[type];

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * The objects of one OpenStack project and the rules the real APIs enforce on them. Physical IDs are new for
 * every object, as in OpenStack; a program's reference (the offline plan's deterministic ID) resolves to the
 * newest live object the resource with that ID made, as Pulumi hands a dependent the ID of the current one.
 */
export class FakeOpenStack {
    private readonly objects = new Map<string, CloudObject>();
    private readonly byReference = new Map<string, string>();
    private serial = 0;

    live(kind: Kind): CloudObject[] {
        return [...this.objects.values()].filter((object) => object.kind === kind);
    }

    all(): CloudObject[] {
        return [...this.objects.values()];
    }

    get(id: string): CloudObject | undefined {
        return this.objects.get(id);
    }

    /** The live object a program reference (render ID) stands for. */
    resolve(reference: unknown, kind: Kind, by: string): CloudObject {
        const id = typeof reference === "string" ? this.byReference.get(reference) ?? reference : undefined;
        const object = id === undefined ? undefined : this.objects.get(id);
        if (!object || object.kind !== kind) {
            throw new CloudError("404 NotFound", `${by}: ${kind} ${String(reference)} could not be found`, SOURCES.missing);
        }
        return object;
    }

    add(kind: Kind, name: string, owner: string, attrs: Record<string, unknown>, reference?: string): CloudObject {
        const object: CloudObject = { id: `${kind}-${(this.serial += 1)}`, kind, name, owner, attrs };
        this.objects.set(object.id, object);
        if (reference) {
            this.byReference.set(reference, object.id);
        }
        return object;
    }

    remove(id: string): void {
        this.objects.delete(id);
    }

    /** Creates what a resource stands for, refusing what the real API refuses. */
    create(resource: RenderedResource): CloudObject[] {
        const kind = kindOf(resource.type);
        if (!kind) {
            return [];
        }
        const inputs = resource.inputs;
        const name = text(inputs.name) ?? resource.name;
        const add = (attrs: Record<string, unknown>) => [this.add(kind, name, resource.urn, attrs, resource.id)];
        switch (kind) {
            case "keypair": {
                const taken = this.live("keypair").find((keypair) => keypair.name === name);
                if (taken) {
                    throw new CloudError("409 KeyPairExists", `Key pair '${name}' already exists.`, SOURCES.keypairExists);
                }
                return add({ fingerprint: typeof inputs.publicKey === "string" ? fingerprintOf(inputs.publicKey) : undefined });
            }
            case "secGroupRule": {
                const group = this.resolve(inputs.securityGroupId, "secGroup", resource.name);
                const remoteGroup = inputs.remoteGroupId === undefined ? undefined : this.resolve(inputs.remoteGroupId, "secGroup", resource.name).id;
                const attrs = {
                    securityGroup: group.id,
                    direction: inputs.direction,
                    ethertype: inputs.ethertype ?? "IPv4",
                    protocol: inputs.protocol,
                    portRangeMin: inputs.portRangeMin,
                    portRangeMax: inputs.portRangeMax,
                    remoteIpPrefix: inputs.remoteIpPrefix,
                    remoteGroup,
                    description: inputs.description,
                };
                const key = (a: Record<string, unknown>) =>
                    JSON.stringify([a.securityGroup, a.direction, a.ethertype, a.protocol, a.portRangeMin, a.portRangeMax, a.remoteIpPrefix, a.remoteGroup]);
                const same = this.live("secGroupRule").find((rule) => key(rule.attrs) === key(attrs));
                if (same) {
                    throw new CloudError("409 SecurityGroupRuleExists", `Security group rule already exists. Rule id is ${same.id}.`, SOURCES.ruleExists);
                }
                return add(attrs);
            }
            case "subnet":
                return add({ network: this.resolve(inputs.networkId, "network", resource.name).id, cidr: inputs.cidr });
            case "routerInterface": {
                const subnet = this.resolve(inputs.subnetId, "subnet", resource.name);
                const router = this.resolve(inputs.routerId, "router", resource.name);
                // Neutron makes a port for the router on the subnet.
                const port = this.add("port", `${name}-port`, resource.urn, { subnet: subnet.id, network: subnet.attrs.network, deviceOwner: "network:router_interface" });
                return [...add({ subnet: subnet.id, router: router.id, port: port.id }), port];
            }
            case "port": {
                const network = this.resolve(inputs.networkId, "network", resource.name);
                const fixedIps = (inputs.fixedIps as { subnetId?: string }[] | undefined) ?? [];
                const subnet = fixedIps[0]?.subnetId === undefined ? undefined : this.resolve(fixedIps[0].subnetId, "subnet", resource.name);
                const addresses = (resource.outputs.allFixedIps as string[] | undefined) ?? [];
                return add({
                    network: network.id,
                    subnet: subnet?.id,
                    address: addresses[0],
                    securityGroups: ((inputs.securityGroupIds as string[] | undefined) ?? []).map((id) => this.resolve(id, "secGroup", resource.name).id),
                    allowedAddresses: ((inputs.allowedAddressPairs as { ipAddress: string }[] | undefined) ?? []).map((pair) => pair.ipAddress),
                    // An unbound port whose address the control planes list as an allowed pair: the API VIP.
                    vip: resource.name.endsWith("-vip"),
                });
            }
            case "server": {
                const networks = (inputs.networks as { port?: string }[] | undefined) ?? [];
                const port = this.resolve(networks[0]?.port, "port", resource.name);
                const holder = this.live("server").find((server) => server.attrs.port === port.id);
                if (holder) {
                    throw new CloudError("409 PortInUse", `Port ${port.id} is still in use (bound to server ${holder.name}).`, SOURCES.portInUse);
                }
                const keypair = inputs.keyPair === undefined ? undefined : this.live("keypair").find((candidate) => candidate.name === inputs.keyPair);
                if (inputs.keyPair !== undefined && !keypair) {
                    throw new CloudError("400 BadRequest", `Invalid key_name provided.`, SOURCES.missing);
                }
                // Nova hands the keypair's public key to the server once, at creation: the metadata service's
                // public-keys and the config drive's meta_data.json carry the key the keypair held then, and
                // cloud-init writes it to the default user's authorized_keys once per instance (cloud-init cc_ssh,
                // "Frequency: once-per-instance"). A keypair replaced later changes nothing on the server (Nova API
                // reference, POST /servers key_name; Nova has no API to change a server's key). The operators' keys
                // cloud-init also installs (user data ssh_authorized_keys) are not modelled: no command uses them.
                const authorizedKeys: AuthorizedKey[] = typeof keypair?.attrs.fingerprint === "string" ? [{ fingerprint: keypair.attrs.fingerprint, marked: false }] : [];
                return add({ port: port.id, role: serverRoleOf(inputs.metadata), authorizedKeys });
            }
            case "volume":
                return add({ volumeType: inputs.volumeType, size: inputs.size });
            case "volumeAttachment": {
                const server = this.resolve(inputs.instanceId, "server", resource.name);
                const volume = this.resolve(inputs.volumeId, "volume", resource.name);
                if (this.live("volumeAttachment").some((attachment) => attachment.attrs.volume === volume.id)) {
                    throw new CloudError("400 InvalidVolume", `Invalid volume: volume ${volume.id} status must be available, but is in-use.`, SOURCES.volumeAttached);
                }
                return add({ server: server.id, volume: volume.id });
            }
            case "floatingIp": {
                const attrs = { address: resource.outputs.address, port: undefined as string | undefined };
                const [fip] = add(attrs);
                if (inputs.portId !== undefined) {
                    this.associate(fip, inputs.portId);
                }
                return [fip];
            }
            case "loadBalancer": {
                const subnet = this.resolve(inputs.vipSubnetId, "subnet", resource.name);
                // Octavia makes the VIP port on the subnet; its ID is what the floating IP is given.
                const vipPort = this.add(
                    "port",
                    `octavia-lb-${name}`,
                    resource.urn,
                    { subnet: subnet.id, network: subnet.attrs.network, address: resource.outputs.vipAddress, securityGroups: [], deviceOwner: "Octavia" },
                    text(resource.outputs.vipPortId),
                );
                return [...add({ subnet: subnet.id, vipPort: vipPort.id, vipAddress: resource.outputs.vipAddress }), vipPort];
            }
            case "listener": {
                const lb = this.resolve(inputs.loadbalancerId, "loadBalancer", resource.name);
                this.checkAllowedCidrs(lb, inputs.allowedCidrs);
                return add({ loadBalancer: lb.id, protocolPort: inputs.protocolPort, allowedCidrs: inputs.allowedCidrs ?? [] });
            }
            case "pool":
                return add({ listener: this.resolve(inputs.listenerId, "listener", resource.name).id });
            case "member":
                return add({ pool: this.resolve(inputs.poolId, "pool", resource.name).id, address: inputs.address });
            case "monitor":
                return add({ pool: this.resolve(inputs.poolId, "pool", resource.name).id });
            default:
                return add({});
        }
    }

    /** Applies an in-place update of a resource's object. */
    update(object: CloudObject, resource: RenderedResource): void {
        const inputs = resource.inputs;
        switch (object.kind) {
            case "port":
                object.attrs.securityGroups = ((inputs.securityGroupIds as string[] | undefined) ?? []).map((id) => this.resolve(id, "secGroup", resource.name).id);
                object.attrs.allowedAddresses = ((inputs.allowedAddressPairs as { ipAddress: string }[] | undefined) ?? []).map((pair) => pair.ipAddress);
                return;
            case "listener": {
                this.checkAllowedCidrs(this.resolve(object.attrs.loadBalancer, "loadBalancer", resource.name), inputs.allowedCidrs);
                object.attrs.allowedCidrs = inputs.allowedCidrs ?? [];
                return;
            }
            case "floatingIp":
                if (typeof inputs.portId === "string" && this.byReference.get(inputs.portId) !== object.attrs.port) {
                    object.attrs.port = undefined;
                    this.associate(object, inputs.portId);
                }
                return;
            case "volume":
                object.attrs.size = inputs.size;
                return;
            default:
                return;
        }
    }

    /** Deletes an object, refusing what the real API refuses. */
    delete(object: CloudObject): void {
        const ports = () => this.live("port");
        switch (object.kind) {
            case "subnet": {
                const left = ports().filter((port) => port.attrs.subnet === object.id && port.attrs.deviceOwner !== "network:router_interface");
                if (left.length > 0 || this.live("routerInterface").some((ri) => ri.attrs.subnet === object.id)) {
                    throw new CloudError(
                        "409 SubnetInUse",
                        `Unable to complete operation on subnet ${object.name}: One or more ports have an IP allocation from this subnet (${[...left.map((port) => port.name)].join(", ") || "router interface"}).`,
                        SOURCES.subnetInUse,
                    );
                }
                break;
            }
            case "network":
                if (ports().some((port) => port.attrs.network === object.id) || this.live("subnet").some((subnet) => subnet.attrs.network === object.id)) {
                    throw new CloudError("409 NetworkInUse", `Unable to complete operation on network ${object.name}. There are one or more ports still in use on the network.`, SOURCES.networkInUse);
                }
                break;
            case "routerInterface": {
                const users = this.live("floatingIp").filter((fip) => this.get(String(fip.attrs.port))?.attrs.subnet === object.attrs.subnet);
                if (users.length > 0) {
                    throw new CloudError(
                        "409 RouterInterfaceInUseByFloatingIP",
                        `Router interface for subnet ${String(object.attrs.subnet)} on router ${String(object.attrs.router)} cannot be deleted, as it is required by one or more floating IPs (${users.map((fip) => fip.name).join(", ")}).`,
                        SOURCES.routerInterfaceInUse,
                    );
                }
                this.remove(String(object.attrs.port));
                break;
            }
            case "router":
                if (this.live("routerInterface").some((ri) => ri.attrs.router === object.id)) {
                    throw new CloudError("409 RouterInUse", `Router ${object.name} still has ports.`, SOURCES.routerInUse);
                }
                break;
            case "secGroup":
                if (ports().some((port) => ((port.attrs.securityGroups as string[] | undefined) ?? []).includes(object.id))) {
                    throw new CloudError("409 SecurityGroupInUse", `Security Group ${object.name} in use.`, SOURCES.securityGroupInUse);
                }
                for (const rule of this.live("secGroupRule").filter((candidate) => candidate.attrs.securityGroup === object.id)) {
                    this.remove(rule.id);
                }
                break;
            case "volume":
                if (this.live("volumeAttachment").some((attachment) => attachment.attrs.volume === object.id)) {
                    throw new CloudError("400 InvalidVolume", `Invalid volume: Volume ${object.name} status must be available or error, but is in-use.`, SOURCES.volumeInUse);
                }
                break;
            case "server":
                // Nova detaches volumes and unbinds (but keeps) a port it did not create.
                for (const attachment of this.live("volumeAttachment").filter((candidate) => candidate.attrs.server === object.id)) {
                    this.remove(attachment.id);
                }
                break;
            case "port":
                for (const fip of this.live("floatingIp").filter((candidate) => candidate.attrs.port === object.id)) {
                    fip.attrs.port = undefined;
                }
                break;
            case "loadBalancer":
                this.delete(this.get(String(object.attrs.vipPort)) ?? object);
                break;
            default:
                break;
        }
        this.remove(object.id);
    }

    private associate(fip: CloudObject, portReference: unknown): void {
        const port = this.resolve(portReference, "port", fip.name);
        const holder = this.live("floatingIp").find((other) => other.id !== fip.id && other.attrs.port === port.id);
        if (holder) {
            throw new CloudError(
                "409 FloatingIPPortAlreadyAssociated",
                `Cannot associate floating IP ${String(fip.attrs.address)} with port ${port.id} using fixed IP ${String(port.attrs.address)}, as that fixed IP already has a floating IP on external network (${String(holder.attrs.address)}).`,
                SOURCES.floatingIpPort,
            );
        }
        if (!this.live("routerInterface").some((ri) => ri.attrs.subnet === port.attrs.subnet)) {
            throw new CloudError("404 ExternalGatewayForFloatingIPNotFound", `External network is not reachable from subnet ${String(port.attrs.subnet)}.`, SOURCES.floatingIpRoute);
        }
        fip.attrs.port = port.id;
    }

    private checkAllowedCidrs(lb: CloudObject, allowed: unknown): void {
        const vipFamily = String(lb.attrs.vipAddress).includes(":") ? 6 : 4;
        for (const cidr of (allowed as string[] | undefined) ?? []) {
            if (parseCidr(cidr)?.family !== vipFamily) {
                throw new CloudError(
                    "400 ValidationException",
                    `Validation failure: CIDR ${cidr} IP version incompatible with VIP ${String(lb.attrs.vipAddress)} IP version.`,
                    SOURCES.listenerCidrFamily,
                );
            }
        }
    }
}

export { cidrContains };
