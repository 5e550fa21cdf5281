import { asText, isRecord, type ServiceContext } from "./context";
import { childPath } from "./findings";
import { LABEL_KEY, LABEL_VALUE } from "../../components/config/service-schema";
import { DEFAULT_RESOURCES } from "../../components/kubernetes/service-defaults";
import { cpuQuantity, kubernetesQuantity, memoryQuantity, type Quantity } from "./quantities";

/** The `deploy` section: replicas, resources, and the Swarm scheduler settings the Microservice's defaults replace. */

/** The catalog's replicas bounds, from `serviceSchema`. */
const MAX_REPLICAS = 50;

type SubMapper = (context: ServiceContext, path: string, value: unknown) => void;

const SUB_MAPPERS: Record<string, SubMapper> = {
    mode: (context, path, value) => {
        if (value === "replicated") return;
        if (value === "global") {
            // Kompose makes a DaemonSet of it (pkg/transformer/kubernetes/kubernetes.go, DeployMode "global").
            const reason = "a global service runs one task on every node, a DaemonSet; the catalog makes Deployments and StatefulSets only, and node agents (metrics exporters, log shippers) belong to the platform layer (components/kubernetes/platform), which already runs the cluster's own";
            context.blockers.push(reason);
            context.note(path, value, "unmapped", `${reason}: the entry is written as a draft`);
            return;
        }
        context.note(path, value, "unmapped", `mode ${asText(value)}: the catalog runs long-lived services only (a job would be a Kubernetes Job)`);
        context.blockers.push(`mode ${asText(value)} is no long-lived service`);
    },
    replicas: (context, path, raw) => {
        // Interpolated values are strings; docker stack deploy casts them, so does the importer.
        const value = typeof raw === "string" && /^[0-9]+$/.test(raw) ? Number(raw) : raw;
        if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_REPLICAS) {
            context.draft.replicas = value;
        } else {
            context.note(path, raw, "unmapped", `the catalog takes 1 to ${MAX_REPLICAS} replicas (use autoscaling beyond); the Microservice's default applies`);
        }
    },
    resources: mapResources,
    placement: (context, path, value) => {
        const placement = isRecord(value) ? value : {};
        for (const [key, setting] of Object.entries(placement)) {
            const items = key === "constraints" && isRecord(setting) ? Object.entries(setting).map(([label, wanted]) => `${label}==${asText(wanted)}`) : Array.isArray(setting) ? setting : [setting];
            items.forEach((item: unknown, index) => {
                const itemPath = Array.isArray(setting) ? childPath(childPath(path, key), index) : childPath(path, key);
                if (key === "constraints") mapConstraint(context, itemPath, item);
                else if (key === "preferences") context.note(itemPath, item, "info", "the Microservice spreads replicas across nodes already (topologySpreadConstraints on kubernetes.io/hostname)");
                else if (key === "max_replicas_per_node") context.note(itemPath, item, "approximated", "the Microservice spreads replicas across nodes, preferably, not as a hard limit per node");
                else context.note(itemPath, item, "unmapped", "a placement setting the importer does not know: check it by hand");
            });
        }
    },
    update_config: (context, path, value) => {
        context.note(path, value, "approximated", "rolling updates are Kubernetes' (a new pod must be ready before an old one goes) and the Microservice's PodDisruptionBudget bounds voluntary disruptions; parallelism, delay, order and failure_action are not carried, and a failed update stops rather than rolls back");
    },
    rollback_config: (context, path, value) => {
        context.note(path, value, "unmapped", "Kubernetes does not roll back on its own: roll back by deploying the previous tag (or kubectl rollout undo)");
    },
    restart_policy: (context, path, value) => {
        const condition = isRecord(value) ? value.condition : undefined;
        const message = condition === "none" || condition === "on-failure"
            ? `condition ${asText(condition)}: a Deployment's pods always restart, with an exponential back-off; a run-to-completion task would be a Kubernetes Job`
            : "a Deployment's pods always restart, with an exponential back-off (up to 5 minutes) instead of delay, max_attempts and window";
        context.note(path, value, condition === "none" || condition === "on-failure" ? "unmapped" : "approximated", message);
    },
    endpoint_mode: (context, path, value) => {
        if (value === "vip") context.note(path, value, "info", "the Service's cluster IP is the virtual IP");
        else context.note(path, value, "unmapped", "clients that need every replica's address need a headless Service, which the catalog does not make");
    },
    // Read with the service's labels, for the Traefik routes.
    labels: () => undefined,
};

export function mapDeploy(context: ServiceContext): void {
    const deploy = context.raw.deploy;
    if (!isRecord(deploy)) {
        context.note(context.at("deploy"), deploy, "unmapped", "expected a map");
        return;
    }
    for (const [key, value] of Object.entries(deploy)) {
        const path = context.at("deploy", key);
        const mapper = SUB_MAPPERS[key];
        if (mapper) mapper(context, path, value);
        else context.note(path, value, "unmapped", "a deploy setting the importer does not know: check it by hand");
    }
}

function mapResources(context: ServiceContext, path: string, value: unknown): void {
    const resources = isRecord(value) ? value : {};
    const limits = isRecord(resources.limits) ? resources.limits : {};
    const reservations = isRecord(resources.reservations) ? resources.reservations : {};
    const read = (section: Record<string, unknown>, sectionName: string, key: "cpus" | "memory"): Quantity | undefined => {
        if (section[key] === undefined) return undefined;
        const quantity = key === "cpus" ? cpuQuantity(section[key]) : memoryQuantity(section[key]);
        if (quantity === undefined) context.note(childPath(childPath(path, sectionName), key), section[key], "unmapped", `not a Docker ${key === "cpus" ? "CPU count" : "memory size"}`);
        else if (!quantity.exact) context.note(childPath(childPath(path, sectionName), key), section[key], "approximated", `rounded to ${quantity.quantity}`);
        return quantity;
    };
    const limitCpu = read(limits, "limits", "cpus");
    const limitMemory = read(limits, "limits", "memory");
    const reservedCpu = read(reservations, "reservations", "cpus");
    const reservedMemory = read(reservations, "reservations", "memory");

    for (const [sectionName, section] of [["limits", limits], ["reservations", reservations]] as const) {
        for (const [key, setting] of Object.entries(section)) {
            if (key !== "cpus" && key !== "memory") {
                context.note(childPath(childPath(path, sectionName), key), setting, "unmapped", "the catalog's resources are CPU and memory only");
            }
        }
    }
    for (const key of Object.keys(resources)) {
        if (key !== "limits" && key !== "reservations") context.note(childPath(path, key), resources[key], "unmapped", "not a resources section the importer knows");
    }

    const requestCpu = reservedCpu ?? limitCpu;
    const requestMemory = reservedMemory ?? limitMemory;
    const memoryLimit = limitMemory ?? reservedMemory;
    if (requestCpu === undefined && requestMemory === undefined) {
        context.note(path, value, "unmapped", "neither CPU nor memory: the Microservice's defaults apply; set resources by hand");
        return;
    }
    // The catalog needs both a CPU request and a memory amount: what Swarm gave is kept, the rest is the default's.
    const defaults = DEFAULT_RESOURCES;
    const filled: string[] = [];
    const cpuRequest = requestCpu ?? (filled.push(`the CPU request is the default ${defaults.requests.cpu}, with no CPU limit, as under Swarm`), kubernetesQuantity(defaults.requests.cpu));
    const memoryRequest = requestMemory ?? (filled.push(`Swarm set no memory: the default request ${defaults.requests.memory} and limit ${defaults.limits.memory} apply, check them`), kubernetesQuantity(defaults.requests.memory));
    const memoryCeiling = memoryLimit ?? kubernetesQuantity(defaults.limits.memory);
    if (cpuRequest === undefined || memoryRequest === undefined || memoryCeiling === undefined) throw new Error("the default resources are not quantities");
    const [finalCpu, finalMemory, finalLimit] = [cpuRequest, memoryRequest, memoryCeiling];
    const impossible = [
        ...(limitCpu !== undefined && finalCpu.amount > limitCpu.amount ? ["CPU"] : []),
        ...(finalMemory.amount > finalLimit.amount ? ["memory"] : []),
    ];
    if (impossible.length > 0) {
        context.note(path, value, "unmapped", `the ${impossible.join(" and ")} reservation exceeds the limit, which Kubernetes refuses: the Microservice's defaults apply; set resources by hand`);
        return;
    }
    const caveats: string[] = [...filled];
    if (reservedCpu === undefined && limitCpu !== undefined) caveats.push("the CPU request is the limit (Swarm reserved none)");
    if (reservedMemory === undefined && limitMemory !== undefined) caveats.push("the memory request is the limit (Swarm reserved none)");
    if (limitMemory === undefined && reservedMemory !== undefined) caveats.push("the memory limit is the reservation (Swarm set none): raise it if the service needs more at peaks");
    context.draft.resources = {
        requests: { cpu: finalCpu.quantity, memory: finalMemory.quantity },
        limits: { ...(limitCpu ? { cpu: limitCpu.quantity } : {}), memory: finalLimit.quantity },
    };
    if (caveats.length > 0) context.note(path, value, "approximated", `became resources ${JSON.stringify(context.draft.resources)}: ${caveats.join("; ")}`);
}

/** Swarm's `arch` names (uname -m) -> the `kubernetes.io/arch` values (GOARCH), see "Well-Known Labels". */
const ARCHITECTURES: Readonly<Record<string, string>> = { x86_64: "amd64", amd64: "amd64", aarch64: "arm64", arm64: "arm64" };

function select(context: ServiceContext, path: string, item: unknown, key: string, value: string, why: string): void {
    if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) {
        context.note(path, item, "unmapped", `${key}=${value} is no Kubernetes label: choose a label for these nodes and set nodeSelector by hand`);
        return;
    }
    context.draft.nodeSelector[key] = value;
    context.note(path, item, "approximated", `became nodeSelector ${key}: ${value}; ${why}`);
}

/** One Swarm constraint (`node.labels.disk == ssd`) -> a node selector, or a finding saying why not. */
function mapConstraint(context: ServiceContext, path: string, item: unknown): void {
    const match = typeof item === "string" ? /^\s*([A-Za-z0-9_.\-/]+)\s*(==|!=)\s*(.*?)\s*$/.exec(item) : null;
    if (!match) {
        context.note(path, item, "unmapped", "expected `attribute == value` or `attribute != value`: set nodeSelector by hand");
        return;
    }
    const [, attribute, operator, value] = match;
    const equal = operator === "==";
    const role = attribute === "node.role" ? (equal ? value : value === "manager" ? "worker" : "manager") : undefined;
    if (role === "worker") {
        context.note(path, item, "info", "pods run on worker nodes anyway: the control planes are tainted NoSchedule");
    } else if (role === "manager") {
        context.note(path, item, "unmapped", "the control planes run no workloads (they are tainted NoSchedule): the service runs on a worker. If it needed a manager for the Swarm API or the Docker socket, Kubernetes has no equivalent; otherwise drop the constraint");
    } else if (attribute.startsWith("node.labels.") && equal) {
        select(context, path, item, attribute.slice("node.labels.".length), value, "the worker nodes must carry that label (kubectl label node <node> key=value, or the pool's labels), or the pods stay Pending");
    } else if (attribute === "node.platform.arch" && equal && ARCHITECTURES[value] !== undefined) {
        select(context, path, item, "kubernetes.io/arch", ARCHITECTURES[value], "the kubelet sets it on every node");
    } else if (attribute === "node.platform.os" && equal && value === "linux") {
        context.note(path, item, "info", "every node runs Linux");
    } else if (attribute === "node.hostname" || attribute === "node.id") {
        context.note(path, item, "unmapped", "pinned to one Swarm node, which the cluster does not have: if the service needs that node's data or device, give the data a storage volume, or label the node that has the device and select that label");
    } else {
        context.note(path, item, "unmapped", `${equal ? "" : "a != constraint: nodeSelector can only require a label; "}the catalog cannot express ${attribute} ${operator} ${value}: set nodeSelector by hand if it matters`);
    }
}
