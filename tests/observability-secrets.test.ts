/**
 * README, Observability: the receiver's credential and Grafana's admin password are stack secrets rendered into
 * Kubernetes Secrets "a Pulumi secret end to end, never chart values". Checked on what the engine receives: under
 * Pulumi's mocks a secret input arrives wrapped as { [specialSigKey]: specialSecretSig, value } (@pulumi/pulumi
 * runtime/rpc.js deserializeProperty), so a plain value shows as a plain value. (That the Secrets' stringData is a
 * secret is not tested here: @pulumi/kubernetes' Secret constructor wraps stringData in pulumi.secret itself, so
 * no change of this program's code can make it plain; `pulumi.unsecret` on it was tried and stayed secret.)
 */
import * as pulumi from "@pulumi/pulumi";
import { observability } from "../components/kubernetes/platform/observability";

// @pulumi/pulumi runtime/rpc.ts: specialSigKey and specialSecretSig.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const WEBHOOK = "https://chat.example.org/hooks/receiver-token-7f3a";
const PASSWORD = "grafana-admin-password-51c2";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

const isWrappedSecret = (value: unknown): boolean =>
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;

/** Every plain string of a value, secrets' insides left out. */
function plainStrings(value: unknown): string[] {
    if (isWrappedSecret(value)) {
        return [];
    }
    if (typeof value === "string") {
        return [value];
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).flatMap(plainStrings);
    }
    return [];
}

beforeAll(async () => {
    await pulumi.runtime.setMocks({
        newResource: (args) => {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
    }, "project", "prod", false);
    const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
    observability("observability", {
        replicas: 2,
        metrics: { retentionDays: 15, volumeSizeGiB: 50 },
        logs: { retentionDays: 14, volumeSizeGiB: 50 },
        storageClass: "csi-cinder",
        grafanaHost: "grafana.fsgs.example.org",
        alertReceiver: { type: "webhook" },
        alertReceiverSecret: pulumi.secret(WEBHOOK),
        grafanaAdminPassword: pulumi.secret(PASSWORD),
        gateway: { name: "fsgs", namespace: "gateway", proxyNamespace: "envoy-gateway-system", proxyPodLabels: { app: "envoy" } },
        nodeCidr: "10.0.0.0/24",
        clusterCidrs: ["10.244.0.0/16", "10.96.0.0/12"],
        scrapeTargets: [],
        cni: "calico",
        protectStoredData: true,
    }, { parent });
    // Let the registrations reach the mocks.
    await new Promise((resolve) => setTimeout(resolve, 500));
});

describe("README, Observability: receiver and Grafana credentials", () => {
    it("no resource holds the receiver's credential or Grafana's password as a plain value (chart values included)", () => {
        expect(registered.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").length).toBeGreaterThanOrEqual(1);
        const leaks = registered.filter((r) => plainStrings(r.inputs).some((text) => text.includes("receiver-token-7f3a") || text.includes(PASSWORD)));
        expect(leaks.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    });
});
