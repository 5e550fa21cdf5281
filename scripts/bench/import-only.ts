// The baseline of `npm run bench`: Node's start and the import of the Pulumi packages the plan uses, nothing else.
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

const modules = [openstack.networking, openstack.compute, openstack.blockstorage, openstack.loadbalancer, openstack.images];
if (modules.some((module) => module === undefined) || typeof pulumi.ComponentResource !== "function") {
    process.exit(1);
}
