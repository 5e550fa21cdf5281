import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** The one Kubernetes provider of a stack: every Kubernetes resource of the program goes through it. */
export function clusterProvider(name: string, kubeconfig: pulumi.Output<string>, parent?: pulumi.Resource): k8s.Provider {
    return new k8s.Provider(
        name,
        {
            kubeconfig,
            // A resource that disappeared with the cluster must not block `pulumi destroy` forever.
            deleteUnreachable: true,
        },
        { parent },
    );
}
