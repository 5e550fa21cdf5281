/** Docker's resource and duration notations, turned into Kubernetes quantities and plain numbers. */

export interface Quantity {
    /** The Kubernetes quantity, e.g. `500m` or `512Mi`. */
    quantity: string;
    /** For comparing a request with its limit: millicores, or bytes. */
    amount: number;
    /** False when the quantity had to be rounded. */
    exact: boolean;
}

/** `deploy.resources.*.cpus` ("0.5", 2) in cores -> millicores, e.g. `500m`; whole cores stay whole (`2`). */
export function cpuQuantity(cpus: unknown): Quantity | undefined {
    const text = typeof cpus === "number" ? String(cpus) : typeof cpus === "string" ? cpus.trim() : "";
    if (!/^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(text)) return undefined;
    const cores = Number(text);
    if (!(cores > 0)) return undefined;
    const exactMillicores = cores * 1000;
    const millicores = Math.max(1, Math.round(exactMillicores));
    return {
        quantity: millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`,
        amount: millicores,
        exact: Math.abs(millicores - exactMillicores) < 1e-6,
    };
}

const BINARY_UNITS: readonly (readonly [string, number])[] = [
    ["Ti", 1024 ** 4],
    ["Gi", 1024 ** 3],
    ["Mi", 1024 ** 2],
    ["Ki", 1024],
];

/**
 * Docker memory sizes ("512M", "1.5g", "2048k", 536870912) -> the largest exact binary quantity (`512Mi`).
 * Docker's units are binary whatever their spelling (go-units `RAMInBytes`: k = 1024), so `512M` is `512Mi`.
 */
export function memoryQuantity(size: unknown): Quantity | undefined {
    const text = typeof size === "number" ? String(size) : typeof size === "string" ? size.trim() : "";
    const match = /^([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
    if (!match) return undefined;
    const multiplier = 1024 ** " kmgtp".indexOf((match[2] ?? " ").toLowerCase());
    const bytes = Math.floor(Number(match[1]) * multiplier);
    if (bytes <= 0) return undefined;
    for (const [unit, unitBytes] of BINARY_UNITS) {
        if (bytes % unitBytes === 0) return { quantity: `${bytes / unitBytes}${unit}`, amount: bytes, exact: true };
    }
    const kibibytes = Math.ceil(bytes / 1024);
    return { quantity: `${kibibytes}Ki`, amount: kibibytes * 1024, exact: false };
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go durations as Compose writes them ("1m30s", "500ms") -> seconds; undefined when it is not one. */
export function durationSeconds(value: unknown): number | undefined {
    if (typeof value !== "string" || !/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined;
    let seconds = 0;
    for (const [, amount, , unit] of value.matchAll(/([0-9]+(\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) {
        seconds += Number(amount) * DURATION_UNITS[unit];
    }
    return seconds;
}

/** A Kubernetes quantity the catalog writes (`100m`, `2`, `128Mi`), read back for comparison; undefined if it is none of those. */
export function kubernetesQuantity(text: string): Quantity | undefined {
    const cpu = /^([0-9]+)(m?)$/.exec(text);
    if (cpu) return { quantity: text, amount: Number(cpu[1]) * (cpu[2] === "m" ? 1 : 1000), exact: true };
    const memory = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(text);
    if (!memory) return undefined;
    const unit = BINARY_UNITS.find(([name]) => name === memory[2]);
    return unit ? { quantity: text, amount: Number(memory[1]) * unit[1], exact: true } : undefined;
}
