import { posix } from "node:path";
import { asText, dnsLabelFrom, environmentEntries, isRecord, isScalar, listItems, type ServiceContext } from "./context";

/** Files and data: Swarm secrets and configs, volumes, tmpfs. */

/** Swarm mounts a secret at `/run/secrets/<name>` unless told otherwise, see "Manage sensitive data with Docker secrets". */
const SECRETS_DIRECTORY = "/run/secrets";
/**
 * Swarm volumes have no size: this is the importer's guess, flagged on every entry that uses it. Large enough for
 * a broker's or a small database's data, small enough not to waste Cinder quota unnoticed.
 */
export const DEFAULT_STORAGE_SIZE = "10Gi";

interface FileMount {
    source: string;
    target: string;
    item: unknown;
    path: string;
    /** uid, gid or mode given: they are not carried. */
    ownership: boolean;
}

function fileMounts(context: ServiceContext, key: "secrets" | "configs", defaultTarget: (source: string, target?: string) => string): FileMount[] {
    const mounts: FileMount[] = [];
    for (const [item, path] of listItems(context, key)) {
        if (typeof item === "string") {
            mounts.push({ source: item, target: defaultTarget(item), item, path, ownership: false });
        } else if (isRecord(item) && typeof item.source === "string") {
            const target = typeof item.target === "string" ? item.target : undefined;
            const ownership = ["uid", "gid", "mode"].some((field) => item[field] !== undefined);
            mounts.push({ source: item.source, target: defaultTarget(item.source, target), item, path, ownership });
        } else {
            context.note(path, item, "unmapped", "expected a name or a map with `source`");
        }
    }
    return mounts;
}

function secretMounts(context: ServiceContext): FileMount[] {
    return fileMounts(context, "secrets", (source, target) => (target?.startsWith("/") ? target : `${SECRETS_DIRECTORY}/${target ?? source}`));
}

/** Where each of the service's Swarm secrets is mounted: path -> secret name. */
export function secretFileTargets(context: ServiceContext): Map<string, string> {
    const targets = new Map<string, string>();
    if (!Array.isArray(context.raw.secrets)) return targets;
    for (const mount of secretMounts(context)) targets.set(mount.target, mount.source);
    return targets;
}

/** `file: ./x`, `external: true`... of a top-level secret or config, for the command that recreates it. */
function origin(declaration: unknown): { file?: string; external: boolean } {
    if (!isRecord(declaration)) return { external: false };
    return { file: typeof declaration.file === "string" ? declaration.file : undefined, external: declaration.external === true || isRecord(declaration.external) };
}

export function mapSecrets(context: ServiceContext): void {
    const variableValues = environmentEntries(context) ?? [];
    for (const mount of secretMounts(context)) {
        const label = dnsLabelFrom(mount.source);
        if (label === undefined) {
            context.note(mount.path, mount.item, "unmapped", "no Secret name can be made from this secret's name: add the secretFiles entry by hand");
            continue;
        }
        const { file, external } = origin(context.stack.secrets[mount.source]);
        const key = posix.basename(mount.target);
        context.draft.secretFiles.push({ secret: label, key, mountPath: mount.target });
        const readers = variableValues.filter(([, value]) => value === mount.target).map(([name]) => name);
        const create = `kubectl -n ${context.namespace} create secret generic ${label} --from-file=${key}=${file ?? "<file>"}`;
        const source = external ? " It was created outside the stack (docker secret create): take its content from where it is kept." : "";
        const use = readers.length > 0 ? ` The app finds it through ${readers.join(", ")}, kept in env.` : "";
        const ownership = mount.ownership ? " Its uid, gid and mode are not carried: the file is readable by the service's group only (0440)." : "";
        context.note(mount.path, mount.item, "approximated", `became secretFiles {secret: ${label}, key: ${key}, mountPath: ${mount.target}}: the file Swarm mounted, from a Kubernetes Secret you create: ${create}.${source}${use}${ownership}`);
    }
}

export function mapConfigs(context: ServiceContext): void {
    // Swarm mounts a config at /<name> unless told otherwise, see "Store configuration data using Docker Configs".
    const mounts = fileMounts(context, "configs", (source, target) => (target === undefined ? `/${source}` : target.startsWith("/") ? target : `/${target}`));
    for (const mount of mounts) {
        const path = mount.path;
        const configMap = dnsLabelFrom(mount.source);
        if (configMap === undefined) {
            context.note(path, mount.item, "unmapped", "no ConfigMap name can be made from this config's name: add the configFiles entry by hand");
            continue;
        }
        const { file, external } = origin(context.stack.configs[mount.source]);
        const key = posix.basename(mount.target);
        // One key mounted with subPath: a file at the target, as Swarm mounted it (Kompose does the same, with items and subPath).
        context.draft.configFiles.push({ configMap, mountPath: mount.target, key });
        const create = `kubectl -n ${context.namespace} create configmap ${configMap} --from-file=${key}=${file ?? "<file>"}`;
        const source = external ? ` It was created outside the stack: export it with \`docker config inspect --pretty ${mount.source}\`.` : "";
        const ownership = mount.ownership ? " Its uid, gid and mode are not carried: the file is read-only and readable by the service's user." : "";
        context.note(path, mount.item, "approximated", `became configFiles {configMap: ${configMap}, mountPath: ${mount.target}, key: ${key}}: the key is mounted as the file ${mount.target} (subPath), as Swarm mounted it, and the rest of ${posix.dirname(mount.target)} stays the image's. Create the ConfigMap with the file under the key ${key}: ${create}. A subPath mount does not follow later edits of the ConfigMap: restart the pods after changing it, as Swarm needed a new config.${source}${ownership}`);
    }
}

interface VolumeMount {
    type: string;
    source?: string;
    target?: string;
    readOnly: boolean;
    tmpfsSize?: unknown;
}

/** Short (`name:/path:ro`, `/host:/path`, `/path`) and long syntax mounts. */
function parseVolume(item: unknown): VolumeMount | undefined {
    if (typeof item === "string") {
        const parts = item.split(":");
        if (parts.length === 1) return { type: "volume", target: parts[0], readOnly: false };
        const [source, target, mode = ""] = parts;
        const bind = /^[./~]/.test(source);
        return { type: bind ? "bind" : "volume", source, target, readOnly: mode.split(",").includes("ro") };
    }
    if (!isRecord(item) || typeof item.type !== "string") return undefined;
    return {
        type: item.type,
        source: typeof item.source === "string" && item.source !== "" ? item.source : undefined,
        target: typeof item.target === "string" ? item.target : undefined,
        readOnly: item.read_only === true,
        tmpfsSize: isRecord(item.tmpfs) ? item.tmpfs.size : undefined,
    };
}

/** The named volume a mount uses, if it is one. */
export function namedVolumeSource(item: unknown): string | undefined {
    const mount = parseVolume(item);
    return mount?.type === "volume" ? mount.source : undefined;
}

function addWritablePath(context: ServiceContext, path: string): void {
    if (!context.draft.writablePaths.includes(path)) context.draft.writablePaths.push(path);
}

function mapNamedVolume(context: ServiceContext, path: string, item: unknown, mount: VolumeMount & { source: string; target: string }): void {
    if (context.draft.storage) {
        context.note(path, item, "unmapped", `a second named volume: the catalog has one storage volume per service (already ${context.draft.storage.mountPath}); move this data under it, or split the service`);
        return;
    }
    context.draft.storage = { size: DEFAULT_STORAGE_SIZE, mountPath: mount.target };
    const caveats = [`became storage {size: ${DEFAULT_STORAGE_SIZE}, mountPath: ${mount.target}}: check the size, Swarm volumes have none; the service becomes a StatefulSet with one volume per replica; copy the data out of the Swarm volume ${mount.source} before switching over.`];
    const declaration = context.stack.volumes[mount.source];
    if (isRecord(declaration) && ((declaration.driver !== undefined && declaration.driver !== "local") || declaration.driver_opts !== undefined)) {
        caveats.push(`Its driver (${asText(declaration.driver ?? "local")}, ${asText(declaration.driver_opts ?? {})}) is not carried: the volume is a Cinder block device, attached to one node at a time.`);
    }
    const others = (context.stack.volumeUsers.get(mount.source) ?? []).filter((service) => service !== context.composeName);
    if (others.length > 0) caveats.push(`Swarm shared it with ${others.join(", ")}: each service now gets its own volume, so the data is no longer shared.`);
    const deploy = context.raw.deploy;
    if (isRecord(deploy) && typeof deploy.replicas === "number" && deploy.replicas > 1) caveats.push(`With ${deploy.replicas} replicas, each replica has its own copy.`);
    if (mount.readOnly) caveats.push("Swarm mounted it read-only; the storage volume is writable.");
    context.note(path, item, "approximated", caveats.join(" "));
}

export function mapVolumes(context: ServiceContext): void {
    for (const [item, path] of listItems(context, "volumes")) {
        const mount = parseVolume(item);
        if (mount === undefined || mount.target === undefined || !mount.target.startsWith("/")) {
            context.note(path, item, "unmapped", "not a mount the importer understands (it needs an absolute target): map it by hand");
            continue;
        }
        const target = mount.target;
        switch (mount.type) {
            case "volume":
                if (mount.source === undefined) {
                    addWritablePath(context, target);
                    context.note(path, item, "approximated", `an anonymous volume: became the writable path ${target}, emptied whenever the pod is replaced`);
                } else {
                    mapNamedVolume(context, path, item, { ...mount, source: mount.source, target });
                }
                continue;
            case "tmpfs":
                addWritablePath(context, target);
                context.note(path, item, mount.tmpfsSize === undefined ? "info" : "approximated", `tmpfs became the writable path ${target}${mount.tmpfsSize === undefined ? "" : "; its size limit is not carried"}`);
                continue;
            case "bind": {
                const socket = mount.source === "/var/run/docker.sock" || mount.source === "/run/docker.sock";
                const reason = socket
                    ? "the Docker socket: there is no Docker daemon on the nodes, and handing a service the container runtime's socket gives it the node; hostPath is forbidden under the restricted Pod Security Standard"
                    : "a bind mount of the node's filesystem: hostPath is forbidden under the restricted Pod Security Standard, and pods move between nodes. Put configuration files in a ConfigMap (configFiles) and data in storage";
                // A service that talks to the Docker API (a visualizer, an exporter) has nothing to talk to: it would crash-loop.
                if (socket) context.blockers.push("it talks to the Docker daemon through its socket, which no node has");
                context.note(path, item, "unmapped", socket ? `${reason}: the entry is written as a draft` : reason);
                continue;
            }
            default:
                context.note(path, item, "unmapped", `a ${mount.type} mount: the catalog has none`);
        }
    }
}

export function mapTmpfs(context: ServiceContext): void {
    for (const [item, path] of listItems(context, "tmpfs")) {
        const [target, options] = isScalar(item) ? String(item).split(":", 2) : [""];
        if (!target.startsWith("/")) {
            context.note(path, item, "unmapped", "expected an absolute path");
            continue;
        }
        addWritablePath(context, target);
        context.note(path, item, options === undefined ? "info" : "approximated", `became the writable path ${target}${options === undefined ? "" : `; its options (${options}) are not carried`}`);
    }
}
