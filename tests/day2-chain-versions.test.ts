import { KUBERNETES_RELEASES, type KubernetesRelease } from "../components/config/kubernetes-versions";
import { chainVersions } from "../scripts/cluster-day2/chain-versions";

const row = (minor: number, endOfLife: string): KubernetesRelease => ({ ...KUBERNETES_RELEASES[0], minor, endOfLife });

describe("the Kubernetes versions of the day-2 chain", () => {
    // Fails on the day the chain's start release leaves upstream support without the table moving on:
    // the chain must then start from a newer minor, which needs a newer row in the table.
    it("start on a release inside upstream support today", () => {
        const today = new Date().toISOString().slice(0, 10);
        const versions = chainVersions(KUBERNETES_RELEASES, new Date());
        expect(versions.startEndOfLife >= today).toBe(true);
    });

    it("start on the oldest supported minor and walk one minor, then ask to skip one", () => {
        expect(chainVersions(KUBERNETES_RELEASES, new Date("2026-12-03T12:00:00Z"))).toEqual({
            start: "1.35.0",
            next: "1.36.0",
            skip: "1.37.0",
            startEndOfLife: "2027-02-28",
        });
    });

    it("move on once the oldest minor reaches its end of life", () => {
        const table = [row(35, "2027-02-28"), row(36, "2027-06-28"), row(37, "2027-10-28"), row(38, "2028-02-28")];
        expect(chainVersions(table, new Date("2027-02-28T12:00:00Z")).start).toBe("1.35.0");
        expect(chainVersions(table, new Date("2027-03-01T00:00:00Z"))).toEqual({
            start: "1.36.0",
            next: "1.37.0",
            skip: "1.38.0",
            startEndOfLife: "2027-06-28",
        });
    });

    it("refuse to start past the table, naming the row to add", () => {
        expect(() => chainVersions(KUBERNETES_RELEASES, new Date("2027-03-01T00:00:00Z"))).toThrow(
            "needs 1.38 in KUBERNETES_RELEASES (components/config/kubernetes-versions.ts): add its row",
        );
        expect(() => chainVersions(KUBERNETES_RELEASES, new Date("2028-01-01T00:00:00Z"))).toThrow("no Kubernetes release");
    });
});
