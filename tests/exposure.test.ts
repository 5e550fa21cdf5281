/**
 * Who may reach a service exposed outside the cluster is each stack's explicit decision (components/config/traffic.ts),
 * checked before anything is registered.
 */
import { parseCatalog, readCatalog } from "../components/config/catalog";
import { parseStackConfig } from "../components/config/load";
import type { StackConfig } from "../components/config/schema";
import { exposureProblems, exposureWarnings } from "../components/config/traffic";
import { ROOT, type StackName, rawConfig } from "./support/stacks";

const catalog = parseCatalog(readCatalog(ROOT));
const KEY = "svom-fsgs:services.vhf-listener.exposeSourceRanges";

function withRanges(stack: StackName, ranges: string[] | undefined): StackConfig {
    const config = parseStackConfig(rawConfig(stack));
    const override = { ...config.services["vhf-listener"] };
    delete override.exposeSourceRanges;
    config.services["vhf-listener"] = ranges === undefined ? override : { ...override, exposeSourceRanges: ranges };
    return config;
}

describe("the networks allowed to reach vhf-listener", () => {
    test("the committed stacks pass: integration with its documentation placeholder, preprod and prod closed until the networks are known", () => {
        for (const stack of ["integration", "preprod", "prod"] as const) {
            expect(exposureProblems(parseStackConfig(rawConfig(stack)), catalog)).toEqual([]);
        }
        expect(exposureWarnings(parseStackConfig(rawConfig("integration")), catalog)).toEqual([
            `${KEY}: 192.0.2.0/24 is a documentation block: no real sender reaches vhf-listener in integration`,
        ]);
        expect(exposureWarnings(parseStackConfig(rawConfig("prod")), catalog)).toEqual([
            `${KEY}: empty: nothing outside the cluster reaches vhf-listener in prod until the ground stations' networks are listed here`,
        ]);
    });

    test.each(["integration", "prod"] as const)("are required in %s, with the key named", (stack) => {
        expect(exposureProblems(withRanges(stack, undefined), catalog)).toEqual([
            `${KEY}: required: vhf-listener is reached from outside the cluster (expose in services/vhf-listener.yaml); list the networks allowed to send to it in this stack (the ground stations' relays), or [] for nobody yet`,
        ]);
    });

    test.each(["preprod", "prod"] as const)("refuse a documentation block in %s, naming the key and the fix", (stack) => {
        expect(exposureProblems(withRanges(stack, ["145.238.0.0/24", "198.51.100.0/25"]), catalog)).toEqual([
            `${KEY}[1]: 198.51.100.0/25 is in the documentation block 198.51.100.0/24 (RFC 5737/3849), a placeholder no real sender uses: replace it with the networks the ground stations' relays send from, or [] to keep vhf-listener closed to the outside in ${stack}`,
        ]);
        expect(exposureProblems(withRanges(stack, ["0.0.0.0/0"]), catalog)).toEqual([
            `${KEY}[0]: ${stack} may not open vhf-listener to the whole Internet (0.0.0.0/0): list the ground stations' relay networks`,
        ]);
    });

    test("accept a real network in prod, and a documentation block only outside preprod and prod", () => {
        expect(exposureProblems(withRanges("prod", ["145.238.0.0/24"]), catalog)).toEqual([]);
        expect(exposureProblems(withRanges("integration", ["203.0.113.0/24"]), catalog)).toEqual([]);
        expect(exposureProblems(withRanges("integration", ["10.0.0.0/33"]), catalog)).toEqual([`${KEY}[0]: expected a CIDR block, got "10.0.0.0/33"`]);
    });
});
