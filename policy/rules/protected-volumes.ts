import { PROTECTED_DATA, type ResourceRule } from "../subject";

/** Data volumes hold etcd backups and the stateful workloads' disks: a refactoring must never delete one. */
export const protectedVolumes: ResourceRule = {
    kind: "resource",
    name: "protected-volumes",
    description: "Every Cinder volume is protected and retained on delete.",
    appliesTo: PROTECTED_DATA,
    types: ["openstack:blockstorage/volume:Volume"],
    check(volume) {
        const problems: string[] = [];
        if (!volume.protect) {
            problems.push(`volume ${volume.name} is not protected (protect: true)`);
        }
        // undefined: the source cannot see the option (CrossGuard); the offline test checks it.
        if (volume.retainOnDelete === false) {
            problems.push(`volume ${volume.name} is not retained on delete (retainOnDelete: true)`);
        }
        return problems;
    },
};
