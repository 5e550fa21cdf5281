/** A refusal of the (fake) cloud, worded as the real API words it, with the rule's upstream source. */
export class CloudError extends Error {
    constructor(
        /** The API's error name and HTTP status, e.g. `409 SecurityGroupRuleExists`. */
        public readonly code: string,
        message: string,
        public readonly source: string,
    ) {
        super(`${code}: ${message}`);
        this.name = "CloudError";
    }
}

export const SOURCES = {
    keypairExists: "Nova API: POST /os-keypairs returns 409 KeyPairExists (nova/exception.py) for a name taken in the project",
    portInUse: "Nova API: POST /servers with a port bound to another server returns 409 PortInUse (nova/exception.py)",
    ruleExists:
        "Neutron API: POST /security-group-rules returns 409 SecurityGroupRuleExists for a rule equal in direction, ethertype, protocol, ports and remote; the description is not compared (neutron/db/securitygroups_db.py _rule_to_key)",
    floatingIpPort:
        "Neutron API: a port holds one floating IP per fixed address, 409 FloatingIPPortAlreadyAssociated (neutron/db/l3_db.py)",
    floatingIpRoute:
        "Neutron API: 404 ExternalGatewayForFloatingIPNotFound when the port's subnet has no router interface to the external network (neutron/db/l3_db.py)",
    listenerCidrFamily:
        "Octavia API: 400 'CIDR ... IP version incompatible with VIP ... IP version' for an allowed_cidrs entry of the other family (octavia/api/v2/controllers/listener.py _validate_cidr_compatible_with_vip)",
    subnetInUse: "Neutron API: DELETE /subnets returns 409 SubnetInUse while ports have an address on it (neutron/db/db_base_plugin_v2.py)",
    networkInUse: "Neutron API: DELETE /networks returns 409 NetworkInUse while ports remain on it",
    routerInterfaceInUse:
        "Neutron API: removing a router interface returns 409 RouterInterfaceInUseByFloatingIP while floating IPs on the subnet need it (neutron/db/l3_db.py)",
    routerInUse: "Neutron API: DELETE /routers returns 409 RouterInUse while it has interfaces",
    securityGroupInUse: "Neutron API: DELETE /security-groups returns 409 SecurityGroupInUse while a port uses the group",
    volumeInUse: "Cinder API: DELETE /volumes returns 400 InvalidVolume while the volume is attached (status in-use)",
    volumeAttached: "Cinder/Nova API: attaching a volume that is in-use and not multiattach returns 400 InvalidVolume",
    ssh: "OpenSSH ssh(1): a connection needs a route to the address and the server's port 22 open to the client; ProxyJump opens the second hop from the bastion",
    sshKey:
        "OpenSSH sshd(8) AUTHORIZED_KEYS FILE FORMAT: a public key logs in only if listed in the user's authorized_keys; golang.org/x/crypto/ssh client_auth.go (pulumi-command's client): 'unable to authenticate, attempted methods [none publickey], no supported methods remain'",
    api: "Kubernetes API reached through the endpoint: load balancer or VIP with a floating IP, a listener or rule admitting the runner, a live API server",
    missing: "OpenStack APIs return 404 for a reference to an object that does not exist",
} as const;
