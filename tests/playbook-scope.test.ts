/**
 * Which hosts Ansible touches between two `up`s (components/ansible/playbook-scope.ts), on inventories the program
 * renders: a worker added runs on that worker and one control plane; anything cluster-wide runs everywhere.
 */
import { type InventoryInput, renderInventory } from "../components/cluster/inventory";
import { type PlaybookInputs, clusterWideKey, playbookScope, workerKey } from "../components/ansible/playbook-scope";

const worker = (n: number) => ({ name: `fsgs-prod-general-${n}`, privateAddress: `10.42.10.${20 + n}`, pool: "general" });
const base: InventoryInput = {
    environment: "prod",
    clusterName: "fsgs-prod",
    kubernetesVersion: "1.36.4",
    sshUser: "ubuntu",
    privateKeyFile: "~/.ssh/fsgs-deploy",
    knownHostsFile: "/home/ubuntu/fsgs-ansible/known_hosts",
    bastion: { name: "fsgs-prod-bastion", privateAddress: "10.42.10.5", publicAddress: "203.0.113.5" },
    controlPlane: [1, 2, 3].map((n) => ({ name: `fsgs-prod-cp-${n}`, privateAddress: `10.42.10.${10 + n}` })),
    workers: [1, 2, 3].map(worker),
    endpoint: { mode: "vip", privateAddress: "10.42.10.100", publicAddress: "203.0.113.10", port: 6443 },
    network: { nodeCidr: "10.42.10.0/24", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12" },
    cni: "calico",
    runsOn: "bastion",
};

/** The program's inputs for an inventory: each server's ID and host key derived from its name and generation. */
function inputs(input: InventoryInput, options: { playbookHash?: string; rebuilt?: string[] } = {}): PlaybookInputs {
    const names = [...input.controlPlane, ...input.workers].map((node) => node.name);
    const generation = (name: string) => ((options.rebuilt ?? []).includes(name) ? "b" : "a");
    return {
        playbookHash: options.playbookHash ?? "release-1",
        inventory: renderInventory(input),
        serverIds: Object.fromEntries(names.map((name) => [name, `nova-${name}-${generation(name)}`])),
        hostKeys: Object.fromEntries(names.map((name) => [name, `ssh-ed25519 KEY-${name}-${generation(name)}`])),
    };
}

// Rendered in each test (and each table row when it runs), so that mutation testing's per-test coverage applies
// (tests/mutation/): an inventory rendered at import makes every inventory mutant static.
const formed = (): PlaybookInputs => inputs(base);

describe("the hosts a run touches between two ups", () => {
    it("runs everything on every host on the first up", () => {
        expect(playbookScope(undefined, formed())).toEqual({ kind: "full" });
    });

    it("runs nothing when nothing changed", () => {
        expect(playbookScope(formed(), inputs(base))).toEqual({ kind: "none" });
    });

    it("runs on the new worker and the first control plane when one worker is added", () => {
        const added = inputs({ ...base, workers: [1, 2, 3, 4].map(worker) });
        expect(playbookScope(formed(), added)).toEqual({ kind: "limited", limit: ["fsgs-prod-general-4", "fsgs-prod-cp-1"] });
    });

    it("runs on both new workers and the first control plane when two are added", () => {
        const added = inputs({ ...base, workers: [1, 2, 3, 4, 5].map(worker) });
        expect(playbookScope(formed(), added)).toEqual({
            kind: "limited",
            limit: ["fsgs-prod-general-4", "fsgs-prod-general-5", "fsgs-prod-cp-1"],
        });
    });

    it("runs on a rebuilt worker (new server, same name and address) and the first control plane", () => {
        expect(playbookScope(formed(), inputs(base, { rebuilt: ["fsgs-prod-general-2"] }))).toEqual({
            kind: "limited",
            limit: ["fsgs-prod-general-2", "fsgs-prod-cp-1"],
        });
    });

    it("runs nothing for a removed worker (its NodeRemoval command drains and deletes it)", () => {
        expect(playbookScope(formed(), inputs({ ...base, workers: [1, 2].map(worker) }))).toEqual({ kind: "none" });
    });

    it.each<[string, () => PlaybookInputs]>([
        ["a new playbook release", () => inputs(base, { playbookHash: "release-2" })],
        ["a Kubernetes upgrade", () => inputs({ ...base, kubernetesVersion: "1.37.1" })],
        ["a control plane added", () => inputs({ ...base, controlPlane: [1, 2, 3, 4].map((n) => ({ name: `fsgs-prod-cp-${n}`, privateAddress: `10.42.10.${10 + n}` })) })],
        ["the first control plane rebuilt", () => inputs(base, { rebuilt: ["fsgs-prod-cp-1"] })],
        ["another pod network", () => inputs({ ...base, network: { ...base.network, podCidr: "10.128.0.0/16" } })],
        ["a worker added together with an upgrade", () => inputs({ ...base, kubernetesVersion: "1.37.1", workers: [1, 2, 3, 4].map(worker) })],
    ])("runs every role on every host for %s", (_, after) => {
        expect(playbookScope(formed(), after())).toEqual({ kind: "full" });
    });

    it("keys the cluster-wide run on nothing a worker alone changes, and each worker on nothing another changes", () => {
        const added = inputs({ ...base, workers: [1, 2, 3, 4].map(worker) });
        expect(clusterWideKey(added)).toBe(clusterWideKey(formed()));
        expect(workerKey(added, "fsgs-prod-general-1")).toBe(workerKey(formed(), "fsgs-prod-general-1"));
        expect(workerKey(inputs(base, { rebuilt: ["fsgs-prod-general-2"] }), "fsgs-prod-general-1")).toBe(workerKey(formed(), "fsgs-prod-general-1"));
    });
});
