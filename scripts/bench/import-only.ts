// The baseline of `npm run bench`: Node's start and the import of the Pulumi packages the program uses.
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";

const modules = [openstack.networking, openstack.compute, openstack.blockstorage, openstack.loadbalancer, openstack.images, command.remote, k8s.Provider];
if (modules.some((module) => module === undefined) || typeof pulumi.ComponentResource !== "function") {
    process.exit(1);
}
