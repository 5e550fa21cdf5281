/** One `--set key=value`: a dotted svom-fsgs config path and its new value. */
export interface Setting {
    path: (string | number)[];
    key: string;
    value: unknown;
}

/**
 * Parses `cluster.workerPools[0].count=5`: the value is JSON when it parses as JSON (`5`, `true`, `["a"]`,
 * `{"a":1}`), else the text as written, as `pulumi config set --path` would store it.
 */
export function parseSetting(text: string): Setting {
    const equals = text.indexOf("=");
    if (equals <= 0) {
        throw new Error(`--set ${text}: expected key=value, e.g. cluster.workerPools[0].count=5`);
    }
    const key = text.slice(0, equals).replace(/^svom-fsgs:/, "");
    const raw = text.slice(equals + 1);
    let value: unknown = raw;
    try {
        value = JSON.parse(raw);
    } catch {
        // Not JSON: a plain string such as an image name.
    }
    const path = key
        .split(/\.|\[(\d+)\]/)
        .filter((part) => part !== undefined && part !== "")
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    return { path, key, value };
}

/** Sets a value at a path in a stack's plain config, creating records on the way; a list index must exist or be next. */
export function applySetting(config: Record<string, unknown>, setting: Setting): void {
    let node: unknown = config;
    setting.path.forEach((part, index) => {
        const last = index === setting.path.length - 1;
        const container = node as Record<string | number, unknown>;
        if (typeof part === "number" && (!Array.isArray(node) || part > node.length)) {
            throw new Error(`--set ${setting.key}: ${setting.path.slice(0, index).join(".")} has no element ${part}`);
        }
        if (last) {
            container[part] = setting.value;
            return;
        }
        if (container[part] === undefined || container[part] === null || typeof container[part] !== "object") {
            container[part] = typeof setting.path[index + 1] === "number" ? [] : {};
        }
        node = container[part];
    });
}
