import { z } from "zod";
import { cidrsOverlap, hasHostBits, isWholeInternet, parseCidr } from "./cidr";

/** The environments a stack can be; each has its own safety rules below. */
export const ENVIRONMENTS = ["integration", "preprod", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** OpenStack sites that host FSGS projects. */
export const SITES = ["cc-in2p3", "ijclab"] as const;

/** Kubernetes minor versions the playbooks and kubeadm config are written for. */
export const SUPPORTED_KUBERNETES_MINORS = [34, 35, 36] as const;

/** Environments where a mistake costs an outage or data: they get the strict rules. */
export const PROTECTED_ENVIRONMENTS: readonly EnvironmentName[] = ["preprod", "prod"];

// kubeadm's default --node-cidr-mask-size for IPv4: each node takes a /24 out of the pod CIDR.
const POD_CIDR_PER_NODE_PREFIX = 24;
// kube-apiserver refuses an IPv4 service range wider than 20 host bits.
const SERVICE_CIDR_MIN_PREFIX = 12;

const name = z
    .string()
    .regex(/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, {
        error: "expected a lowercase DNS label (a-z, 0-9, '-', at most 32 characters)",
    });

const nonEmpty = z.string().trim().min(1, { error: "expected a non-empty string" });

function cidr(family: 4 | "any", prefix: { min: number; max: number } = { min: 0, max: 128 }) {
    return z.string().superRefine((text, ctx) => {
        const parsed = parseCidr(text);
        if (!parsed || (family === 4 && parsed.family !== 4)) {
            ctx.addIssue({
                code: "custom",
                message: `expected an ${family === 4 ? "IPv4 " : ""}CIDR block like 10.20.0.0/24, got ${JSON.stringify(text)}`,
            });
            return;
        }
        if (hasHostBits(text)) {
            ctx.addIssue({
                code: "custom",
                message: `expected the network address of the block (host bits zero), got ${JSON.stringify(text)}`,
            });
        }
        if (parsed.prefix < prefix.min || parsed.prefix > prefix.max) {
            ctx.addIssue({
                code: "custom",
                message: `expected a prefix between /${prefix.min} and /${prefix.max}, got ${JSON.stringify(text)}`,
            });
        }
    });
}

const sshPublicKey = z
    .string()
    .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/=]{32,}( \S.*)?$/, {
        error: "expected one OpenSSH public key line (ssh-ed25519 AAAA... comment)",
    });

/** Size in GiB of a Cinder volume. */
const volumeSize = (min: number) => z.int().min(min).max(16384);

const siteSchema = z.strictObject({
    name: z.enum(SITES),
    region: nonEmpty.optional(),
    externalNetwork: nonEmpty,
    dnsServers: z.array(z.ipv4({ error: "expected an IPv4 address" })).min(1),
    availabilityZones: z.array(nonEmpty).min(1),
    image: z.strictObject({
        name: nonEmpty,
        sshUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: "expected a Unix user name" }),
    }),
    flavors: z.strictObject({
        bastion: nonEmpty,
        controlPlane: nonEmpty,
        worker: nonEmpty,
    }),
    volumeType: nonEmpty.optional(),
});

const networkSchema = z.strictObject({
    nodeCidr: cidr(4, { min: 16, max: 26 }),
    podCidr: cidr(4, { min: 8, max: 22 }),
    serviceCidr: cidr(4, { min: SERVICE_CIDR_MIN_PREFIX, max: 24 }),
});

const accessSchema = z.strictObject({
    adminCidrs: z.array(cidr("any")).min(1),
    sshPublicKeys: z.array(sshPublicKey).min(1),
});

const workerPoolSchema = z.strictObject({
    name,
    count: z.int().min(0).max(100),
    flavor: nonEmpty.optional(),
    dataVolumeSize: volumeSize(10),
    bootVolumeSize: volumeSize(20).optional(),
});

const clusterSchema = z.strictObject({
    kubernetesVersion: z.string().regex(/^1\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/, {
        error: "expected a full Kubernetes version like 1.35.9",
    }),
    controlPlane: z.strictObject({
        count: z.int().min(1).max(7),
        flavor: nonEmpty.optional(),
        bootVolumeSize: volumeSize(20).optional(),
    }),
    workerPools: z.array(workerPoolSchema).min(1),
    apiEndpoint: z.strictObject({
        mode: z.enum(["octavia", "vip"]),
    }),
    cni: z.enum(["calico", "cilium"]),
});

/** The structure of a stack's config; the environment rules are applied on top by `stackConfigSchema`. */
export const stackConfigShape = z.strictObject({
    environment: z.enum(ENVIRONMENTS),
    site: siteSchema,
    network: networkSchema,
    access: accessSchema,
    cluster: clusterSchema,
});

export type StackConfig = z.infer<typeof stackConfigShape>;
export type WorkerPoolConfig = StackConfig["cluster"]["workerPools"][number];

/** One violated environment rule, placed at the key an operator has to change. */
export interface RuleViolation {
    path: (string | number)[];
    message: string;
}

/**
 * The rules that depend on several keys or on the environment. They run once the structure is valid, and
 * each message says why the rule exists so the fix is obvious.
 */
export function environmentRuleViolations(config: StackConfig): RuleViolation[] {
    const violations: RuleViolation[] = [];
    const env = config.environment;
    const strict = PROTECTED_ENVIRONMENTS.includes(env);

    const controlPlanes = config.cluster.controlPlane.count;
    if (strict && (controlPlanes < 3 || controlPlanes % 2 === 0)) {
        violations.push({
            path: ["cluster", "controlPlane", "count"],
            message: `${env} needs an odd number >= 3 (etcd quorum), got ${controlPlanes}`,
        });
    } else if (controlPlanes % 2 === 0) {
        violations.push({
            path: ["cluster", "controlPlane", "count"],
            message: `expected an odd number (an even etcd member count tolerates no more failures than one less), got ${controlPlanes}`,
        });
    }

    const workers = config.cluster.workerPools.reduce((sum, pool) => sum + pool.count, 0);
    if (strict && workers < 3) {
        violations.push({
            path: ["cluster", "workerPools"],
            message: `${env} needs >= 3 workers in all pools together (replicas spread over nodes survive one loss), got ${workers}`,
        });
    }

    const seenPools = new Set<string>();
    config.cluster.workerPools.forEach((pool, index) => {
        if (seenPools.has(pool.name)) {
            violations.push({
                path: ["cluster", "workerPools", index, "name"],
                message: `expected a pool name used once (it names the servers), got ${JSON.stringify(pool.name)} twice`,
            });
        }
        seenPools.add(pool.name);
    });

    if (strict) {
        config.access.adminCidrs.forEach((text, index) => {
            const block = parseCidr(text);
            if (block && isWholeInternet(block)) {
                violations.push({
                    path: ["access", "adminCidrs", index],
                    message: `${env} must not open SSH and the Kubernetes API to the whole Internet; list the admin networks instead, got ${JSON.stringify(text)}`,
                });
            }
        });
    }

    const blocks = {
        nodeCidr: parseCidr(config.network.nodeCidr),
        podCidr: parseCidr(config.network.podCidr),
        serviceCidr: parseCidr(config.network.serviceCidr),
    };
    const keys = ["nodeCidr", "podCidr", "serviceCidr"] as const;
    keys.forEach((key, i) => {
        for (const other of keys.slice(i + 1)) {
            const a = blocks[key];
            const b = blocks[other];
            if (a && b && cidrsOverlap(a, b)) {
                violations.push({
                    path: ["network", other],
                    message: `expected a block that does not overlap network.${key} (${a.text}), got ${JSON.stringify(b.text)}`,
                });
            }
        }
    });

    const nodes = controlPlanes + workers;
    const pods = blocks.podCidr;
    if (pods && 2 ** (POD_CIDR_PER_NODE_PREFIX - pods.prefix) < nodes) {
        violations.push({
            path: ["network", "podCidr"],
            message: `expected room for one /${POD_CIDR_PER_NODE_PREFIX} per node (${nodes} nodes), got ${JSON.stringify(pods.text)}`,
        });
    }

    const minor = Number(config.cluster.kubernetesVersion.split(".")[1]);
    if (!(SUPPORTED_KUBERNETES_MINORS as readonly number[]).includes(minor)) {
        violations.push({
            path: ["cluster", "kubernetesVersion"],
            message: `expected a 1.${SUPPORTED_KUBERNETES_MINORS[0]}-1.${SUPPORTED_KUBERNETES_MINORS[SUPPORTED_KUBERNETES_MINORS.length - 1]}.x release (the versions the playbooks are tested with), got ${JSON.stringify(config.cluster.kubernetesVersion)}`,
        });
    }
    return violations;
}

/** The full schema: structure, then the environment rules. */
export const stackConfigSchema = stackConfigShape.superRefine((config, ctx) => {
    for (const violation of environmentRuleViolations(config)) {
        ctx.addIssue({ code: "custom", path: violation.path, message: violation.message });
    }
});
