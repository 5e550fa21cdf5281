import { stringify } from "yaml";

export interface UserDataInput {
    /** Host name the server takes at first boot. */
    hostname: string;
    /** The image's default user, who receives the keys. */
    sshUser: string;
    /** Operators' OpenSSH public keys. */
    sshPublicKeys: readonly string[];
    /** Distribution packages to install at first boot (the bastion's Ansible). */
    packages?: readonly string[];
}

/**
 * The cloud-init document every server boots with. It only makes the server reachable and safe to reach;
 * everything else is Ansible's job, so that a change here (ignored on existing servers) is rarely needed.
 */
export function renderUserData(input: UserDataInput): string {
    const document = {
        hostname: input.hostname,
        // Keeps /etc/hosts in line with the name so kubeadm's preflight resolves the node.
        manage_etc_hosts: true,
        ssh_pwauth: false,
        disable_root: true,
        users: [
            "default",
        ],
        ssh_authorized_keys: [...input.sshPublicKeys],
        // Nodes keep the OS as shipped until Ansible runs; upgrades happen there, in a controlled run.
        package_update: (input.packages ?? []).length > 0,
        package_upgrade: false,
        ...((input.packages ?? []).length > 0 ? { packages: [...(input.packages ?? [])] } : {}),
    };
    return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}
