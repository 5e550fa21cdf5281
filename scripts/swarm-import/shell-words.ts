/**
 * Splits a string into words the way `docker stack deploy` splits a string `command`, `entrypoint` or
 * healthcheck `test`: docker/cli uses github.com/google/shlex, i.e. whitespace-separated words, `'...'`
 * literal, `"..."` where a backslash escapes any character, a backslash outside quotes escapes the next
 * character, and `#` at the start of a word comments out the rest of the line. No shell runs: `&&`, `|`,
 * `$VAR` reach the program as plain words.
 */
export class ShellWordsError extends Error {}

export function splitShellWords(text: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    let state: "between" | "word" | "single" | "double" | "comment" = "between";
    let index = 0;
    /** The character a backslash escapes, which the loop then skips. */
    const escaped = (): string => {
        if (index + 1 >= text.length) throw new ShellWordsError("a backslash ends the string");
        index += 1;
        return text[index];
    };
    for (; index < text.length; index += 1) {
        const char = text[index];
        switch (state) {
            case "comment":
                if (char === "\n") state = "between";
                break;
            case "single":
                if (char === "'") state = "word";
                else word += char;
                break;
            case "double":
                if (char === '"') state = "word";
                else if (char === "\\") word += escaped();
                else word += char;
                break;
            case "between":
            case "word":
                if (/\s/.test(char)) {
                    if (state === "word") words.push(word ?? "");
                    word = undefined;
                    state = "between";
                } else if (char === "#" && state === "between") {
                    state = "comment";
                } else {
                    word ??= "";
                    state = "word";
                    if (char === "'") state = "single";
                    else if (char === '"') state = "double";
                    else if (char === "\\") word += escaped();
                    else word += char;
                }
                break;
        }
    }
    if (state === "single" || state === "double") throw new ShellWordsError("a quote is not closed");
    if (state === "word") words.push(word ?? "");
    return words;
}

/** Shell syntax that, without a shell, reaches the program as literal words. */
export function shellOperators(text: string): string[] {
    const unquoted = text.replace(/'[^']*'|"(?:\\.|[^"\\])*"/g, "");
    const found = unquoted.match(/&&|\|\||[|;<>`]|\$\(|\$\{?[A-Za-z_]/g) ?? [];
    return [...new Set(found)];
}
