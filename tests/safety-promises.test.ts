/**
 * Direct unit tests for README safety promises that were held only by whole-stack scenario renders. Each expected
 * value is written out from the README's text, not read from the code under test; docs/promises.md records the
 * deliberate break each one was seen to fail on.
 */
import * as pulumi from "@pulumi/pulumi";
import { isReadByAnsible } from "../components/ansible/release";
import { domainManifests } from "../components/kubernetes/domain-manifests";
import { clusterProvider } from "../components/kubernetes/provider";
import { VOLUME_IGNORED_CHANGES } from "../components/openstack/node-pool";
import { INSTANCE_IGNORED_CHANGES } from "../components/openstack/server";

describe("README, Data safety: instances", () => {
    it("ignore changes of image, user data, keypair, boot volume, zone and scheduler hints", () => {
        // README: "Instances ignore changes of image, user data, keypair, boot volume, zone and scheduler hints".
        // Property names of openstack.compute.Instance (@pulumi/openstack): image by ID and by name, blockDevices.
        expect([...INSTANCE_IGNORED_CHANGES].sort()).toEqual(
            ["availabilityZone", "blockDevices", "imageId", "imageName", "keyPair", "schedulerHints", "userData"],
        );
    });
});

describe("README, Data safety: data volumes", () => {
    it("ignore a change of zone or of volume type, either of which would create a new, empty volume", () => {
        // Both are ForceNew in terraform-provider-openstack v1.54.1 resource_openstack_blockstorage_volume_v3.go.
        expect([...VOLUME_IGNORED_CHANGES].sort()).toEqual(["availabilityZone", "volumeType"]);
    });
});

describe("README, Data safety: the Kubernetes provider", () => {
    const registered: Array<{ type: string; inputs: Record<string, unknown> }> = [];
    beforeAll(async () => {
        delete process.env.PULUMI_K8S_DELETE_UNREACHABLE;
        await pulumi.runtime.setMocks({
            newResource: (args) => {
                registered.push({ type: args.type, inputs: args.inputs as Record<string, unknown> });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: () => ({}),
        }, "project", "prod", false);
        clusterProvider("fsgs-prod", pulumi.secret("apiVersion: v1\nkind: Config\n"));
        // Let the registration reach the mocks.
        await new Promise((resolve) => setTimeout(resolve, 100));
    });

    it("never drops unreachable resources on its own: deleteUnreachable is not set (the operator opts in per command)", () => {
        const providers = registered.filter((resource) => resource.type === "pulumi:providers:kubernetes");
        expect(providers).toHaveLength(1);
        expect(providers[0].inputs.deleteUnreachable).toBeUndefined();
        expect(providers[0].inputs.clusterIdentifier).toBe("fsgs-prod");
    });
});

describe("README, The Kubernetes layer: a domain's namespace", () => {
    // README: "a namespace `fsgs-<domain>` per domain, labelled `pod-security.kubernetes.io/enforce: restricted`,
    // with a NetworkPolicy denying ingress and egress by default". A pod no service policy selects (one made by
    // hand) must get neither: an empty podSelector selects every pod of the namespace, and a policy type listed
    // with no rule denies that direction (kubernetes.io/docs/concepts/services-networking/network-policies,
    // "Default deny all ingress and all egress traffic").
    it("denies ingress and egress to every pod by default", () => {
        expect(domainManifests("fsgs-vhf", []).defaultDeny).toEqual({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny", namespace: "fsgs-vhf" },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        });
    });

    it("enforces the restricted Pod Security Standard", () => {
        expect(domainManifests("fsgs-vhf", []).namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    });
});

describe("README, From servers to a cluster: what re-runs Ansible", () => {
    // README: "Its trigger is a hash of the files Ansible reads (not `*.md`, not the converge harness: a README edit
    // under `playbooks/` neither runs Ansible nor reaches the bastion, and only the hashed files are shipped)".
    it.each([
        ["README.md", false],
        ["roles/kubeadm_worker/README.md", false],
        ["tests/converge.sh", false],
        ["converge-data-volumes.yml", false],
        ["site.yml", true],
        ["group_vars/all.yml", true],
        ["roles/kubeadm_worker/tasks/main.yml", true],
    ])("%s is read by the site run: %s", (path, read) => {
        expect(isReadByAnsible(path)).toBe(read);
    });
});
