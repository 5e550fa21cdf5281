import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { sshConnection } from "./connection";
import { type PlaybookInputs, clusterWideKey, joinLimit, workerKey } from "./playbook-scope";

export interface PlaybookRunArgs {
    /** Public address of the bastion, where Ansible runs. */
    bastionAddress: pulumi.Input<string>;
    /** The bastion's SSH host public key, which every connection to it verifies. */
    bastionHostKey: pulumi.Input<string>;
    /** The known_hosts file Ansible verifies the nodes with (`renderKnownHosts`), written to `bastionKnownHostsPath`. */
    knownHosts: pulumi.Input<string>;
    /** The image's default user on every server. */
    sshUser: string;
    /** The deploy private key (a secret): Pulumi reaches the bastion with it, Ansible the nodes. */
    privateKey: pulumi.Output<string>;
    /** The inventory text, from `renderInventory`. */
    inventory: pulumi.Input<string>;
    /** The staged `playbooks` folder to ship (`stageRelease`), relative to the project root. */
    playbookFolder: string;
    /** `folderHash` of the files in it. */
    playbookHash: string;
    /** The bastion's component: the run starts once its server exists. */
    bastion: pulumi.Resource;
    /** The bastion's Nova ID: a new bastion (`up --replace`) needs the key, the playbooks and the inventory again. */
    bastionId: pulumi.Input<string>;
    /**
     * Every server (bastion and nodes) with its Nova ID and host key: a replaced server is a bare machine at the same
     * address, which only a new Ansible run turns back into a node. Each run depends on the servers it covers only,
     * so a replaced worker is not an unknown in the cluster-wide run's trigger.
     */
    servers: readonly { name: string; instanceId: pulumi.Input<string>; hostPublicKey: pulumi.Input<string> }[];
    /** The workers' names, from the stack config: each gets its own join command (`playbook-scope.ts`). */
    workers: readonly string[];
    /** What must exist before Ansible runs: the node pools and the API endpoint. */
    waitFor: pulumi.Resource[];
    /** The security groups and the bastion's address every connection needs, created before and deleted after each command. */
    sshPath: pulumi.Resource[];
}

/** Where the bastion keeps the key that opens every node. */
export const BASTION_KEY_PATH = "~/.ssh/fsgs-deploy";

/** The folder on the bastion that holds the inventory, the known_hosts file and the playbook releases. */
export function bastionWorkdir(sshUser: string): string {
    return `/home/${sshUser}/fsgs-ansible`;
}

/** Where Ansible on the bastion finds the nodes' pinned host keys. */
export function bastionKnownHostsPath(sshUser: string): string {
    return `${bastionWorkdir(sshUser)}/known_hosts`;
}

/**
 * Writes the deploy key read on stdin to `BASTION_KEY_PATH`, as OpenSSH reads it. `pulumi config set --secret
 * deployPrivateKey < key` strips the key's final newline, and OpenSSH then refuses the file ("error in
 * libcrypto": OpenSSH 9.x hands PEM-armoured keys to libcrypto, whose PEM reader needs the newline after the
 * END line); a key pasted from Windows brings CRs. So: CRs dropped, trailing blank lines dropped, exactly
 * one newline after the last line (awk ends every record it prints with ORS, also an unterminated last one).
 * Written to a temporary file and renamed, so a failed write never leaves half a key.
 */
export function deployKeyScript(path: string = BASTION_KEY_PATH): string {
    return [
        "set -eu",
        "umask 077",
        "install -d -m 0700 ~/.ssh",
        `awk '{ sub(/\r$/, "") } /^$/ { blank++; next } { while (blank > 0) { print ""; blank-- } print }' > ${path}.new`,
        `mv -f ${path}.new ${path}`,
    ].join("\n");
}

/**
 * Waits for cloud-init on the bastion and checks that it installed Ansible. Each step must stop the script:
 * without `set -e` only the last line's status counted, so a failed cloud-init or a missing ansible-playbook
 * passed and the failure surfaced later, as a confusing playbook error. `cloud-init status --wait` exits 0 when
 * done, 1 on a fatal error and 2 when done with recoverable errors (cloud-init 23.4+ "Return codes" in its CLI
 * docs), which still leaves a usable server.
 */
export function bastionReadyScript(release: string): string {
    return [
        "set -eu",
        "status=0",
        "cloud-init status --wait >/dev/null || status=$?",
        'if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then echo "cloud-init failed on the bastion (status $status): cloud-init status --long" >&2; exit 1; fi',
        'command -v ansible-playbook >/dev/null || { echo "ansible-playbook is not installed on the bastion" >&2; exit 1; }',
        `mkdir -p ${release}`,
    ].join("\n");
}

/** Where the bastion records what the runs converged, relative to the workdir. */
const WORKER_KEYS = "worker-keys.txt";
const CONVERGED_WORKERS = "converged-workers.txt";
const JOIN_LOCK = "ansible-join.lock";

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** One `<worker>=<workerKey>` line per worker: what a cluster-wide run converges, recorded when it succeeds. */
export function workerKeysText(inputs: PlaybookInputs, workers: readonly string[]): string {
    return workers.map((worker) => `${worker}=${workerKey(inputs, worker)}\n`).join("");
}

const ansibleEnv = "ANSIBLE_CONFIG=playbooks/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0";

/**
 * The cluster-wide playbook command, one line per step so a failure names its step. Once every role ran on every
 * host, it records the workers it converged (their keys), which the join commands read.
 */
export function playbookCommand(release: string): string {
    return [
        "set -eu",
        `cd "${release}"`,
        // No colour codes in the Pulumi log; the recap is what a failed `up` shows.
        // playbooks/ansible.cfg sets the forks: from this directory Ansible would not find it by itself.
        `${ansibleEnv} ansible-playbook -i ../../inventory.yml playbooks/site.yml`,
        `cp ../../${WORKER_KEYS} ../../${CONVERGED_WORKERS}`,
    ].join("\n");
}

/**
 * The join command of one worker: site.yml limited to the worker and the control plane that makes its token
 * (`joinLimit`), unless the cluster-wide run of this `up` (or an earlier one) already converged this very worker.
 * One join at a time (a lock on the bastion): each run also goes through the control plane's roles.
 */
export function joinCommand(workdir: string, worker: string, key: string, limit: readonly string[]): string {
    const line = shellQuote(`${worker}=${key}`);
    return [
        "set -eu",
        `cd ${shellQuote(workdir)}`,
        `exec 9>>${JOIN_LOCK}`,
        "flock 9",
        `if grep -qxF ${line} ${CONVERGED_WORKERS} 2>/dev/null; then echo ${shellQuote(`${worker}: converged by the cluster-wide run`)}; exit 0; fi`,
        // The newest release, as the removal commands take it: naming this up's release would put the playbooks'
        // hash in the command, and every join would run again with each new release.
        `cd "$(ls -td releases/*/ | head -n 1)"`,
        `${ansibleEnv} ansible-playbook -i ../../inventory.yml playbooks/site.yml --limit ${shellQuote(limit.join(","))}`,
        `echo ${line} >> ../../${CONVERGED_WORKERS}`,
    ].join("\n");
}

/**
 * Runs the site playbook on the bastion once cloud-init has installed Ansible there. The run depends on the
 * playbooks, the inventory and the servers' identities, so it runs again exactly when one of them changes.
 */
export class PlaybookRun extends pulumi.ComponentResource {
    /** Hash of everything Ansible reads: it changes exactly when a run is needed. */
    public readonly triggerHash: pulumi.Output<string>;

    constructor(name: string, args: PlaybookRunArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:ansible:PlaybookRun", name, {}, opts);
        const connection = sshConnection({
            host: args.bastionAddress,
            user: args.sshUser,
            privateKey: args.privateKey,
            hostKey: args.bastionHostKey,
        });
        const workdir = bastionWorkdir(args.sshUser);
        // A folder per playbook version: a role deleted from the repository cannot linger on the bastion.
        const release = `${workdir}/releases/${args.playbookHash.slice(0, 16)}`;

        const ready = new command.remote.Command(
            `${name}-bastion-ready`,
            {
                connection,
                create: bastionReadyScript(release),
                triggers: [args.bastionId],
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [args.bastion, ...args.sshPath] },
        );
        const key = new command.remote.Command(
            `${name}-deploy-key`,
            {
                connection,
                create: deployKeyScript(),
                delete: `rm -f ${BASTION_KEY_PATH}`,
                stdin: args.privateKey,
                triggers: [args.bastionId],
                logging: "none",
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [ready, ...args.sshPath] },
        );
        const playbooks = new command.remote.CopyToRemote(
            `${name}-playbooks`,
            {
                connection,
                source: new pulumi.asset.FileArchive(args.playbookFolder),
                remotePath: release,
                triggers: [args.bastionId],
            },
            { parent: this, dependsOn: [ready, ...args.sshPath] },
        );
        const inventory = new command.remote.CopyToRemote(
            `${name}-inventory`,
            {
                connection,
                source: pulumi.output(args.inventory).apply((text) => new pulumi.asset.StringAsset(text)),
                remotePath: `${workdir}/inventory.yml`,
                triggers: [args.bastionId],
            },
            { parent: this, dependsOn: [ready, ...args.sshPath] },
        );

        const knownHosts = new command.remote.CopyToRemote(
            `${name}-known-hosts`,
            {
                connection,
                source: pulumi.output(args.knownHosts).apply((text) => new pulumi.asset.StringAsset(text)),
                remotePath: bastionKnownHostsPath(args.sshUser),
                triggers: [args.bastionId],
            },
            { parent: this, dependsOn: [ready, ...args.sshPath] },
        );

        // The program's inputs restricted to some servers: each trigger below depends on its own servers alone.
        const workerNames = new Set(args.workers);
        const inputsFor = (covers: (server: string) => boolean): pulumi.Output<PlaybookInputs> => {
            const servers = args.servers.filter((server) => covers(server.name));
            return pulumi
                .all([args.inventory, pulumi.all(servers.map((server) => server.instanceId)), pulumi.all(servers.map((server) => server.hostPublicKey))])
                .apply(([inventory, ids, keys]) => ({
                    playbookHash: args.playbookHash,
                    inventory,
                    serverIds: Object.fromEntries(servers.map((server, index) => [server.name, ids[index]])),
                    hostKeys: Object.fromEntries(servers.map((server, index) => [server.name, keys[index]])),
                }));
        };
        const inputs = inputsFor((server) => workerNames.has(server));
        const workerKeys = new command.remote.CopyToRemote(
            `${name}-worker-keys`,
            {
                connection,
                source: inputs.apply((current) => new pulumi.asset.StringAsset(workerKeysText(current, args.workers))),
                remotePath: `${workdir}/${WORKER_KEYS}`,
                triggers: [args.bastionId],
            },
            { parent: this, dependsOn: [ready, ...args.sshPath] },
        );

        // Only what needs every host: a worker added, removed or replaced leaves it unchanged (playbook-scope.ts).
        this.triggerHash = inputsFor((server) => !workerNames.has(server)).apply(clusterWideKey);
        const run = new command.remote.Command(
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
                dependsOn: [key, playbooks, inventory, knownHosts, workerKeys, ...args.waitFor, ...args.sshPath],
                // Forming a cluster pulls images and waits for nodes: well past the provider's default.
                customTimeouts: { create: "60m", update: "60m" },
            },
        );

        // A command per worker, keyed on that worker alone: a new or rebuilt worker runs Ansible on itself and one
        // control plane, not every role on every host.
        for (const worker of args.workers) {
            const own = inputsFor((server) => server === worker);
            const workerTrigger = own.apply((current) => workerKey(current, worker));
            new command.remote.Command(
                `${name}-join-${worker}`,
                {
                    connection,
                    create: own.apply((current) => joinCommand(workdir, worker, workerKey(current, worker), joinLimit(current.inventory, worker))),
                    triggers: [workerTrigger],
                    addPreviousOutputInEnv: false,
                    logging: "stdoutAndStderr",
                },
                {
                    parent: this,
                    dependsOn: [run, key, playbooks, inventory, knownHosts, workerKeys, ...args.waitFor, ...args.sshPath],
                    customTimeouts: { create: "60m", update: "60m" },
                },
            );
        }

        this.registerOutputs({ triggerHash: this.triggerHash });
    }
}
