import { stringify } from "yaml";
import type { AlertReceiverConfig } from "../../config/observability-schema";

/**
 * Alertmanager's configuration file (prometheus.io/docs/alerting/latest/configuration, Alertmanager 0.25 to 0.34:
 * `matchers` routes, `email_configs`, `webhook_configs`) as a pure function of the stack's receiver and its credential.
 * The result holds the credential: it only ever travels as a Pulumi secret, into the Secret Alertmanager reads.
 */

/** The receiver every alert goes to. */
export const STACK_RECEIVER = "fsgs-ops";
/** Alerts that are not meant for people. */
const NULL_RECEIVER = "null";

export function alertmanagerConfig(receiver: AlertReceiverConfig, credential: string): Record<string, unknown> {
    const target =
        receiver.type === "email"
            ? {
                  name: STACK_RECEIVER,
                  email_configs: [
                      {
                          to: receiver.to.join(", "),
                          from: receiver.from,
                          smarthost: receiver.smarthost,
                          auth_username: receiver.username,
                          auth_password: credential,
                          // Never send the password over a relay that does not offer STARTTLS.
                          require_tls: true,
                          send_resolved: true,
                      },
                  ],
              }
            : { name: STACK_RECEIVER, webhook_configs: [{ url: credential, send_resolved: true }] };
    return {
        route: {
            receiver: STACK_RECEIVER,
            group_by: ["alertname", "namespace"],
            group_wait: "30s",
            group_interval: "5m",
            // An alert still firing is sent again every 4 hours, so a missed message is not the only one.
            repeat_interval: "4h",
            routes: [
                // kube-prometheus-stack's default rules: Watchdog always fires (a dead-man's switch for an outside
                // checker), InfoInhibitor only mutes info alerts; neither is for a person.
                { receiver: NULL_RECEIVER, matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
                { receiver: NULL_RECEIVER, matchers: ['severity="info"'] },
            ],
        },
        // A critical alert mutes the warning of the same name on the same target (the kube-prometheus defaults).
        inhibit_rules: [
            { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "namespace", "instance"] },
        ],
        receivers: [target, { name: NULL_RECEIVER }],
    };
}

/** The file, `alertmanager.yaml`, as Alertmanager reads it from its config Secret. */
export function renderAlertmanagerConfig(receiver: AlertReceiverConfig, credential: string): string {
    return stringify(alertmanagerConfig(receiver, credential), { lineWidth: 0 });
}
