import { parse } from "yaml";
import { contentHash } from "./content-hash";

/**
 * Which hosts an Ansible run must touch, from what the program knows at each `up`: the playbooks, the inventory and
 * the servers. A worker added (or its server replaced) needs the roles on itself and a control plane to create its
 * join token; anything cluster-wide (the playbooks, the control planes, the cluster's variables: Kubernetes version,
 * endpoint, CNI...) needs every role on every host. Pulumi only compares a resource's inputs with its previous
 * ones, so the program carries these two scopes as two kinds of command: the cluster-wide run, whose trigger is
 * `clusterWideKey`, and one join command per worker, whose trigger is `workerKey`. `playbookScope` states what the
 * pair does between two `up`s, as one pure function of the inputs before and after.
 */
export interface PlaybookInputs {
    /** `folderHash` of the playbook release. */
    playbookHash: string;
    /** The inventory text (`renderInventory`). */
    inventory: string;
    /** Nova ID of every server, by name: a replaced server is a bare machine again. */
    serverIds: Record<string, string>;
    /** The SSH host public key of every server, by name (what known_hosts pins). */
    hostKeys: Record<string, string>;
}

interface InventoryGroup {
    hosts?: Record<string, unknown> | null;
    vars?: Record<string, unknown>;
}
interface InventoryDocument {
    all: { vars?: Record<string, unknown>; children: Record<string, InventoryGroup | undefined> };
}

function document(inventory: string): InventoryDocument {
    const parsed = parse(inventory) as InventoryDocument | null;
    if (!parsed?.all?.children) {
        throw new Error("not an inventory: no all.children");
    }
    return parsed;
}

const hostsOf = (doc: InventoryDocument, group: string): Record<string, unknown> => doc.all.children[group]?.hosts ?? {};

/** The workers of an inventory, in its order. */
export function inventoryWorkers(inventory: string): string[] {
    return Object.keys(hostsOf(document(inventory), "workers"));
}

/** The identity of one server as a line: a new server, or a new host key, is a new machine to converge. */
const identity = (inputs: PlaybookInputs, name: string) => `${name}=${inputs.serverIds[name] ?? ""} ${inputs.hostKeys[name] ?? ""}`;

/**
 * Hash of everything a run needs every host for: the playbooks, the inventory without the workers' host entries
 * (group and cluster variables stay in), and the identities of the control planes and the bastion. Adding, removing
 * or replacing a worker leaves it as it is.
 */
export function clusterWideKey(inputs: PlaybookInputs): string {
    const doc = document(inputs.inventory);
    const shared: InventoryDocument = {
        all: { ...doc.all, children: { ...doc.all.children, workers: { ...doc.all.children.workers, hosts: {} } } },
    };
    // The bastion too: a new one has none of the records the join commands read, and a full run rewrites them.
    const clusterHosts = [...Object.keys(hostsOf(doc, "control_plane")), ...Object.keys(hostsOf(doc, "bastion"))];
    return contentHash({
        playbooks: inputs.playbookHash,
        inventory: JSON.stringify(shared),
        controlPlanes: clusterHosts.map((name) => `${identity(inputs, name)}\n`).join(""),
    });
}

/** Hash of what one worker's join run depends on: its inventory entry and its server's identity. */
export function workerKey(inputs: PlaybookInputs, worker: string): string {
    const host = hostsOf(document(inputs.inventory), "workers")[worker];
    if (host === undefined) {
        throw new Error(`${worker} is not a worker of the inventory`);
    }
    return contentHash({ host: JSON.stringify(host), server: identity(inputs, worker) });
}

/**
 * The `--limit` of a worker's join run: the worker, and the first control plane, where site.yml finds the cluster
 * and creates the join token (a token is made on a control plane: `kubeadm token create`, kubeadm join docs).
 */
export function joinLimit(inventory: string, worker: string): string[] {
    const firstControlPlane = Object.keys(hostsOf(document(inventory), "control_plane"))[0];
    if (!firstControlPlane) {
        throw new Error("an inventory without a control plane cannot join a worker");
    }
    return [worker, firstControlPlane];
}

/** What the program runs between two `up`s. */
export type PlaybookScope = { kind: "full" } | { kind: "limited"; limit: string[] } | { kind: "none" };

/**
 * The run between `before` (undefined on the first `up`) and `after`: every role on every host when anything
 * cluster-wide changed; else the workers that are new or changed, with the first control plane; else nothing (a
 * removed worker is drained and deleted by its NodeRemoval command, no run needed).
 */
export function playbookScope(before: PlaybookInputs | undefined, after: PlaybookInputs): PlaybookScope {
    if (!before || clusterWideKey(before) !== clusterWideKey(after)) {
        return { kind: "full" };
    }
    const beforeWorkers = new Set(inventoryWorkers(before.inventory));
    const changed = inventoryWorkers(after.inventory).filter(
        (worker) => !beforeWorkers.has(worker) || workerKey(before, worker) !== workerKey(after, worker),
    );
    if (changed.length === 0) {
        return { kind: "none" };
    }
    const controlPlane = joinLimit(after.inventory, changed[0])[1];
    return { kind: "limited", limit: [...changed, controlPlane] };
}
