/**
 * Compose variable interpolation as `docker stack deploy` applies it (Compose specification, "Interpolation":
 * `$$`, `$VAR`, `${VAR}`, `:-`/`-` defaults, `:?`/`?` errors, `:+`/`+` alternatives, `:` also testing for empty),
 * with what the importer notes for the operator and how it keeps secrets' values out of the entries. Expected
 * strings and notes are written out.
 */
import { interpolateString, interpolateTree, type InterpolationNote } from "../scripts/swarm-import/interpolate";
import { secretMark } from "../scripts/swarm-import/secrets";

/** Interpolates `text` at path `services.web.image` and returns the result with the notes taken. */
function run(text: string, variables: Record<string, string> = {}): { result: string; notes: InterpolationNote[] } {
    const notes: InterpolationNote[] = [];
    const result = interpolateString(text, new Map(Object.entries(variables)), "services.web.image", notes);
    return { result, notes };
}

describe("interpolateString: values", () => {
    it.each([
        ["$A", { A: "v" }, "v"],
        ["${A}", { A: "v" }, "v"],
        ["x$A.y", { A: "v" }, "xv.y"],
        ["$A_B-c", { A_B: "v" }, "v-c"],
        ["$_a1", { _a1: "v" }, "v"],
        ["$$", {}, "$"],
        ["$$$A", { A: "v" }, "$v"],
        ["$$A", { A: "v" }, "$A"],
        ["$", {}, "$"],
        ["a $ b", {}, "a $ b"],
        ["$1", {}, "$1"],
        ["${A:-x}", { A: "v" }, "v"],
        ["${A:-x}", { A: "" }, "x"],
        ["${A:-x}", {}, "x"],
        ["${A-x}", { A: "v" }, "v"],
        ["${A-x}", { A: "" }, ""],
        ["${A-x}", {}, "x"],
        ["${A:-}", {}, ""],
        ["${A:?e}", { A: "v" }, "v"],
        ["${A?e}", { A: "" }, ""],
        ["${A:+alt}", { A: "v" }, "alt"],
        ["${A:+alt}", { A: "" }, ""],
        ["${A+alt}", { A: "" }, "alt"],
        ["${A+alt}", {}, ""],
        ["${A:+[$B]}", { A: "v", B: "b" }, "[b]"],
        ["${A:-${B:-${C}}}", { C: "c" }, "c"],
        ["${A:-${B}x}y", { B: "b" }, "bxy"],
        ["${A}${B}", { A: "a", B: "b" }, "ab"],
        ["${A:-a b}", {}, "a b"],
    ])("%p with %p -> %p", (text, variables, expected) => {
        expect(run(text, variables).result).toBe(expected);
    });
});

describe("interpolateString: notes", () => {
    it("notes nothing when every variable is set", () => {
        expect(run("${A}-$B-${C:-x}-${D:?e}", { A: "a", B: "b", C: "c", D: "d" })).toEqual({ result: "a-b-c-d", notes: [] });
    });

    it("replaces an unset variable without a default by nothing, as docker does, and says how to give it", () => {
        expect(run("img:${TAG}")).toEqual({
            result: "img:",
            notes: [
                {
                    path: "services.web.image",
                    text: "img:${TAG}",
                    variable: "TAG",
                    severity: "unmapped",
                    message: "`TAG` is not set and has no default: replaced by an empty string, as docker stack deploy does; give its value with `--var TAG=...`",
                    fallback: undefined,
                },
            ],
        });
    });

    it("notes a default it used, keeping the default out of the message", () => {
        expect(run("${MODE:-fast}")).toEqual({
            result: "fast",
            notes: [{ path: "services.web.image", text: "${MODE:-fast}", variable: "MODE", severity: "info", message: "`MODE` is not set: used its default", fallback: "fast" }],
        });
        expect(run("${MODE-fast}").notes.map((note) => note.fallback)).toEqual(["fast"]);
    });

    it("notes a required variable that is missing, with its message or without one", () => {
        const required = (message: string) =>
            `\`A\` is required (${message}) and not set: docker stack deploy would refuse the file; give its value with \`--var A=...\``;
        expect(run("${A:?set the tag}")).toEqual({
            result: "",
            notes: [{ path: "services.web.image", text: "${A:?set the tag}", variable: "A", severity: "unmapped", message: required("set the tag"), fallback: undefined }],
        });
        expect(run("${A:?}").notes.map((note) => note.message)).toEqual([required("no message")]);
        expect(run("${A:?e}", { A: "" }).notes.map((note) => note.message)).toEqual([required("e")]);
        expect(run("${A?e}").notes.map((note) => note.message)).toEqual([required("e")]);
        expect(run("${A?e}", { A: "" }).notes).toEqual([]);
    });

    it("keeps what is not an interpolation as written, and says so", () => {
        expect(run("${1A}")).toEqual({
            result: "${1A}",
            notes: [
                {
                    path: "services.web.image",
                    text: "${1A}",
                    variable: "1A",
                    severity: "unmapped",
                    message: "`${1A}` is not a compose interpolation (docker stack deploy rejects it): kept as written",
                    fallback: undefined,
                },
            ],
        });
        expect(run("${A B}").result).toBe("${A B}");
        expect(run("${A:x}").result).toBe("${A:x}");
        expect(run("a${B")).toEqual({
            result: "a${B",
            notes: [{ path: "services.web.image", text: "a${B", variable: "${B", severity: "unmapped", message: "unclosed `${`: kept as written", fallback: undefined }],
        });
        expect(run("${A:-${B}").result).toBe("${A:-${B}");
    });
});

describe("interpolateString: secrets", () => {
    const given = "`DB_PASSWORD` holds a secret: its value (given with --var) is not written anywhere; the entry refers to it through a Secret";
    const notGiven = "`DB_PASSWORD` holds a secret: its value is not written anywhere; the entry refers to it through a Secret";

    it("never substitutes the value of a variable named like a secret, given or not", () => {
        expect(run("${DB_PASSWORD}", { DB_PASSWORD: "hunter2" })).toEqual({
            result: secretMark("DB_PASSWORD"),
            notes: [{ path: "services.web.image", text: "${DB_PASSWORD}", variable: "DB_PASSWORD", severity: "info", message: given, fallback: undefined }],
        });
        expect(run("$DB_PASSWORD")).toEqual({
            result: secretMark("DB_PASSWORD"),
            notes: [{ path: "services.web.image", text: "$DB_PASSWORD", variable: "DB_PASSWORD", severity: "info", message: notGiven, fallback: undefined }],
        });
    });

    it("never writes a secret's default, nor a default that holds credentials", () => {
        const withDefault = run("${DB_PASSWORD:-changeme}");
        expect(withDefault.result).toBe(secretMark("DB_PASSWORD"));
        // The note's text is the string as written (convert.ts never reports it); its message and fallback, which
        // the report shows, do not carry the default.
        expect(withDefault.notes.map((note) => [note.message, note.fallback])).toEqual([[notGiven, undefined]]);

        const dsn = run("${DSN:-postgresql://app:pw@db/app}");
        expect(dsn.result).toBe(secretMark("DSN"));
        expect(dsn.notes.map((note) => [note.variable, note.severity, note.fallback])).toEqual([["DSN", "info", undefined]]);
    });

    it("hides a value given for an innocent name when it holds credentials", () => {
        expect(run("${DSN}", { DSN: "postgresql://app:pw@db/app" }).result).toBe(secretMark("DSN"));
        expect(run("${DSN:-x}", { DSN: "postgresql://app:pw@db/app" }).result).toBe(secretMark("DSN"));
        expect(run("${DSN}", { DSN: "postgresql://db/app" })).toEqual({ result: "postgresql://db/app", notes: [] });
    });
});

describe("interpolateTree", () => {
    it("interpolates every string value, never keys, with each note at its value's path", () => {
        const notes: InterpolationNote[] = [];
        const tree = { image: "app:${TAG}", ports: ["${PORT}", 80, null, { target: "$T" }], "$KEY": true, "odd key": "${ODD}" };
        expect(interpolateTree(tree, new Map([["T", "8080"]]), "services.web", notes)).toEqual({
            image: "app:",
            ports: ["", 80, null, { target: "8080" }],
            "$KEY": true,
            "odd key": "",
        });
        expect(notes.map((note) => [note.path, note.variable])).toEqual([
            ["services.web.image", "TAG"],
            ["services.web.ports[0]", "PORT"],
            ['services.web["odd key"]', "ODD"],
        ]);
    });

    it("leaves scalars that are not strings as they are", () => {
        const notes: InterpolationNote[] = [];
        expect(interpolateTree(3, new Map(), "x", notes)).toBe(3);
        expect(interpolateTree(null, new Map(), "x", notes)).toBeNull();
        expect(interpolateTree(false, new Map(), "x", notes)).toBe(false);
        expect(notes).toEqual([]);
    });
});
