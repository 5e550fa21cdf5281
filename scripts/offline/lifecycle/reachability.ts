import { cidrsOverlap, parseCidr } from "../../../components/config/cidr";
import type { CloudObject, FakeOpenStack } from "./fake-openstack";
/** A line of a server's ~/.ssh/authorized_keys, by key fingerprint; `marked`: written by the authorized-keys command. */
export interface AuthorizedKey {
    fingerprint: string;
    marked: boolean;
}

/** The deploy keys a server accepts (set at creation by `FakeOpenStack.create`). */
export function authorizedKeysOf(server: CloudObject): AuthorizedKey[] {
    return (server.attrs.authorizedKeys as AuthorizedKey[] | undefined) ?? [];
}

/** Whether an address falls in a CIDR block (both of one family). */
export function cidrContains(cidr: string, address: string): boolean {
    const block = parseCidr(cidr);
    const host = parseCidr(`${address}/${address.includes(":") ? 128 : 32}`);
    return block !== undefined && host !== undefined && cidrsOverlap(block, host) && host.prefix >= block.prefix;
}

/**
 * A port's security groups admit `protocol` (TCP unless said) on `port` from `source` (an address) or from members
 * of one of `groups`. A rule without protocol matches every protocol; a rule's ethertype must be the address's family
 * (Neutron API reference, "Security group rules": ethertype IPv4 or IPv6, remote_ip_prefix of that family).
 */
export function admits(
    cloud: FakeOpenStack,
    target: CloudObject,
    port: number,
    source: { address?: string; groups?: readonly string[] },
    protocol: "tcp" | "udp" = "tcp",
): boolean {
    const groups = (target.attrs.securityGroups as string[] | undefined) ?? [];
    const family = source.address?.includes(":") ? "IPv6" : "IPv4";
    return cloud.live("secGroupRule").some((rule) => {
        const a = rule.attrs;
        if (!groups.includes(String(a.securityGroup)) || a.direction !== "ingress") {
            return false;
        }
        if (source.address !== undefined && typeof a.ethertype === "string" && a.ethertype !== family) {
            return false;
        }
        const protocolOk = a.protocol === protocol || a.protocol === undefined || a.protocol === null;
        const min = a.portRangeMin as number | undefined;
        const max = a.portRangeMax as number | undefined;
        const portOk = min === undefined || (port >= min && port <= (max ?? min));
        const remoteOk =
            (typeof a.remoteIpPrefix === "string" && source.address !== undefined && cidrContains(a.remoteIpPrefix, source.address)) ||
            (typeof a.remoteGroup === "string" && (source.groups ?? []).includes(a.remoteGroup)) ||
            (a.remoteIpPrefix === undefined && a.remoteGroup === undefined);
        return protocolOk && portOk && remoteOk;
    });
}

/** The live server bound to a port, if any. */
function serverOn(cloud: FakeOpenStack, port: CloudObject): CloudObject | undefined {
    return cloud.live("server").find((server) => server.attrs.port === port.id);
}

/**
 * Why an SSH connection from the runner to `host` (optionally through `proxyHost`) cannot open, or undefined
 * when it can. A public address must be a floating IP associated with a port of a live server whose groups
 * admit port 22 from the runner; the second hop of a ProxyJump starts at the bastion, so the node's groups
 * must admit the bastion's group or address.
 */
export function sshProblem(cloud: FakeOpenStack, runner: string, host: string, proxyHost?: string): string | undefined {
    const firstHop = proxyHost ?? host;
    const floatingIp = cloud.live("floatingIp").find((fip) => fip.attrs.address === firstHop && fip.attrs.port !== undefined);
    if (!floatingIp) {
        return `ssh: connect to host ${firstHop} port 22: No route to host (no floating IP ${firstHop} is associated with a port)`;
    }
    const bastionPort = cloud.get(String(floatingIp.attrs.port));
    const bastion = bastionPort && serverOn(cloud, bastionPort);
    if (!bastionPort || !bastion) {
        return `ssh: connect to host ${firstHop} port 22: No route to host (floating IP ${firstHop} is on a port no server uses)`;
    }
    if (!admits(cloud, bastionPort, 22, { address: runner })) {
        return `ssh: connect to host ${firstHop} port 22: Connection timed out (no rule of ${bastion.name}'s security groups admits ${runner})`;
    }
    if (proxyHost === undefined) {
        return undefined;
    }
    const nodePort = cloud.live("port").find((port) => port.attrs.address === host);
    const node = nodePort && serverOn(cloud, nodePort);
    if (!nodePort || !node) {
        return `ssh: connect to host ${host} port 22 (via ${proxyHost}): No route to host (no server has address ${host})`;
    }
    const bastionGroups = (bastionPort.attrs.securityGroups as string[] | undefined) ?? [];
    if (!admits(cloud, nodePort, 22, { address: String(bastionPort.attrs.address), groups: bastionGroups })) {
        return `ssh: connect to host ${host} port 22 (via ${proxyHost}): Connection timed out (no rule of ${node.name}'s groups admits the bastion)`;
    }
    return undefined;
}

/**
 * Why the runner cannot reach the Kubernetes API, or undefined. Octavia: a load balancer with a floating IP on
 * its VIP port, a listener on `port` whose allowed CIDRs admit the runner, and a member at a live control-plane
 * server. VIP mode: a floating IP on the VIP port and a live control-plane server holding the VIP (allowed
 * address pair) whose groups admit `port` from the runner.
 */
export function apiProblem(cloud: FakeOpenStack, runner: string, port: number): string | undefined {
    const controlPlanes = cloud.live("server").filter((server) => server.attrs.role === "control-plane");
    const controlPlaneAddresses = controlPlanes.map((server) => cloud.get(String(server.attrs.port))?.attrs.address);
    if (controlPlanes.length === 0) {
        return "Kubernetes API unreachable: no control-plane server is left";
    }
    const pulumiLoadBalancers = cloud.live("loadBalancer").filter((lb) => lb.owner !== "cloud-controller-manager");
    for (const lb of pulumiLoadBalancers) {
        const fip = cloud.live("floatingIp").find((candidate) => candidate.attrs.port === lb.attrs.vipPort);
        const listener = cloud
            .live("listener")
            .find((candidate) => candidate.attrs.loadBalancer === lb.id && candidate.attrs.protocolPort === port);
        const allowed = (listener?.attrs.allowedCidrs as string[] | undefined) ?? [];
        const admitted = allowed.length === 0 || allowed.some((cidr) => cidrContains(cidr, runner));
        const pools = cloud.live("pool").filter((pool) => pool.attrs.listener === listener?.id);
        const members = cloud.live("member").filter((member) => pools.some((pool) => pool.id === member.attrs.pool));
        const served = members.some((member) => controlPlaneAddresses.includes(String(member.attrs.address)));
        if (fip && listener && admitted && served) {
            return undefined;
        }
        return `Kubernetes API unreachable through ${lb.name}: ${
            !fip ? "no floating IP on its VIP" : !listener ? `no listener on ${port}` : !admitted ? `listener does not admit ${runner}` : "no member at a live control plane"
        }`;
    }
    const vipPorts = cloud.live("port").filter((candidate) => candidate.attrs.vip === true);
    for (const vip of vipPorts) {
        const fip = cloud.live("floatingIp").find((candidate) => candidate.attrs.port === vip.id);
        const holders = controlPlanes
            .map((server) => cloud.get(String(server.attrs.port)))
            .filter((holder): holder is CloudObject => holder !== undefined)
            .filter((holder) => ((holder.attrs.allowedAddresses as string[] | undefined) ?? []).includes(String(vip.attrs.address)));
        const admitted = holders.some((holder) => admits(cloud, holder, port, { address: runner }));
        if (fip && admitted) {
            return undefined;
        }
        return `Kubernetes API unreachable through ${vip.name}: ${
            !fip ? "no floating IP on the VIP" : holders.length === 0 ? "no control plane holds the VIP" : `no rule admits ${runner} on ${port}`
        }`;
    }
    return "Kubernetes API unreachable: no API endpoint exists";
}

/** The server an SSH hop lands on: behind a floating IP, or at a private address. */
export function serverAt(cloud: FakeOpenStack, address: string): CloudObject | undefined {
    const floatingIp = cloud.live("floatingIp").find((fip) => fip.attrs.address === address && fip.attrs.port !== undefined);
    const port = floatingIp ? cloud.get(String(floatingIp.attrs.port)) : cloud.live("port").find((candidate) => candidate.attrs.address === address);
    return port && serverOn(cloud, port);
}

/** The key each hop of a connection presents (fingerprints), and the user it logs in as. */
export interface PresentedKeys {
    user?: string;
    key?: string;
    proxyKey?: string;
}

/**
 * Why the server at one hop refuses the key presented to it, or undefined. sshd accepts a public key only if it is
 * in the user's authorized_keys (OpenSSH sshd(8), AUTHORIZED_KEYS FILE FORMAT); the client then has no method left.
 * pulumi-command's client (golang.org/x/crypto/ssh client_auth.go) reports "ssh: unable to authenticate, attempted
 * methods [none publickey], no supported methods remain"; OpenSSH's ssh(1) "user@host: Permission denied (publickey).".
 * A ProxyJump authenticates to the bastion first, then to the node through it. A hop whose key the render could
 * not read is not judged.
 */
export function keyProblem(cloud: FakeOpenStack, host: string, proxyHost: string | undefined, keys: PresentedKeys): string | undefined {
    const hops: [string, string | undefined][] = proxyHost === undefined ? [[host, keys.key]] : [[proxyHost, keys.proxyKey], [host, keys.key]];
    for (const [address, fingerprint] of hops) {
        const server = serverAt(cloud, address);
        if (!server || fingerprint === undefined || authorizedKeysOf(server).some((line) => line.fingerprint === fingerprint)) {
            continue;
        }
        const via = address === host && proxyHost !== undefined ? ` (via ${proxyHost})` : "";
        return `ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain: ${keys.user ?? "?"}@${address}${via}: Permission denied (publickey): ${server.name} does not accept the key ${fingerprint}`;
    }
    return undefined;
}

/**
 * What the "authorized deploy keys" command does to a server's authorized_keys (components/ansible/authorized-keys.ts,
 * run for real in tests/authorized-keys.test.ts): the lines it marked before and the lines of the keys it writes
 * go; each key it writes is added once, marked; every other line stays.
 */
export function writeDeployKeys(server: CloudObject, fingerprints: readonly string[]): void {
    const kept = authorizedKeysOf(server).filter((line) => !line.marked && !fingerprints.includes(line.fingerprint));
    server.attrs.authorizedKeys = [...kept, ...[...new Set(fingerprints)].map((fingerprint) => ({ fingerprint, marked: true }))];
}

/**
 * Why a client outside the cloud cannot reach the workers' NodePort `port` over `protocol`, or undefined when every
 * live worker admits it. In vip mode nothing of the program's stands between the client and the workers: what
 * forwards to them (a site router, a relay) must keep the client's address, which externalTrafficPolicy Local relies
 * on, so the workers' own security groups decide. Which worker runs a pod is the scheduler's: any may have to answer.
 */
export function nodePortProblem(cloud: FakeOpenStack, client: string, port: number, protocol: "tcp" | "udp"): string | undefined {
    const workers = cloud
        .live("server")
        .filter((server) => server.attrs.role === "worker")
        .map((server) => ({ server, port: cloud.get(String(server.attrs.port)) }))
        .filter((entry): entry is { server: CloudObject; port: CloudObject } => entry.port !== undefined);
    if (workers.length === 0) {
        return `${protocol.toUpperCase()} ${port} unreachable: no worker server is left`;
    }
    const refusing = workers.filter((worker) => !admits(cloud, worker.port, port, { address: client }, protocol)).map((worker) => worker.server.name);
    return refusing.length === 0 ? undefined : `${protocol.toUpperCase()} ${port} from ${client} dropped: no rule of ${refusing.join(", ")}'s security groups admits it`;
}
