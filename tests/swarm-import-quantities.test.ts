/**
 * Docker's notations for CPUs, memory and durations, as the importer reads them from a Compose file. Expected values
 * are worked out by hand from the notations' definitions: go-units `RAMInBytes` (github.com/docker/go-units,
 * size.go: binary units whatever their spelling, an optional space, `i` and `b` suffixes), Go's
 * `time.ParseDuration` (ns, us, µs, ms, s, m, h) and Kubernetes quantities (`100m` millicores, `128Mi`).
 */
import { cpuQuantity, durationSeconds, kubernetesQuantity, memoryQuantity } from "../scripts/swarm-import/quantities";

describe("cpuQuantity", () => {
    it.each([
        [" 0.5 ", { quantity: "500m", amount: 500, exact: true }],
        [".5", { quantity: "500m", amount: 500, exact: true }],
        [".25", { quantity: "250m", amount: 250, exact: true }],
        ["1.", { quantity: "1", amount: 1000, exact: true }],
        [2, { quantity: "2", amount: 2000, exact: true }],
        ["3000", { quantity: "3000", amount: 3_000_000, exact: true }],
        ["1.0005", { quantity: "1001m", amount: 1001, exact: false }],
        ["0.0015", { quantity: "2m", amount: 2, exact: false }],
        // Below one millicore: Kubernetes' smallest CPU unit, rounded up rather than to nothing.
        ["0.0004", { quantity: "1m", amount: 1, exact: false }],
    ])("%p cores -> %p", (cpus, expected) => {
        expect(cpuQuantity(cpus)).toEqual(expected);
    });

    it.each([["0"], ["0.000"], ["-1"], ["1.2.3"], ["1e3"], ["abc"], ["1x"], [""], ["a0.5"], ["0.5a"], [null], [undefined], [true], [{ cpus: 1 }]])(
        "refuses %p",
        (cpus) => {
            expect(cpuQuantity(cpus)).toBeUndefined();
        },
    );
});

describe("memoryQuantity", () => {
    it.each([
        ["512 M", { quantity: "512Mi", amount: 536_870_912, exact: true }],
        [" 1g ", { quantity: "1Gi", amount: 1_073_741_824, exact: true }],
        ["512MiB", { quantity: "512Mi", amount: 536_870_912, exact: true }],
        ["512Mb", { quantity: "512Mi", amount: 536_870_912, exact: true }],
        ["1536k", { quantity: "1536Ki", amount: 1_572_864, exact: true }],
        ["1.25g", { quantity: "1280Mi", amount: 1_342_177_280, exact: true }],
        ["2048", { quantity: "2Ki", amount: 2048, exact: true }],
        ["1K", { quantity: "1Ki", amount: 1024, exact: true }],
        ["3G", { quantity: "3Gi", amount: 3 * 1024 ** 3, exact: true }],
        ["1t", { quantity: "1Ti", amount: 1024 ** 4, exact: true }],
        ["2T", { quantity: "2Ti", amount: 2 * 1024 ** 4, exact: true }],
        // A pebibyte has no Kubernetes binary suffix here: it is written in tebibytes.
        ["1p", { quantity: "1024Ti", amount: 1024 ** 5, exact: true }],
        ["1P", { quantity: "1024Ti", amount: 1024 ** 5, exact: true }],
        // Not a whole kibibyte: rounded up, and said to be rounded.
        ["512b", { quantity: "1Ki", amount: 1024, exact: false }],
        ["1.5", { quantity: "1Ki", amount: 1024, exact: false }],
        ["1025", { quantity: "2Ki", amount: 2048, exact: false }],
    ])("%p -> %p", (size, expected) => {
        expect(memoryQuantity(size)).toEqual(expected);
    });

    it.each([["0"], ["0m"], ["0.0001k"], ["-1m"], ["1x"], ["1.g"], ["1mm"], ["m"], ["1  m"], ["x1m"], ["1mx"], [""], [null], [undefined], [false], [["1g"]]])(
        "refuses %p",
        (size) => {
            expect(memoryQuantity(size)).toBeUndefined();
        },
    );
});

describe("durationSeconds", () => {
    it.each([
        ["1m30s", 90],
        ["500ms", 0.5],
        ["1h", 3600],
        ["1.5h", 5400],
        ["2m", 120],
        ["10s", 10],
        ["1h1m1s", 3661],
        ["250us", 0.00025],
        ["3µs", 0.000003],
        ["10ns", 0.00000001],
        ["1s500ms", 1.5],
        ["1.25s", 1.25],
        ["1.25m30s", 105],
    ])("%p -> %p seconds", (value, seconds) => {
        expect(durationSeconds(value)).toBeCloseTo(seconds, 12);
    });

    it.each([["10"], ["1d"], ["1m 30s"], ["x1s"], ["1sx"], ["s"], ["1.s"], [""], [10], [undefined]])("refuses %p", (value) => {
        expect(durationSeconds(value)).toBeUndefined();
    });
});

describe("kubernetesQuantity", () => {
    it.each([
        ["100m", 100],
        ["2", 2000],
        ["0", 0],
        ["1Ki", 1024],
        ["128Mi", 134_217_728],
        ["2Gi", 2 * 1024 ** 3],
        ["1Ti", 1024 ** 4],
    ])("reads %p as %p (millicores or bytes)", (text, amount) => {
        expect(kubernetesQuantity(text)).toEqual({ quantity: text, amount, exact: true });
    });

    it.each([["1Pi"], ["128M"], ["1.5"], ["x100m"], ["100mx"], ["100 m"], ["m"], ["Mi"], ["1Mix"], ["x1Mi"], [""]])("refuses %p", (text) => {
        expect(kubernetesQuantity(text)).toBeUndefined();
    });
});
