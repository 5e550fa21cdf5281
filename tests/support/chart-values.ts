import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * A stand-in for a chart's values.schema.json where the chart has none: every key the program sets must exist in the
 * chart's own default values.yaml (vendored under tests/fixtures/charts/), so a misspelled key fails instead of being
 * ignored by Helm. Helm merges user values over the defaults key by key (helm.sh/docs/chart_template_guide/values_files),
 * so a key absent from the defaults is read by no template unless the chart documents it in a comment; those are
 * named, with the line that documents them, by the caller (`documented`).
 *
 * Where a default is an empty map (`resources: {}`, `nodeSelector: {}`) or null, the chart passes the map through as
 * is (toYaml): any key is accepted below it, as Helm would. So are the keys below a path the caller names as `opaque`,
 * a map the chart's template renders whole (a securityContext through toYaml, grafana.ini section by section): there
 * the Kubernetes API or the program reading it checks the keys, not the chart. Lists are not descended into.
 */

const CHARTS = join(__dirname, "..", "fixtures", "charts");

/** The default values of a vendored chart, e.g. ("kube-prometheus-stack-88.5.3", "values.yaml"). */
export function chartDefaults(folder: string, file = "values.yaml"): Record<string, unknown> {
    return parse(readFileSync(join(CHARTS, folder, file), "utf8")) as Record<string, unknown>;
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * The dotted paths of `values` that the defaults do not know. `subcharts` maps a top-level key (a dependency's name
 * or alias) to that subchart's own defaults, merged under the parent's section as Helm does.
 */
export function unknownValueKeys(
    values: Record<string, unknown>,
    defaults: Record<string, unknown>,
    options: { subcharts?: Record<string, Record<string, unknown>>; documented?: readonly string[]; opaque?: readonly string[] } = {},
): string[] {
    const merged: Record<string, unknown> = { ...defaults };
    for (const [key, sub] of Object.entries(options.subcharts ?? {})) {
        merged[key] = deepMerge(sub, isMap(defaults[key]) ? defaults[key] : {});
    }
    const documented = new Set(options.documented ?? []);
    const opaque = new Set(options.opaque ?? []);
    const problems: string[] = [];
    const walk = (mine: Record<string, unknown>, theirs: Record<string, unknown>, path: string) => {
        for (const [key, value] of Object.entries(mine)) {
            const here = path ? `${path}.${key}` : key;
            if (documented.has(here)) {
                continue;
            }
            if (!(key in theirs)) {
                problems.push(here);
                continue;
            }
            const fallback = theirs[key];
            if (isMap(value) && isMap(fallback) && Object.keys(fallback).length > 0 && !opaque.has(here)) {
                walk(value, fallback, here);
            }
        }
    };
    walk(values, merged, "");
    return problems;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) {
        out[key] = isMap(value) && isMap(base[key]) ? deepMerge(base[key], value) : value;
    }
    return out;
}
