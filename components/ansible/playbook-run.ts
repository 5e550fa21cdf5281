import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { contentHash } from "./content-hash";

export interface PlaybookRunArgs {
    /** Public address of the bastion, where Ansible runs. */
    bastionAddress: pulumi.Input<string>;
    /** The image's default user on every server. */
    sshUser: string;
    /** The deploy private key (a secret): Pulumi reaches the bastion with it, Ansible the nodes. */
    privateKey: pulumi.Output<string>;
    /** The inventory text, from `renderInventory`. */
    inventory: pulumi.Input<string>;
    /** The playbooks folder, relative to the project root. */
    playbookFolder: string;
    /** `folderHash` of that folder. */
    playbookHash: string;
    /** The bastion's component: the run starts once its server exists. */
    bastion: pulumi.Resource;
    /** What must exist before Ansible runs: the node pools and the API endpoint. */
    waitFor: pulumi.Resource[];
}

/** Where the bastion keeps the key that opens every node. */
export const BASTION_KEY_PATH = "~/.ssh/fsgs-deploy";

/** The playbook command, one line per step so a failure names its step. */
export function playbookCommand(release: string): string {
    return [
        "set -eu",
        `cd "${release}"`,
        // No colour codes in the Pulumi log; the recap is what a failed `up` shows.
        // playbooks/ansible.cfg sets the forks: from this directory Ansible would not find it by itself.
        "ANSIBLE_CONFIG=playbooks/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ansible-playbook -i ../../inventory.yml playbooks/site.yml",
    ].join("\n");
}

/**
 * Runs the site playbook on the bastion once cloud-init has installed Ansible there. The run's inputs depend
 * only on the playbooks and the inventory, so it runs again exactly when one of them changes.
 */
export class PlaybookRun extends pulumi.ComponentResource {
    /** Hash of everything Ansible reads: it changes exactly when a run is needed. */
    public readonly triggerHash: pulumi.Output<string>;

    constructor(name: string, args: PlaybookRunArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:ansible:PlaybookRun", name, {}, opts);
        const connection = { host: args.bastionAddress, user: args.sshUser, privateKey: args.privateKey };
        const workdir = `/home/${args.sshUser}/fsgs-ansible`;
        // A folder per playbook version: a role deleted from the repository cannot linger on the bastion.
        const release = `${workdir}/releases/${args.playbookHash.slice(0, 16)}`;

        const ready = new command.remote.Command(
            `${name}-bastion-ready`,
            {
                connection,
                // Exit status 2 is cloud-init's "done, with recoverable warnings".
                create: `cloud-init status --wait >/dev/null || test $? -eq 2\ncommand -v ansible-playbook >/dev/null\nmkdir -p ${release}`,
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [args.bastion] },
        );
        const key = new command.remote.Command(
            `${name}-deploy-key`,
            {
                connection,
                create: `install -d -m 0700 ~/.ssh\n(umask 077 && cat > ${BASTION_KEY_PATH})`,
                delete: `rm -f ${BASTION_KEY_PATH}`,
                stdin: args.privateKey,
                logging: "none",
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [ready] },
        );
        const playbooks = new command.remote.CopyToRemote(
            `${name}-playbooks`,
            { connection, source: new pulumi.asset.FileArchive(args.playbookFolder), remotePath: release },
            { parent: this, dependsOn: [ready] },
        );
        const inventory = new command.remote.CopyToRemote(
            `${name}-inventory`,
            {
                connection,
                source: pulumi.output(args.inventory).apply((text) => new pulumi.asset.StringAsset(text)),
                remotePath: `${workdir}/inventory.yml`,
            },
            { parent: this, dependsOn: [ready] },
        );

        this.triggerHash = pulumi
            .output(args.inventory)
            .apply((text) => contentHash({ playbooks: args.playbookHash, inventory: text }));
        new command.remote.Command(
            `${name}-run`,
            {
                connection,
                create: playbookCommand(release),
                triggers: [this.triggerHash],
                addPreviousOutputInEnv: false,
                logging: "stdoutAndStderr",
            },
            {
                parent: this,
                dependsOn: [key, playbooks, inventory, ...args.waitFor],
                // Forming a cluster pulls images and waits for nodes: well past the provider's default.
                customTimeouts: { create: "60m", update: "60m" },
            },
        );

        this.registerOutputs({ triggerHash: this.triggerHash });
    }
}
