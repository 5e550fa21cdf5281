import { parseDocument } from "yaml";

/** Reading a stack file's text into plain data, as docker stack deploy does before interpolating it. */

export class ComposeParseError extends Error {}

/** Anchors may be reused this many times; more is a "billion laughs" file, not a stack. */
const MAX_ALIAS_COUNT = 1000;

/** Parses YAML with `<<` merge keys (YAML 1.1, which Compose files rely on) and anchors resolved. */
export function parseComposeText(text: string): unknown {
    const document = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
    if (document.errors.length > 0) {
        throw new ComposeParseError(document.errors.map((error) => error.message).join("\n"));
    }
    try {
        return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    } catch (error) {
        throw new ComposeParseError(error instanceof Error ? error.message : String(error));
    }
}
