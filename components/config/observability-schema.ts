import { z } from "zod";

/**
 * `svom-fsgs:observability`: where Grafana is served, where alerts go, and how long metrics and logs are kept. The
 * receiver's credential (a webhook URL, which carries its token, or the SMTP password) and Grafana's admin password
 * are stack secrets (secrets.ts), never here.
 */

// RFC 1123 host name, as a Gateway listener's `hostname` takes it (Gateway API v1.6, PreciseHostname).
const hostname = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, { error: "expected a DNS host name such as grafana.fsgs.svom.eu" });

/** Alerts by e-mail through the site's SMTP relay; the password (if the relay asks one) is the secret alertReceiverSecret. */
const emailReceiver = z.strictObject({
    type: z.literal("email"),
    to: z.array(z.email({ error: "expected an e-mail address" })).min(1),
    from: z.email({ error: "expected the sender's e-mail address" }),
    /** `host:port` of the relay (Alertmanager's `smarthost`); 587 speaks STARTTLS, which Alertmanager requires by default. */
    smarthost: z.string().regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, { error: "expected host:port, e.g. smtp.example.org:587" }),
    /** SMTP user name; the relay's password is the secret alertReceiverSecret. */
    username: z.string().trim().min(1),
});

/** Alerts POSTed to a webhook (Mattermost, Slack-compatible, a ticketing bridge); its URL is the secret alertReceiverSecret. */
const webhookReceiver = z.strictObject({ type: z.literal("webhook") });

/** How long data is kept and how large its Cinder volume is; the size caps the data before the days do. */
const retention = (days: number, sizeGiB: number) =>
    z
        .strictObject({
            retentionDays: z.int().min(1).max(365),
            volumeSizeGiB: z.int().min(10).max(4096),
        })
        .default({ retentionDays: days, volumeSizeGiB: sizeGiB });

export const observabilitySchema = z.strictObject({
    /** Host name of Grafana on the stack's Gateway (an HTTPS listener and certificate of its own). */
    grafanaHost: hostname,
    /** Where every alert goes. */
    alertReceiver: z.discriminatedUnion("type", [emailReceiver, webhookReceiver]),
    /** Prometheus' time series. */
    metrics: retention(15, 50),
    /** Loki's log chunks and index. */
    logs: retention(14, 50),
});

export type ObservabilityConfig = z.infer<typeof observabilitySchema>;
export type AlertReceiverConfig = ObservabilityConfig["alertReceiver"];
