import { z } from "zod";

/**
 * `svom-fsgs:data`: where the stateful services' backups go, and a point-in-time restore to render. The access key
 * pair of the object store is a stack secret (secrets.ts), never here.
 */

const nonEmpty = z.string().trim().min(1, { error: "expected a non-empty string" });

// S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens (AWS "Bucket naming rules", which Ceph RGW follows).
const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "expected an S3 bucket name (3-63 of a-z, 0-9, '.', '-')" });

/** The site's S3-compatible object storage (Ceph RGW at CC-IN2P3 and IJCLab) and the retention of what goes there. */
export const backupSchema = z.strictObject({
    /** The S3 endpoint, e.g. https://s3.example.org; the database pods reach it over HTTPS. */
    endpoint: z.url({ protocol: /^https$/, error: "expected the object store's HTTPS endpoint, https://..." }),
    /** Addresses of the endpoint, for the NetworkPolicy egress of the database pods (a NetworkPolicy takes no host names). */
    endpointCidrs: z.array(z.string().regex(/^[0-9.]+\/[0-9]+$/, { error: "expected an IPv4 CIDR" })).min(1),
    bucket,
    /** Days of base backups and WAL kept: a restore can reach any second of this window. */
    // At least a week: an incident found after a long week-end must still be restorable.
    retentionDays: z.int().min(7).max(3650),
    /**
     * When the base backup runs, a six-field cron (seconds first, the format of ScheduledBackup.spec.schedule,
     * robfig/cron with seconds). Daily at the least: the alert fires when the last one is older than 26 h.
     */
    baseBackupSchedule: z
        .string()
        .regex(/^\S+ \S+ \S+ \S+ \S+ \S+$/, { error: "expected a six-field cron with seconds, e.g. \"0 0 2 * * *\"" })
        .default("0 0 2 * * *"),
});

/** A point-in-time restore of one database into a new cluster beside the running one (README "Restore a database"). */
export const restoreSchema = z.strictObject({
    /** The catalog entry whose backups are restored. */
    database: nonEmpty,
    /** The instant to recover to, RFC 3339 with a zone, e.g. 2026-12-03T09:30:00Z. */
    targetTime: z.iso.datetime({ offset: true, error: "expected an RFC 3339 time with a zone, e.g. 2026-12-03T09:30:00Z" }),
});

export const dataSchema = z
    .strictObject({
        backup: backupSchema.optional(),
        restore: restoreSchema.optional(),
    })
    .default({});

export type BackupConfig = z.infer<typeof backupSchema>;
export type RestoreConfig = z.infer<typeof restoreSchema>;
export type DataConfig = z.infer<typeof dataSchema>;
