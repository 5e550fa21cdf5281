import { asText, isRecord, type ServiceContext } from "./context";
import { childPath } from "./findings";
import { cpuQuantity, memoryQuantity, type Quantity } from "./quantities";

/** The `deploy` section: replicas, resources, and the Swarm scheduler settings the Microservice's defaults replace. */

/** The catalog's replicas bounds, from `serviceSchema`. */
const MAX_REPLICAS = 50;

type SubMapper = (context: ServiceContext, path: string, value: unknown) => void;

const SUB_MAPPERS: Record<string, SubMapper> = {
    mode: (context, path, value) => {
        if (value === "replicated") return;
        const message = value === "global"
            ? "a global service runs one task per node (a DaemonSet); the catalog makes a Deployment or StatefulSet: node agents belong to the platform layer, not the catalog"
            : `mode ${asText(value)}: the catalog runs long-lived services only (a job would be a Kubernetes Job)`;
        context.note(path, value, "unmapped", message);
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
            const settings = Array.isArray(setting) ? setting : [setting];
            settings.forEach((item: unknown, index) => {
                const itemPath = Array.isArray(setting) ? childPath(childPath(path, key), index) : childPath(path, key);
                context.note(itemPath, item, "unmapped", `scheduling is the Microservice defaults' topology spread across nodes and zones; the catalog has no node selection: ${key === "constraints" ? "if the service truly needs particular nodes (a GPU, a licence, local data), that needs a field in the catalog" : "the spread already balances replicas"}`);
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
    if (requestCpu === undefined || requestMemory === undefined || memoryLimit === undefined) {
        context.note(path, value, "unmapped", "the catalog's resources need a CPU and a memory amount: the Microservice's defaults apply; set resources by hand");
        return;
    }
    const impossible = [
        ...(limitCpu !== undefined && requestCpu.amount > limitCpu.amount ? ["CPU"] : []),
        ...(requestMemory.amount > memoryLimit.amount ? ["memory"] : []),
    ];
    if (impossible.length > 0) {
        context.note(path, value, "unmapped", `the ${impossible.join(" and ")} reservation exceeds the limit, which Kubernetes refuses: the Microservice's defaults apply; set resources by hand`);
        return;
    }
    const caveats: string[] = [];
    if (reservedCpu === undefined) caveats.push("the CPU request is the limit (Swarm reserved none)");
    if (reservedMemory === undefined) caveats.push("the memory request is the limit (Swarm reserved none)");
    if (limitMemory === undefined) caveats.push("the memory limit is the reservation (Swarm set none): raise it if the service needs more at peaks");
    context.draft.resources = {
        requests: { cpu: requestCpu.quantity, memory: requestMemory.quantity },
        limits: { ...(limitCpu ? { cpu: limitCpu.quantity } : {}), memory: memoryLimit.quantity },
    };
    if (caveats.length > 0) context.note(path, value, "approximated", `became resources ${JSON.stringify(context.draft.resources)}: ${caveats.join("; ")}`);
}
