import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { SshConnection } from "../ansible/connection";

/** Where the bastion keeps the S3 credentials; the etcd_backup role reads it on the bastion (Ansible's controller). */
export const ETCD_BACKUP_CREDENTIALS_FILE = "etcd-backup-credentials.json";

export interface EtcdBackupCredentialsArgs {
    /** The connection to the bastion (host key pinned). */
    connection: SshConnection;
    sshUser: string;
    /** The S3 access key and secret key (secrets). */
    accessKey: pulumi.Output<string>;
    secretKey: pulumi.Output<string>;
    /** What the connection travels through (the bastion, its floating IP, the security-group rules): kept until the file is deleted. */
    sshPath: pulumi.Resource[];
}

/**
 * Puts the etcd backup's S3 credentials on the bastion, mode 0600, through the command's stdin: they never appear
 * in a command line, a log, the inventory or its hash. The Ansible run depends on it.
 */
export class EtcdBackupCredentials extends pulumi.ComponentResource {
    /** The command that wrote the file; the playbook run waits for it. */
    public readonly written: pulumi.Resource;

    constructor(name: string, args: EtcdBackupCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:cluster:EtcdBackupCredentials", name, {}, opts);
        const workdir = `/home/${args.sshUser}/fsgs-ansible`;
        const file = `${workdir}/${ETCD_BACKUP_CREDENTIALS_FILE}`;
        this.written = new command.remote.Command(
            `${name}-file`,
            {
                connection: args.connection,
                create: `install -d -m 0700 ${workdir}\n(umask 077 && cat > ${file})`,
                delete: `rm -f ${file}`,
                stdin: pulumi.secret(
                    pulumi.all([args.accessKey, args.secretKey]).apply(([accessKey, secretKey]) => JSON.stringify({ access_key: accessKey, secret_key: secretKey })),
                ),
                logging: "none",
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: args.sshPath },
        );
        this.registerOutputs({});
    }
}
