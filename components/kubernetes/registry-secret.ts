import * as pulumi from "@pulumi/pulumi";

export interface RegistryCredentials {
    /** e.g. gitlab-registry.in2p3.fr */
    server: string;
    /** A GitLab deploy token's user name. */
    username: string;
    /** The deploy token (read_registry); a Pulumi secret. */
    password: pulumi.Output<string>;
}

/** The `.dockerconfigjson` of an image pull Secret, kept a Pulumi secret from end to end. */
export function dockerConfigJson(credentials: RegistryCredentials): pulumi.Output<string> {
    return pulumi.secret(
        credentials.password.apply((password) =>
            JSON.stringify({
                auths: {
                    [credentials.server]: {
                        username: credentials.username,
                        password,
                        auth: Buffer.from(`${credentials.username}:${password}`).toString("base64"),
                    },
                },
            }),
        ),
    );
}
