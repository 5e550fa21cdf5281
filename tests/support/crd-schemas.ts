import Ajv, { type ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * Validators from vendored CustomResourceDefinitions: each served version's openAPIV3Schema, as the API server
 * checks a custom object at admission (structural schema, unknown fields pruned by the server are refused here
 * instead, since a field the server drops is a mistake in our manifest).
 */
const FIXTURES = join(__dirname, "..", "fixtures", "crds");

interface Crd {
    spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Record<string, unknown> } }[] };
}

/** Kubernetes' structural schemas allow x-kubernetes-* extensions; properties not listed are pruned (refused here). */
function closed(schema: unknown): unknown {
    if (Array.isArray(schema)) {
        return schema.map(closed);
    }
    if (schema === null || typeof schema !== "object") {
        return schema;
    }
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
        copy[key] = key === "properties" ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, closed(sub)])) : closed(value);
    }
    const preserves = copy["x-kubernetes-preserve-unknown-fields"] === true;
    if (copy.type === "object" && copy.properties !== undefined && copy.additionalProperties === undefined && !preserves) {
        copy.additionalProperties = false;
    }
    if (copy["x-kubernetes-int-or-string"] === true) {
        delete copy.type;
        copy.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    return copy;
}

/**
 * CRD patterns are Go regular expressions (RE2), which the API server compiles; the one Go construct the vendored
 * CRDs use that JavaScript lacks is the case-insensitive flag `(?i)` at the start of a pattern (Prometheus Operator's
 * enums, `^(?i)(abort|warn)?$`), turned into the `i` flag here.
 */
const goRegExp = Object.assign(
    (pattern: string, flags: string) => (pattern.includes("(?i)") ? new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`) : new RegExp(pattern, flags)),
    { code: "new RegExp" },
);
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
const validators = new Map<string, ValidateFunction>();

/** Loads every CRD file of a vendored folder, e.g. `cloudnative-pg-1.30.0`. */
export function loadCrds(folder: string, files: readonly string[]): void {
    for (const file of files) {
        const crd = parse(readFileSync(join(FIXTURES, folder, file), "utf8")) as Crd;
        for (const version of crd.spec.versions) {
            const schema = closed(version.schema.openAPIV3Schema) as Record<string, unknown>;
            // apiVersion, kind and metadata are checked by the API server itself, not the CRD schema.
            validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
        }
    }
}

/** The schema errors of one custom object, `path: message` each; throws for a kind no vendored CRD defines. */
export function crdErrors(object: { apiVersion: string; kind: string }): string[] {
    const validate = validators.get(`${object.apiVersion}/${object.kind}`);
    if (!validate) {
        throw new Error(`no vendored CRD for ${object.apiVersion} ${object.kind}`);
    }
    return validate(object) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || "/"}: ${error.message ?? "invalid"}${error.params && "additionalProperty" in error.params ? ` (${String(error.params.additionalProperty)})` : ""}`);
}

loadCrds("cloudnative-pg-1.30.0", ["postgresql.cnpg.io_clusters.yaml", "postgresql.cnpg.io_scheduledbackups.yaml"]);
loadCrds("rabbitmq-cluster-operator-v2.22.3", ["rabbitmq.com_rabbitmqclusters.yaml"]);
loadCrds("rabbitmq-messaging-topology-operator-v1.20.1", ["rabbitmq.com_users.yaml", "rabbitmq.com_permissions.yaml"]);
