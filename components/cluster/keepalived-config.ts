export interface KeepalivedInput {
    /** This control plane's name: keepalived's router_id. */
    hostName: string;
    /** The interface on the node subnet; only the node knows it, so the inventory passes an Ansible fact. */
    interfaceName: string;
    /** This node's address: the source of its unicast VRRP adverts. */
    address: string;
    /** The other control planes, which receive the adverts. */
    peers: readonly string[];
    /** Higher wins the VIP; the first control plane gets the highest. */
    priority: number;
    /** The VIP and the prefix length of the node subnet. */
    vip: string;
    prefixLength: number;
    /** The health script: the api_vip role's, unless a test sets its own. */
    checkScript?: string;
}

/** The health script the api_vip role installs; keepalived lowers the node's priority while it fails. */
export const KEEPALIVED_CHECK_SCRIPT = "/etc/keepalived/check_apiserver.sh";
/**
 * Root, with enable_script_security: keepalived 2.2.7 (Debian 12) kills its own --config-test when a script
 * runs as another user (fixed in 2.2.8), and the role validates every config with it. The script is a
 * root-owned curl to 127.0.0.1 that no one else can change; see playbooks/roles/api_vip/README.md.
 */
export const KEEPALIVED_SCRIPT_USER = "root";
// One VRRP group on the node subnet, which nothing else of ours shares.
const VIRTUAL_ROUTER_ID = 51;
// Larger than the spread of priorities, so a node whose API server fails always yields the VIP.
const FAILED_CHECK_PENALTY = 50;

/**
 * keepalived for one control plane: a VRRP instance holding the API VIP, unicast because OpenStack tenant
 * networks do not reliably carry multicast, tracking the local API server's health.
 */
export function renderKeepalivedConfig(input: KeepalivedInput): string {
    const lines = [
        "# Rendered by the svom-fsgs Pulumi program (components/cluster/keepalived-config.ts); do not edit.",
        "global_defs {",
        `    router_id ${input.hostName}`,
        "    enable_script_security",
        `    script_user ${KEEPALIVED_SCRIPT_USER}`,
        "}",
        "",
        "vrrp_script check_apiserver {",
        `    script "${input.checkScript ?? KEEPALIVED_CHECK_SCRIPT}"`,
        "    interval 3",
        "    timeout 5",
        "    fall 3",
        "    rise 2",
        `    weight -${FAILED_CHECK_PENALTY}`,
        "}",
        "",
        "vrrp_instance kube_apiserver {",
        "    state BACKUP",
        `    interface ${input.interfaceName}`,
        `    virtual_router_id ${VIRTUAL_ROUTER_ID}`,
        `    priority ${input.priority}`,
        "    advert_int 1",
        ...unicastLines(input),
        "    virtual_ipaddress {",
        `        ${input.vip}/${input.prefixLength}`,
        "    }",
        "    track_script {",
        "        check_apiserver",
        "    }",
        "}",
        "",
    ];
    return lines.join("\n");
}

/**
 * Unicast adverts to the other control planes. A lone control plane has no one to advertise to, and keepalived
 * (2.2.7, Debian 12) fails --config-test on unicast keywords without peers ("A unicast keyword has been
 * specified without any unicast peers"): it then holds the VIP alone, with the default multicast adverts that
 * no other keepalived hears.
 */
function unicastLines(input: KeepalivedInput): string[] {
    if (input.peers.length === 0) {
        return [];
    }
    return [`    unicast_src_ip ${input.address}`, "    unicast_peer {", ...input.peers.map((peer) => `        ${peer}`), "    }"];
}

/** Priority of the n-th control plane: 150, 149, ... so the election is deterministic. */
export function keepalivedPriority(index: number): number {
    return 150 - index;
}
