import { z } from "zod";
import { hasHostBits, parseCidr } from "./cidr";
import { dataSchema } from "./data-schema";
import { serviceOverrideSchema } from "./service-schema";

/** The environments a stack can be; each has its own safety rules below. */
export const ENVIRONMENTS = ["integration", "preprod", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** OpenStack sites that host FSGS projects. */
export const SITES = ["cc-in2p3", "ijclab"] as const;

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
                message: `expected ${family === 4 ? "an IPv4" : "a"} CIDR block like 10.20.0.0/24, got ${JSON.stringify(text)}`,
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
    /** Keystone, for the cloud-controller-manager and Cinder CSI inside the cluster. */
    authUrl: z.url({ protocol: /^https$/, error: "expected the Keystone URL, https://...:5000/v3" }),
    region: nonEmpty,
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
    /** vCPUs and RAM of each flavor the workers use (`openstack flavor show <name>`): the plan's capacity check reads them. */
    flavorSizes: z.record(nonEmpty, z.strictObject({ vcpus: z.int().min(1).max(1024), ramMiB: z.int().min(512) })),
});

const networkSchema = z.strictObject({
    nodeCidr: cidr(4, { min: 16, max: 26 }),
    podCidr: cidr(4, { min: 8, max: 22 }),
    serviceCidr: cidr(4, { min: SERVICE_CIDR_MIN_PREFIX, max: 24 }),
});

const accessSchema = z.strictObject({
    adminCidrs: z.array(cidr("any")).min(1),
    deployPublicKey: sshPublicKey,
    sshPublicKeys: z.array(sshPublicKey).min(1),
});

const workerPoolSchema = z.strictObject({
    name,
    count: z.int().min(0).max(100),
    flavor: nonEmpty.optional(),
    dataVolumeSize: volumeSize(10),
    bootVolumeSize: volumeSize(20).optional(),
    /** `stateful`: labelled and tainted at join so that only the stateful services (and DaemonSets) run there. */
    role: z.enum(["general", "stateful"]).default("general"),
});

/** etcd snapshots to the site's S3-compatible object storage; the keys are the secrets etcdBackupAccessKey/SecretKey. */
const etcdBackupSchema = z.strictObject({
    /** The object storage's S3 endpoint. */
    endpoint: z.url({ protocol: /^https$/, error: "expected the S3 endpoint of the site's object storage, https://..." }),
    /** The signing region the endpoint expects (Ceph RGW: its zonegroup, often `default`). */
    region: nonEmpty,
    // S3 bucket naming rules (AWS "Bucket naming rules"; Ceph RGW follows them).
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "expected an S3 bucket name (3-63 of a-z, 0-9, '.', '-')" }),
    /** When snapshots are taken, a systemd OnCalendar expression (systemd.time(7)). */
    schedule: z
        .string()
        .regex(/^[A-Za-z0-9*:,./~ -]+$/, { error: "expected a systemd OnCalendar expression such as hourly or *-*-* 00/6:00:00" })
        .default("hourly"),
    /** How many snapshots of each control plane the bucket keeps; older ones are deleted after each upload. */
    // One S3 listing page (1000 keys) holds every snapshot of a control plane.
    keep: z.int().min(2).max(500).default(72),
});

const clusterSchema = z.strictObject({
    kubernetesVersion: z.string().regex(/^1\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/, {
        error: "expected a full Kubernetes version like 1.36.4",
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
    etcdBackup: etcdBackupSchema,
    /**
     * How many workers of each group may be down with everything still fitting at peak (the plan's capacity check,
     * components/kubernetes/capacity.ts). 0 says that losing a worker is an accepted outage; preprod and prod refuse it.
     */
    workerLossTolerance: z.int().min(0).max(3).default(1),
});

const platformSchema = z.strictObject({
    /** Account of the ACME (Let's Encrypt) certificates of the ingresses. */
    acmeEmail: z.email({ error: "expected the e-mail address of the ACME account" }),
    acmeServer: z.url({ protocol: /^https$/ }).default("https://acme-v02.api.letsencrypt.org/directory"),
    /** The GitLab registry the images come from, and the deploy token's user name. */
    registry: z.strictObject({ server: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?$/, { error: "expected a registry host" }), username: nonEmpty }),
});

/** The structure of a stack's config; `environment-rules.ts` adds the rules that span several keys. */
export const stackConfigShape = z.strictObject({
    environment: z.enum(ENVIRONMENTS),
    site: siteSchema,
    network: networkSchema,
    access: accessSchema,
    cluster: clusterSchema,
    platform: platformSchema,
    /** Per-stack changes to catalog entries (services/<name>.yaml): tag, replicas, resources. */
    services: z.record(z.string(), serviceOverrideSchema).default({}),
    /** Backups of the stateful services to object storage, and a point-in-time restore to render (data-schema.ts). */
    data: dataSchema,
});

export type StackConfig = z.infer<typeof stackConfigShape>;
/** The literal unions other layers name, taken from the schema rather than retyped. */
export type ApiEndpointMode = StackConfig["cluster"]["apiEndpoint"]["mode"];
export type CniName = StackConfig["cluster"]["cni"];
export type PoolRole = StackConfig["cluster"]["workerPools"][number]["role"];

