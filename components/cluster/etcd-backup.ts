import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** Where the bastion keeps the S3 credentials; the etcd_backup role reads it on the bastion (Ansible's controller). */
export const ETCD_BACKUP_CREDENTIALS_FILE = "etcd-backup-credentials.json";

export interface EtcdBackupCredentialsArgs {
    /** Public address of the bastion. */
    bastionAddress: pulumi.Input<string>;
    sshUser: string;
    /** The deploy private key (a secret). */
    privateKey: pulumi.Output<string>;
    /** The S3 access key and secret key (secrets). */
    accessKey: pulumi.Output<string>;
    secretKey: pulumi.Output<string>;
    /** The bastion's server: the file is written once it exists. */
    bastion: pulumi.Resource;
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
                connection: { host: args.bastionAddress, user: args.sshUser, privateKey: args.privateKey },
                create: `install -d -m 0700 ${workdir}\n(umask 077 && cat > ${file})`,
                delete: `rm -f ${file}`,
                stdin: pulumi.secret(
                    pulumi.all([args.accessKey, args.secretKey]).apply(([accessKey, secretKey]) => JSON.stringify({ access_key: accessKey, secret_key: secretKey })),
                ),
                logging: "none",
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: [args.bastion] },
        );
        this.registerOutputs({});
    }
}
