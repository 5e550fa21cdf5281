import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { type SshConnection, sshConnection } from "./connection";

/** The comment that marks the deploy keys this program wrote, so a later run can take a retired one away. */
export const DEPLOY_KEY_MARK = "fsgs-deploy-key";

/**
 * The script that makes `~/.ssh/authorized_keys` accept exactly the deploy keys read on stdin (one OpenSSH public
 * key a line) beside whatever else is there (the operators' keys cloud-init installed). It drops every line it
 * marked before and every line holding one of the keys (the key Nova injected at boot, with its own comment or
 * options), then appends each key once, marked. Run twice with the same keys, it writes the same file. It refuses
 * an empty list, which would shut the program out. The new file replaces the old in one rename, so a failure never
 * leaves a half-written file: sshd reads authorized_keys at each login (OpenSSH sshd(8) AUTHORIZED_KEYS FILE FORMAT).
 */
export function authorizedKeysScript(): string {
    return [
        "set -eu",
        "umask 077",
        "install -d -m 0700 ~/.ssh",
        'keys="$(tr -d "\\r" | awk \'NF >= 2 { print $1 " " $2 }\')"',
        'if [ -z "$keys" ]; then echo "no deploy key to authorize: refusing to remove them all" >&2; exit 1; fi',
        "touch ~/.ssh/authorized_keys",
        // A line is dropped when marked, or when any of its fields is the base64 body of a key to authorize.
        `printf '%s\\n' "$keys" | awk -v mark=${DEPLOY_KEY_MARK} 'NR == FNR { wanted[$2] = 1; next } $NF == mark { next } { for (i = 1; i <= NF; i++) if ($i in wanted) next; print }' - ~/.ssh/authorized_keys > ~/.ssh/authorized_keys.new`,
        `printf '%s\\n' "$keys" | awk '!seen[$2]++ { print $1 " " $2 " ${DEPLOY_KEY_MARK}" }' >> ~/.ssh/authorized_keys.new`,
        "chmod 0600 ~/.ssh/authorized_keys.new",
        "mv -f ~/.ssh/authorized_keys.new ~/.ssh/authorized_keys",
    ].join("\n");
}

/** One server whose deploy keys the program keeps. */
export interface KeyHost {
    /** Server name: the command is named after it. */
    name: string;
    /** Address the connection dials: the bastion's public address, or a node's private address behind it. */
    address: pulumi.Input<string>;
    /** The server's pinned SSH host key. */
    hostKey: pulumi.Input<string>;
    /** Nova ID: a replaced server booted with the keypair alone, so the keys are written again. */
    serverId: pulumi.Input<string>;
}

export interface AuthorizedDeployKeysArgs {
    /** The bastion: reached directly, and the jump host of every node. */
    bastion: KeyHost;
    /** The nodes, reached through the bastion. */
    nodes: KeyHost[];
    /** The image's default user, whose authorized_keys the program's connections log in to. */
    sshUser: string;
    /** The key the commands log in with (a secret): the retiring key during a rotation, else the current one. */
    loginKey: pulumi.Output<string>;
    /** Every deploy public key the servers must accept after this `up`. */
    authorizedPublicKeys: pulumi.Input<string[]>;
    /** What the connections travel through (security groups, the bastion and its address). */
    sshPath: pulumi.Resource[];
}

/**
 * One "authorized deploy keys" command per server. Nova hands a server its keypair only at first boot (through the
 * metadata service or config drive, which cloud-init reads once per instance), so after a key rotation the
 * existing servers still accept only the old key; these commands log in with the key every server still accepts
 * and write the set of deploy keys, which is their trigger. Every other remote command on a server depends on
 * them (`ready`), so none logs in with a key the server does not accept yet.
 */
export class AuthorizedDeployKeys extends pulumi.ComponentResource {
    /** Every command: once all have run, every server accepts the current deploy key. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: AuthorizedDeployKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:ansible:AuthorizedDeployKeys", name, {}, opts);
        const login = { user: args.sshUser, privateKey: args.loginKey };
        const bastionHop: SshConnection = sshConnection({ ...login, host: args.bastion.address, hostKey: args.bastion.hostKey });
        const keysText = pulumi.output(args.authorizedPublicKeys).apply((keys) => keys.map((key) => `${key}\n`).join(""));
        const write = (host: KeyHost, connection: SshConnection & { proxy?: SshConnection }, dependsOn: pulumi.Resource[]) =>
            new command.remote.Command(
                `${name}-${host.name}`,
                {
                    connection,
                    create: authorizedKeysScript(),
                    stdin: keysText,
                    // pulumi-command replaces (and so runs `create` again) when a trigger changes (v1.2.1 common/inputs.go).
                    triggers: [keysText, host.serverId],
                    addPreviousOutputInEnv: false,
                },
                { parent: this, dependsOn },
            );
        const onBastion = write(args.bastion, bastionHop, args.sshPath);
        // The nodes are reached through the bastion, whose keys must be right first.
        const onNodes = args.nodes.map((node) =>
            write(node, { ...sshConnection({ ...login, host: node.address, hostKey: node.hostKey }), proxy: bastionHop }, [onBastion, ...args.sshPath]),
        );
        this.ready = [onBastion, ...onNodes];
        this.registerOutputs({});
    }
}
