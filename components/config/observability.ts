import { PROTECTED_ENVIRONMENTS } from "./environment-rules";
import type { EnvironmentName } from "./schema";

/** What an environment means for the monitoring stack, decided once; components receive the numbers. */
export interface ObservabilityDecisions {
    /**
     * Prometheus and Alertmanager replicas. Two Prometheus replicas scrape the same targets independently, so one
     * lost control plane loses no alert; two Alertmanagers gossip and de-duplicate notifications.
     */
    replicas: number;
}

export function observabilityDecisions(environment: EnvironmentName): ObservabilityDecisions {
    return { replicas: PROTECTED_ENVIRONMENTS.includes(environment) ? 2 : 1 };
}
