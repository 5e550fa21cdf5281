import type { RenderedResource } from "../render";
import { CloudError, SOURCES } from "./cloud-error";
import { ClusterModel } from "./cluster";
import type { Plan, Step } from "./engine";
import { type CloudObject, FakeOpenStack, kindOf } from "./fake-openstack";
import { deletionWaves, dependenciesOf, waves } from "./graph";
import { fingerprintOf } from "../../../components/config/ssh-keys";
import { apiProblem, authorizedKeysOf, keyProblem, serverAt, sshProblem, writeDeployKeys } from "./reachability";

/** The outcome of `pulumi up` or `pulumi destroy` against the fake cloud. */
export interface Outcome {
    ok: boolean;
    /** The first failure, worded as the CLI would show it. */
    error?: string;
    /** Every operation run, in order: `create fsgs-prod-cp-1`, `run fsgs-prod-ansible-run`... */
    log: string[];
}

const isKubernetes = (type: string) => type.startsWith("kubernetes:");
/** The authorized-keys command (components/ansible/authorized-keys.ts), recognised by what it writes. */
const writesKeys = (resource: RenderedResource) =>
    typeof resource.inputs.create === "string" && resource.inputs.create.includes("~/.ssh/authorized_keys") && typeof resource.inputs.stdin === "string";
const isRemote = (type: string) => type === "command:remote:Command" || type === "command:remote:CopyToRemote";

/** The old registrations of replaced resources that depend, directly or not, on `urn`, in dependency order. */
function replacedDependents(plan: Plan, urn: string): RenderedResource[] {
    const replaced = new Set(plan.steps.filter((step) => step.kind === "replace").map((step) => step.urn));
    const old = (plan.before?.resources ?? []).filter((resource) => replaced.has(resource.urn));
    const reached = new Set([urn]);
    let grew = true;
    while (grew) {
        grew = false;
        for (const resource of old) {
            if (!reached.has(resource.urn) && dependenciesOf(resource).some((dep) => reached.has(dep))) {
                reached.add(resource.urn);
                grew = true;
            }
        }
    }
    return waves(old.filter((resource) => resource.urn !== urn && reached.has(resource.urn))).flat();
}

/**
 * A stack's life against a fake OpenStack project: the engine's state (URN -> objects) and the cloud. `up` and
 * `destroy` apply a plan from `planSteps` the way the engine schedules it: creates and updates in dependency
 * waves, then the deletes (of removed resources and of replaced ones) in reverse dependency waves.
 */
export class Deployment {
    readonly cloud = new FakeOpenStack();
    readonly cluster = new ClusterModel(this.cloud);
    /** The engine's state: the objects each URN owns. */
    private readonly state = new Map<string, string[]>();
    /** How many times a remote command ran (create or update), by resource name. */
    readonly runs = new Map<string, number>();

    /**
     * @param runner The address `pulumi up` runs from (an operator's machine in access.adminCidrs).
     * @param apiPort The API endpoint's port (stack output apiEndpoint.port).
     */
    constructor(
        private readonly runner: string,
        private readonly apiPort: number,
    ) {}

    apply(plan: Plan): Outcome {
        const log: string[] = [];
        if (plan.refusals.length > 0) {
            // The preview fails: nothing runs (pulumi/pulumi step_generator.go protect checks).
            return { ok: false, error: `error: ${plan.refusals.join("; ")}`, log };
        }
        const byUrn = new Map(plan.steps.map((step) => [step.urn, step]));
        const oldByUrn = new Map((plan.before?.resources ?? []).map((resource) => [resource.urn, resource]));
        const pendingDeletes: RenderedResource[] = [];
        const deletedEarly = new Set<string>();
        try {
            for (const wave of waves(plan.after?.resources ?? [])) {
                // Steps that need a connection go first: in a real run they race the rest of their wave. Among them, the
                // commands that change which keys a server accepts go last: a command that logs in with the new key
                // and forgot to depend on them then fails every time rather than when the race goes wrong.
                const ordered = [...wave].sort(
                    (a, b) => Number(this.needsAccess(b)) - Number(this.needsAccess(a)) || Number(writesKeys(a)) - Number(writesKeys(b)),
                );
                for (const resource of ordered) {
                    const step = byUrn.get(resource.urn);
                    if (!step || step.kind === "delete") {
                        continue;
                    }
                    const old = oldByUrn.get(resource.urn);
                    const deletedFirst = deletedEarly.has(resource.urn);
                    if (step.kind === "replace" && old && !deletedFirst) {
                        if (step.deleteBeforeReplace) {
                            // The replaced dependents go before the resource they depend on
                            // (pulumi/pulumi step_generator.go calculateDependentReplacements).
                            const dependents = replacedDependents(plan, resource.urn);
                            for (const dependent of dependents.reverse()) {
                                this.destroy(dependent, log, byUrn.get(dependent.urn));
                                deletedEarly.add(dependent.urn);
                            }
                            this.destroy(old, log, step);
                        } else {
                            pendingDeletes.push(old);
                            this.originals.set(old.urn, this.state.get(old.urn) ?? []);
                        }
                    }
                    if (step.kind === "update" && old) {
                        this.update(old, resource, log);
                    } else {
                        this.create(resource, log, step.kind === "replace" && !step.deleteBeforeReplace && !deletedFirst);
                    }
                }
            }
            const removed = plan.steps.filter((step) => step.kind === "delete").map((step) => oldByUrn.get(step.urn) as RenderedResource);
            const retained = new Set(plan.steps.filter((step) => step.retained).map((step) => step.urn));
            for (const wave of deletionWaves([...removed, ...pendingDeletes])) {
                const ordered = [...wave].sort((a, b) => Number(this.needsAccess(a)) - Number(this.needsAccess(b)));
                for (const resource of ordered) {
                    if (retained.has(resource.urn)) {
                        log.push(`forget ${resource.name} (retainOnDelete: kept in the cloud)`);
                        this.state.delete(resource.urn);
                        continue;
                    }
                    this.destroy(resource, log, byUrn.get(resource.urn), pendingDeletes.includes(resource));
                }
            }
        } catch (error) {
            if (error instanceof CloudError) {
                this.cluster.settle();
                return { ok: false, error: error.message, log };
            }
            throw error;
        }
        this.cluster.settle();
        return { ok: true, log };
    }

    /** Objects the stack's state no longer knows but the cloud still holds: leftovers after a destroy. */
    leftovers(): string[] {
        return this.cloud.all().map((object) => `${object.kind} ${object.name} (${object.owner.split("::").pop()})`);
    }

    private needsAccess(resource: RenderedResource): boolean {
        return isRemote(resource.type) || isKubernetes(resource.type);
    }

    private checkSsh(resource: RenderedResource, action: string): void {
        const connection = resource.connection;
        if (!connection) {
            return;
        }
        const problem = sshProblem(this.cloud, this.runner, connection.host, connection.proxyHost);
        if (problem) {
            throw new CloudError("ssh", `${action} ${resource.name}: ${problem}`, SOURCES.ssh);
        }
        const refused = keyProblem(this.cloud, connection.host, connection.proxyHost, {
            user: connection.user,
            key: connection.keyFingerprint,
            proxyKey: connection.proxyKeyFingerprint,
        });
        if (refused) {
            throw new CloudError("ssh", `${action} ${resource.name}: ${refused}`, SOURCES.sshKey);
        }
    }

    /**
     * The servers that would refuse the key a remote command of `resources` presents to them, by name, as the cloud
     * is now: what a wrong rotation locks the program out of.
     */
    lockedOut(resources: readonly RenderedResource[]): string[] {
        const refused = new Set<string>();
        for (const resource of resources.filter((candidate) => isRemote(candidate.type) && candidate.connection)) {
            const connection = resource.connection as NonNullable<RenderedResource["connection"]>;
            const hops: [string | undefined, string | undefined][] = [
                [connection.proxyHost, connection.proxyKeyFingerprint],
                [connection.host, connection.keyFingerprint],
            ];
            for (const [address, fingerprint] of hops) {
                const server = address === undefined ? undefined : serverAt(this.cloud, address);
                if (server && fingerprint !== undefined && !authorizedKeysOf(server).some((line) => line.fingerprint === fingerprint)) {
                    refused.add(server.name);
                }
            }
        }
        return [...refused].sort();
    }

    /** What a command that ran did to the server it ran on, for the commands whose effect the fake models. */
    private effects(resource: RenderedResource): void {
        const target = resource.connection && serverAt(this.cloud, resource.connection.host);
        if (!target) {
            return;
        }
        const script = typeof resource.inputs.create === "string" ? resource.inputs.create : "";
        // The authorized-keys command (components/ansible/authorized-keys.ts): the public keys on its stdin become
        // the server's deploy keys. A key written to a file (the deploy key on the bastion) is the one Ansible uses.
        if (writesKeys(resource) && typeof resource.inputs.stdin === "string") {
            const keys = resource.inputs.stdin.split("\n").filter((line) => line.trim() !== "");
            writeDeployKeys(target, keys.map((key) => fingerprintOf(key)));
        }
        if (resource.stdinKeyFingerprint !== undefined) {
            target.attrs.deployKeyFile = resource.stdinKeyFingerprint;
        }
        if (script.includes("ansible-playbook")) {
            this.checkAnsibleLogins(target, resource);
        }
    }

    /**
     * Ansible on the bastion logs in to every node with the deploy key the bastion holds (OpenSSH ssh(1)); a node
     * that refuses it is UNREACHABLE and fails the run (Ansible's ssh connection plugin, "Permission denied").
     */
    private checkAnsibleLogins(bastion: CloudObject, resource: RenderedResource): void {
        const key = bastion.attrs.deployKeyFile;
        if (typeof key !== "string") {
            return;
        }
        const refusing = this.cloud
            .live("server")
            .filter((server) => server.id !== bastion.id && !authorizedKeysOf(server).some((line) => line.fingerprint === key));
        if (refusing.length > 0) {
            throw new CloudError(
                "ansible",
                `${resource.name}: ${refusing.map((server) => `fatal: [${server.name}]: UNREACHABLE! => Failed to connect to the host via ssh: Permission denied (publickey).`).join(" ")}`,
                SOURCES.sshKey,
            );
        }
    }

    private checkApi(resource: RenderedResource, action: string, provider: RenderedResource | undefined): boolean {
        const problem = this.cluster.alive() ? apiProblem(this.cloud, this.runner, this.apiPort) : "the cluster is not formed or has no control plane";
        if (!problem) {
            return true;
        }
        if (action === "delete" && provider?.inputs.deleteUnreachable === "true") {
            return false;
        }
        throw new CloudError("kubernetes", `${action} ${resource.name}: ${problem}`, SOURCES.api);
    }

    private providerOf(resource: RenderedResource, plan?: RenderedResource[]): RenderedResource | undefined {
        const urn = resource.provider?.split("::").slice(0, -1).join("::");
        return plan?.find((candidate) => candidate.urn === urn) ?? this.providers.get(urn ?? "");
    }

    private readonly providers = new Map<string, RenderedResource>();
    /** The objects of a replaced resource's original, until the delete at the end of the run. */
    private readonly originals = new Map<string, string[]>();

    private create(resource: RenderedResource, log: string[], replacement: boolean): void {
        const verb = replacement ? "create replacement" : "create";
        if (resource.type.startsWith("pulumi:providers:")) {
            this.providers.set(resource.urn, resource);
        }
        if (isRemote(resource.type) && (resource.type === "command:remote:CopyToRemote" || resource.inputs.create !== undefined)) {
            this.checkSsh(resource, verb);
            this.effects(resource);
            this.ran(resource, log, verb);
        } else if (isKubernetes(resource.type)) {
            this.checkApi(resource, verb, this.providerOf(resource));
            this.cluster.apply(resource);
            log.push(`${verb} ${resource.name}`);
        } else if (kindOf(resource.type)) {
            const objects = this.cloud.create(resource);
            this.state.set(resource.urn, objects.map((object) => object.id));
            log.push(`${verb} ${resource.name}`);
        }
        this.cluster.reconcile();
    }

    private ran(resource: RenderedResource, log: string[], verb: string): void {
        this.runs.set(resource.name, (this.runs.get(resource.name) ?? 0) + 1);
        log.push(`${verb} ${resource.name} (runs on ${resource.connection?.host ?? "?"})`);
        if (typeof resource.inputs.create === "string" && resource.inputs.create.includes("ansible-playbook")) {
            this.cluster.formed = true;
        }
    }

    private update(old: RenderedResource, resource: RenderedResource, log: string[]): void {
        if (resource.type.startsWith("pulumi:providers:")) {
            this.providers.set(resource.urn, resource);
        }
        if (isRemote(resource.type)) {
            this.checkSsh(resource, "update");
            this.effects(resource);
            this.ran(resource, log, "update");
            return;
        }
        if (isKubernetes(resource.type)) {
            this.checkApi(resource, "update", this.providerOf(resource));
            this.cluster.apply(resource);
            log.push(`update ${resource.name}`);
            return;
        }
        const ids = this.state.get(old.urn) ?? [];
        const object = ids.map((id) => this.cloud.get(id)).find((candidate) => candidate?.kind === kindOf(resource.type));
        if (object) {
            this.cloud.update(object, resource);
        }
        log.push(`update ${resource.name}`);
    }

    private destroy(resource: RenderedResource, log: string[], step: Step | undefined, replaced = false): void {
        const verb = replaced ? "delete original" : "delete";
        if (isRemote(resource.type)) {
            if (resource.type === "command:remote:Command" && resource.inputs.delete !== undefined) {
                this.checkSsh(resource, verb);
                log.push(`${verb} ${resource.name} (runs its delete command)`);
                if (typeof resource.inputs.delete === "string") {
                    this.cluster.releaseCloudObjects(resource.inputs.delete);
                }
            }
            return;
        }
        if (isKubernetes(resource.type)) {
            if (this.checkApi(resource, "delete", this.providerOf(resource))) {
                if (!replaced) {
                    this.cluster.remove(resource);
                }
                log.push(`${verb} ${resource.name}`);
            } else {
                this.cluster.kubernetes.delete(resource.urn);
                log.push(`forget ${resource.name} (cluster unreachable, deleteUnreachable: left in the cluster)`);
            }
            return;
        }
        const ids = (replaced ? this.originals.get(resource.urn) : this.state.get(resource.urn)) ?? [];
        const objects = ids.map((id) => this.cloud.get(id)).filter((object) => object !== undefined);
        for (const object of objects.filter((candidate) => candidate.kind === kindOf(resource.type))) {
            this.cloud.delete(object);
        }
        for (const object of objects.filter((candidate) => candidate.kind !== kindOf(resource.type))) {
            if (this.cloud.get(object.id)) {
                this.cloud.remove(object.id);
            }
        }
        if (!step || step.kind === "delete") {
            this.state.delete(resource.urn);
        }
        log.push(`${verb} ${resource.name}`);
        this.cluster.reconcile();
    }
}
