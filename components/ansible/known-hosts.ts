/** A server as OpenSSH's known_hosts names it: the names and addresses it is reached by, and its host key. */
export interface KnownHost {
    /** Host names and addresses, as the client is given them (Ansible's `ansible_host` is the address). */
    names: readonly string[];
    /** OpenSSH public key, `<type> <base64> [comment]`. */
    publicKey: string;
}

/**
 * A known_hosts file (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT": comma-separated names, key type, base64 key) for
 * `StrictHostKeyChecking=yes`: a host that presents any other key is refused, a host that is not listed too.
 */
export function renderKnownHosts(hosts: readonly KnownHost[]): string {
    return hosts
        .map((host) => {
            const [type, key] = host.publicKey.trim().split(/\s+/);
            if (!type || !key || host.names.length === 0 || host.names.some((name) => /[\s,]/.test(name) || name === "")) {
                throw new Error(`known_hosts: cannot list ${host.names.join(",")} with key "${host.publicKey}"`);
            }
            return `${host.names.join(",")} ${type} ${key}\n`;
        })
        .join("");
}
