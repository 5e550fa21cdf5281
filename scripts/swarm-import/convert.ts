import { serviceSchema, type ServiceInput } from "../../components/config/service-schema";
import { asList, dnsLabelFrom, isRecord, ServiceContext, type StackContext } from "./context";
import { mapDeploy } from "./deploy";
import { childPath, HIDDEN, type ImportFinding, type Severity } from "./findings";
import { interpolateTree, type InterpolationNote } from "./interpolate";
import { mapConfigs, mapSecrets, mapTmpfs, mapVolumes, namedVolumeSource } from "./mounts";
import { mapCommand, mapEnvironment, mapHealthcheck, mapImage, mapStopGracePeriod, mapUser } from "./process";
import { renderEntry } from "./report";
import { renderProblems } from "./render-check";
import { findCallers, inferPorts, mapExpose, mapLabels, mapNetworks, mapPorts, serviceNetworks } from "./routing";
import { mapTemplates } from "./templates";
import { containsCredentials, hasSecretMark, looksLikeSecretName, replaceSecretMarks, secretMarkNames, showSecretMarks } from "./secrets";

/**
 * Turns a Docker Swarm stack (compose file format 3.x, parsed) into catalog entries, one per service, and a
 * report of every field that did not map exactly. Pure: the caller reads and writes the files.
 */

export interface ConvertOptions {
    /** The catalog domain the services join: their namespace is `fsgs-<domain>`. */
    domain: string;
    /** The GitLab registry path images must come from, e.g. `gitlab-registry.in2p3.fr/svom/fsgs`. */
    registry?: string;
    /** The name the stack was deployed under: Swarm's DNS also answers `<stack>_<service>`. */
    stackName?: string;
    /** Values for `${VAR}` interpolation, as the shell running docker stack deploy had them. */
    variables?: Readonly<Record<string, string>>;
}

/** An entry that passes the schema but would not deploy (it does not render, or Swarm ran it in a way the catalog cannot). */
export interface DraftEntry {
    entry: ServiceInput;
    /** Why it is a draft: the render errors and the blocking findings. */
    reasons: string[];
}

export interface ConversionResult {
    /** Entries that render through the program's manifest code in every environment, in the order of the compose file. */
    services: ServiceInput[];
    /** Entries that would not deploy as they are: written where the catalog does not load them. */
    drafts: DraftEntry[];
    report: ImportFinding[];
    /** Catalog name -> the compose service it came from (findings name the compose service), drafts included. */
    origins: Record<string, string>;
}

/** The input is not a stack: no `services` map. */
export class ComposeFormatError extends Error {}

/** The options themselves are wrong (a domain that is no DNS label...). */
export class ImportOptionsError extends Error {}

const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const REGISTRY_PATH = /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/;

type Mapper = (context: ServiceContext) => void;

/** Fields that map to the entry, in the order that lets later ones use earlier results (ingress needs ports...). */
const MAPPERS: readonly { keys: readonly string[]; map: Mapper; always?: boolean }[] = [
    { keys: ["image"], map: mapImage, always: true },
    { keys: ["entrypoint", "command"], map: mapCommand },
    { keys: ["environment"], map: mapEnvironment },
    { keys: ["ports"], map: mapPorts },
    { keys: ["expose"], map: mapExpose },
    { keys: ["deploy"], map: mapDeploy },
    { keys: ["healthcheck"], map: mapHealthcheck },
    { keys: ["secrets"], map: mapSecrets },
    { keys: ["configs"], map: mapConfigs },
    { keys: ["volumes"], map: mapVolumes },
    { keys: ["tmpfs"], map: mapTmpfs },
    { keys: ["user"], map: mapUser, always: true },
    { keys: ["read_only"], map: mapReadOnly, always: true },
    { keys: ["labels"], map: mapLabels, always: true },
    { keys: [], map: inferPorts, always: true },
    { keys: ["networks"], map: mapNetworks, always: true },
    { keys: ["stop_grace_period"], map: mapStopGracePeriod },
];

const IGNORED_BY_STACK_DEPLOY = "docker stack deploy ignores it (\"Ignoring unsupported options\"), so the Swarm service never had it";
const RESTRICTED = "forbidden under the restricted Pod Security Standard";

/** Fields with nothing to map: what they meant under Swarm and what replaces them. */
const FIXED_FINDINGS: Readonly<Record<string, readonly [Severity, string]>> = {
    build: ["info", `${IGNORED_BY_STACK_DEPLOY}: the image comes from CI`],
    restart: ["info", `${IGNORED_BY_STACK_DEPLOY} (deploy.restart_policy applies): pods always restart`],
    container_name: ["info", `${IGNORED_BY_STACK_DEPLOY}: the catalog name names the workload`],
    depends_on: ["info", "Swarm ignores start order, and so does Kubernetes: the service must retry until what it needs is ready (its readiness probe keeps it out of its Service meanwhile)"],
    env_file: ["unmapped", "the importer does not read the files env_file names (they may hold secrets): copy plain settings into env, and put secrets in a Secret referenced by secretEnv"],
    logging: ["unmapped", "containers log to stdout and stderr, which the cluster's log collection ships: the driver and its options are not carried"],
    extra_hosts: ["unmapped", "the catalog has no hostAliases: give these names a DNS record, or an ExternalName Service"],
    dns: ["unmapped", "pods use the cluster DNS; the catalog cannot change it"],
    dns_search: ["unmapped", "pods use the cluster DNS and its search domains; the catalog cannot change them"],
    dns_opt: ["unmapped", "pods use the cluster DNS; the catalog cannot change its options"],
    hostname: ["unmapped", "the pod's hostname is its own name; other services reach it by its Service name"],
    domainname: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}; the pod's domain is the cluster's`],
    stop_signal: ["unmapped", "Kubernetes sends the image's STOPSIGNAL (SIGTERM by default): set STOPSIGNAL in the Dockerfile"],
    working_dir: ["unmapped", "the catalog has no working directory: set WORKDIR in the image"],
    init: ["unmapped", "no init process is added: the image's entrypoint must reap its children (tini, dumb-init)"],
    tty: ["unmapped", "a service has no terminal"],
    stdin_open: ["unmapped", "a service has no standard input"],
    privileged: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}; privileged containers are ${RESTRICTED} anyway`],
    cap_add: ["unmapped", `the Microservice drops every capability; adding any but NET_BIND_SERVICE is ${RESTRICTED}, and the catalog has no field for that one: listen above port 1024`],
    cap_drop: ["info", "the Microservice drops every capability already"],
    security_opt: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}; the Microservice applies the restricted profile (RuntimeDefault seccomp, no privilege escalation)`],
    devices: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}; host devices are ${RESTRICTED}`],
    network_mode: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}; the host network is ${RESTRICTED}`],
    pid: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}; the host's PID namespace is ${RESTRICTED}`],
    ipc: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}; the host's IPC namespace is ${RESTRICTED}`],
    userns_mode: ["unmapped", IGNORED_BY_STACK_DEPLOY],
    cgroup_parent: ["unmapped", IGNORED_BY_STACK_DEPLOY],
    links: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}: services reach each other by Service name`],
    external_links: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}: services reach each other by Service name`],
    mac_address: ["unmapped", IGNORED_BY_STACK_DEPLOY],
    shm_size: ["unmapped", `${IGNORED_BY_STACK_DEPLOY}; a larger /dev/shm would need a memory-backed volume, which the catalog does not make`],
    sysctls: ["unmapped", `the catalog sets no sysctls, and the unsafe ones are ${RESTRICTED}`],
    ulimits: ["unmapped", "the container runtime's limits apply; the catalog sets none"],
    isolation: ["unmapped", "Windows containers only"],
};

function mapReadOnly(context: ServiceContext): void {
    const value = context.raw.read_only;
    if (value === true) {
        context.note(context.at("read_only"), value, "info", "the catalog's root filesystem is read-only too; writablePaths lists what the service writes to");
    } else {
        context.note(context.at("read_only"), value ?? "(not set: writable)", "approximated", "the catalog's root filesystem is read-only (only /tmp and writablePaths are writable): list in writablePaths the directories the service writes to, or it fails at the first write");
    }
}

function checkReachability(context: ServiceContext): void {
    if (context.draft.ports.length > 0) return;
    const reach = "if other services connect to it, add the ports they use: Swarm's virtual IP forwarded every port, a Kubernetes Service forwards only those it lists";
    if (context.draft.probe) {
        context.note(context.path, "(no ports)", "approximated", `no ports: right for a worker; ${reach}`);
    } else {
        context.note(context.path, "(no ports, no healthcheck)", "unmapped", `the Microservice probes TCP on the first port and this service has none: write exec probes (a service without ports must declare them); and ${reach}`);
    }
}

/** The top-level field a finding's path is under, for sorting findings in the order of the file. */
function fieldRank(context: ServiceContext, path: string): number {
    const keys = Object.keys(context.raw);
    const rank = keys.findIndex((key) => {
        const keyPath = context.at(key);
        return path === keyPath || path.startsWith(`${keyPath}.`) || path.startsWith(`${keyPath}[`);
    });
    return rank < 0 ? keys.length : rank;
}

/** Draft -> entry in the schema's order, without empty fields. */
function assembleEntry(context: ServiceContext, description: string): Record<string, unknown> {
    const draft = context.draft;
    const nonEmpty = <T>(value: T[] | Record<string, T>): typeof value | undefined => (Object.keys(value).length > 0 ? value : undefined);
    const entry: Record<string, unknown> = {
        name: context.name,
        domain: context.stack.domain,
        description,
        image: draft.image,
        command: draft.command,
        args: draft.args,
        env: nonEmpty(draft.env),
        secretEnv: nonEmpty(draft.secretEnv),
        configFiles: nonEmpty(draft.configFiles),
        secretFiles: nonEmpty(draft.secretFiles),
        ports: nonEmpty(draft.ports),
        // Two copies: the same object twice would be written as a YAML alias.
        probes: draft.probe ? { readiness: structuredClone(draft.probe), liveness: structuredClone(draft.probe), ...(draft.probeTiming ? { timing: withoutUndefined(draft.probeTiming) } : {}) } : undefined,
        replicas: draft.singleton ? undefined : draft.replicas,
        singleton: draft.singleton,
        nodeSelector: nonEmpty(draft.nodeSelector),
        terminationGracePeriodSeconds: draft.terminationGracePeriodSeconds,
        resources: draft.resources,
        storage: draft.storage,
        writablePaths: nonEmpty(draft.writablePaths),
        runAsUser: draft.runAsUser,
        ingress: draft.ingress,
        allowFrom: nonEmpty(draft.allowFrom),
        connectsTo: nonEmpty(draft.connectsTo),
    };
    return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));
}

function withoutUndefined<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as T;
}

/** Images of servers whose replicas would not share their data: two are two separate databases, brokers, queues. */
const SINGLE_INSTANCE_IMAGES = /(^|\/)(postgres|postgis|mysql|mariadb|mongo|redis|valkey|rabbitmq|influxdb|sqlite[^/]*)$/;

/**
 * A service Swarm ran once and whose replicas would split its state stays at one replica everywhere: the
 * catalog's minimum of two replicas in preprod and prod would otherwise make two independent copies.
 */
function decideSingleton(context: ServiceContext): void {
    const draft = context.draft;
    if (draft.replicas !== undefined && draft.replicas > 1) return;
    const image = typeof context.raw.image === "string" ? context.raw.image.split("@")[0].replace(/:[^/]*$/, "") : "";
    const known = SINGLE_INSTANCE_IMAGES.exec(image)?.[2];
    const reasons = [
        ...(draft.storage ? [`Swarm ran one replica with its data on a volume (${draft.storage.mountPath}); a second replica would get a volume of its own and the data would split in two`] : []),
        ...(known ? [`a ${known} server keeps its state to itself: two replicas behind one Service would be two separate ${known === "rabbitmq" || known === "redis" || known === "valkey" ? "brokers, each with half the messages" : "databases"}`] : []),
    ];
    if (reasons.length === 0) return;
    draft.singleton = { reason: reasons.join("; ") };
    context.note(context.at("deploy", "replicas"), draft.replicas ?? "(not set: 1)", "approximated", `became singleton: ${reasons.join("; ")}. It keeps one replica in every environment (the two-replica minimum of preprod and prod is waived for it) and is replaced by stopping the old pod first, so a node drain stops it for a moment. To scale it, make it a replicated cluster first (and remove singleton)`);
}

const REQUIRED_FIELDS = new Set(["name", "domain", "image"]);

/** The entry if the schema takes it, dropping (and reporting) optional fields it rejects; undefined if a required one fails. */
function validEntry(context: ServiceContext, entry: Record<string, unknown>): ServiceInput | undefined {
    const candidate = { ...entry };
    for (;;) {
        const result = serviceSchema.safeParse(candidate);
        // The schema accepted it as input, which is what the entry is.
        if (result.success) return candidate as ServiceInput;
        const fields = new Set(result.error.issues.map((issue) => String(issue.path[0] ?? "")));
        for (const issue of result.error.issues) {
            const field = String(issue.path[0] ?? "");
            context.note(context.path, candidate[field] ?? null, "unmapped", `the catalog schema rejects ${issue.path.join(".") || "the entry"}: ${issue.message}; ${REQUIRED_FIELDS.has(field) || field === "" ? "no entry is written for this service" : "the field is left out of the entry"}`);
        }
        if ([...fields].some((field) => REQUIRED_FIELDS.has(field) || field === "")) return undefined;
        for (const field of fields) delete candidate[field];
    }
}

/** Each interpolation finding goes just before the first other finding on the same field, or after the field's last. */
function mergeInterpolationFindings(context: ServiceContext, interpolation: readonly ImportFinding[]): void {
    for (const finding of interpolation) {
        const index = context.findings.findIndex((other) => other.path === finding.path);
        if (index < 0) context.findings.push(finding);
        else context.findings.splice(index, 0, finding);
    }
}

function convertService(context: ServiceContext, description: string, interpolation: readonly ImportFinding[]): ServiceInput | undefined {
    const handled = new Set<string>();
    for (const mapper of MAPPERS) {
        mapper.keys.forEach((key) => handled.add(key));
        if (mapper.always || mapper.keys.some((key) => context.raw[key] !== undefined)) mapper.map(context);
    }
    for (const [key, value] of Object.entries(context.raw)) {
        if (handled.has(key)) continue;
        const fixed = FIXED_FINDINGS[key];
        if (key.startsWith("x-")) context.note(context.at(key), value, "info", "an extension field: Docker ignores it");
        else if (fixed) context.note(context.at(key), value, fixed[0], fixed[1]);
        else context.note(context.at(key), value, "unmapped", "a field the importer does not know: check it by hand");
    }
    mapTemplates(context);
    decideSingleton(context);
    checkReachability(context);
    mergeInterpolationFindings(context, interpolation);
    // Stable sort: the order of the file, then the order of the mappers within a field.
    const ranked = context.findings.map((finding, index) => ({ finding, index, rank: fieldRank(context, finding.path) }));
    ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
    context.findings.splice(0, context.findings.length, ...ranked.map(({ finding }) => finding));

    if (context.draft.image === undefined) return undefined;
    return validEntry(context, withoutSecretMarks(context, assembleEntry(context, description)));
}

/**
 * The fields that know how to refer to a secret (env, command, args, probes) have replaced its mark; one left
 * anywhere else (a label, a path...) becomes a placeholder the report explains, never the value.
 */
function withoutSecretMarks(context: ServiceContext, entry: Record<string, unknown>): Record<string, unknown> {
    const scrub = (value: unknown, path: string): unknown => {
        if (typeof value === "string") {
            if (!hasSecretMark(value)) return value;
            const names = secretMarkNames(value);
            context.note(context.path, `entry.${path}`, "unmapped", `the entry's ${path} held the secret variable${names.length > 1 ? "s" : ""} ${names.join(", ")}, which this field cannot refer to: it says <secret ${names.join(", ")}>; set it by hand, from a Secret`);
            return replaceSecretMarks(value, (name) => `<secret ${name}>`);
        }
        if (Array.isArray(value)) return value.map((item: unknown, index) => scrub(item, `${path}[${index}]`));
        if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, scrub(inner, path === "" ? key : `${path}.${key}`)]));
        return value;
    };
    return scrub(entry, "") as Record<string, unknown>;
}

function checkOptions(options: ConvertOptions): void {
    if (!DNS_LABEL.test(options.domain)) throw new ImportOptionsError(`domain: expected a lowercase DNS label, got ${JSON.stringify(options.domain)}`);
    if (options.registry !== undefined && !REGISTRY_PATH.test(options.registry)) {
        throw new ImportOptionsError(`registry: expected a registry path like gitlab-registry.example.org/group, got ${JSON.stringify(options.registry)}`);
    }
}

function stackLevelFindings(compose: Record<string, unknown>, findings: ImportFinding[]): void {
    const note = (path: string, value: unknown, severity: Severity, message: string) => findings.push({ path, value, severity, message });
    for (const [key, value] of Object.entries(compose)) {
        if (key === "services" || key === "volumes" || key === "secrets" || key === "configs") continue;
        if (key === "version") note(key, value, "info", "the compose format version: the importer reads the 3.x fields docker stack deploy reads");
        else if (key === "name") note(key, value, "info", "the stack's name: the catalog groups services by domain instead");
        else if (key.startsWith("x-")) note(key, value, "info", "an extension field: Docker ignores it; what reaches a service through an anchor is imported with that service");
        else if (key === "networks" && isRecord(value)) {
            for (const [network, declaration] of Object.entries(value)) {
                const encrypted = isRecord(declaration) && isRecord(declaration.driver_opts) && declaration.driver_opts.encrypted !== undefined;
                note(childPath("networks", network), declaration ?? null, "info", `overlay networks give way to NetworkPolicies built from each entry's allowFrom${encrypted ? "; encryption between nodes is the CNI's concern, not the catalog's" : ""}`);
            }
        } else note(key, value, "unmapped", "a top-level field the importer does not know: check it by hand");
    }
}

export function convertStack(compose: unknown, options: ConvertOptions): ConversionResult {
    checkOptions(options);
    if (!isRecord(compose) || !isRecord(compose.services) || Object.keys(compose.services).length === 0) {
        throw new ComposeFormatError("not a stack file: expected a map with a non-empty `services` map");
    }
    const variables = new Map(Object.entries(options.variables ?? {}));
    const notes: InterpolationNote[] = [];
    const section = (key: string): Record<string, unknown> => {
        const value = compose[key];
        if (!isRecord(value)) return {};
        return interpolateTree(value, variables, key, notes) as Record<string, unknown>;
    };
    const services = section("services");
    const report: ImportFinding[] = [];
    const serviceOf = (path: string) => Object.keys(services).find((name) => path === childPath("services", name) || path.startsWith(`${childPath("services", name)}.`) || path.startsWith(`${childPath("services", name)}[`));

    const names = new Map<string, string>();
    const networkMembers = new Map<string, string[]>();
    const volumeUsers = new Map<string, string[]>();
    for (const [composeName, raw] of Object.entries(services)) {
        const path = childPath("services", composeName);
        const name = dnsLabelFrom(composeName);
        const taken = [...names].find(([, other]) => other === name)?.[0];
        if (name === undefined || taken !== undefined || !isRecord(raw)) {
            const reason = !isRecord(raw) ? "expected a map" : name === undefined ? "no DNS label can be made from this name" : `its catalog name ${name} is already ${taken}'s`;
            report.push({ service: composeName, path, value: composeName, severity: "unmapped", message: `${reason}: no entry is written for this service` });
            continue;
        }
        names.set(composeName, name);
        if (name !== composeName) report.push({ service: composeName, path, value: composeName, severity: "info", message: `named ${name} in the catalog (a DNS label)` });
        for (const network of serviceNetworks(raw)) networkMembers.set(network, [...(networkMembers.get(network) ?? []), composeName]);
        for (const source of asList(raw.volumes).map(namedVolumeSource)) {
            if (source !== undefined) volumeUsers.set(source, [...(volumeUsers.get(source) ?? []), composeName]);
        }
    }
    const callers = findCallers({ names, stackName: options.stackName }, services);
    const stack: StackContext = {
        domain: options.domain,
        registry: options.registry?.replace(/\/+$/, ""),
        stackName: options.stackName,
        names,
        networks: section("networks"),
        volumes: section("volumes"),
        secrets: section("secrets"),
        configs: section("configs"),
        networkMembers,
        volumeUsers,
        callers,
    };

    const interpolationFindings: ImportFinding[] = notes.map((note) => {
        // The variable's name, the map key or the list item's NAME= may tell a credential.
        const names = [note.variable, note.path.replace(/^.*[.[]/, ""), note.text.split("=")[0]];
        const secret = note.fallback !== undefined && (names.some(looksLikeSecretName) || containsCredentials(note.fallback));
        const message = note.fallback === undefined ? note.message : `${note.message} ${secret ? HIDDEN : `\`${note.fallback}\``}`;
        return { service: serviceOf(note.path), path: note.path, value: `\${${note.variable}}`, severity: note.severity, message };
    });
    report.push(...interpolationFindings.filter((finding) => finding.service === undefined || !names.has(finding.service)));
    stackLevelFindings(compose, report);

    const entries: ServiceInput[] = [];
    const drafts: DraftEntry[] = [];
    const origins: Record<string, string> = {};
    for (const [composeName, name] of names) {
        const context = new ServiceContext(composeName, name, services[composeName] as Record<string, unknown>, stack);
        const description = `Imported from the Docker Swarm service ${composeName}${options.stackName ? ` of the stack ${options.stackName}` : ""}.`;
        const entry = convertService(context, description, interpolationFindings.filter((finding) => finding.service === composeName));
        if (entry) {
            origins[entry.name] = composeName;
            // The text the catalog would read, through the program's own manifest code.
            const problems = renderProblems(entry.name, renderEntry(entry, [], "report"));
            for (const problem of problems) context.note(context.path, "(entry)", "unmapped", `the entry does not render in npm run plan: ${problem}; it is written as a draft`);
            const reasons = [...problems, ...context.blockers];
            if (reasons.length > 0) drafts.push({ entry, reasons });
            else entries.push(entry);
        }
        report.push(...context.findings);
    }
    // A finding shows a secret variable by its name, never by a mark (or a value).
    const shown = report.map((finding) => ({ ...finding, value: showSecretMarks(finding.value), message: String(showSecretMarks(finding.message)) }));
    return { services: entries, drafts, report: sortByService(shown, Object.keys(services)), origins };
}

/** Stack-level findings first, then each service's, in the order of the file. */
function sortByService(report: ImportFinding[], order: string[]): ImportFinding[] {
    const rank = (finding: ImportFinding) => (finding.service === undefined ? -1 : order.indexOf(finding.service));
    return report.map((finding, index) => ({ finding, index })).sort((a, b) => rank(a.finding) - rank(b.finding) || a.index - b.index).map(({ finding }) => finding);
}

