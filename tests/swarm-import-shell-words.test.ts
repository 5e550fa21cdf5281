/**
 * How `docker stack deploy` splits a string `command`: docker/cli's github.com/google/shlex rules (whitespace
 * separates words, '...' is literal, "..." and a bare backslash escape the next character, `#` opening a word
 * comments out the rest of the line). No shell runs, so shell syntax reaches the program as words; the importer
 * warns about it with shellOperators. Expected words are written out from those rules.
 */
import { ShellWordsError, shellOperators, splitShellWords } from "../scripts/swarm-import/shell-words";

describe("splitShellWords", () => {
    it.each([
        ["", []],
        ["   \t\n ", []],
        ["echo", ["echo"]],
        ["  echo   a\tb\nc  ", ["echo", "a", "b", "c"]],
        ["a'b c'd", ["ab cd"]],
        [`'it''s'`, ["its"]],
        [`"a \\" b"`, ['a " b']],
        [`"a\\\\b"`, ["a\\b"]],
        [`"x\\ny"`, ["xny"]],
        [`'a\\b'`, ["a\\b"]],
        [`'say "hi"'`, ['say "hi"']],
        [`"it's"`, ["it's"]],
        [`x\\ y`, ["x y"]],
        [`\\'a`, ["'a"]],
        [`\\#a`, ["#a"]],
        [`''`, [""]],
        [`"" b`, ["", "b"]],
        ["a#b", ["a#b"]],
        ["a # b c", ["a"]],
        ["# all\nb c", ["b", "c"]],
        ["a #x\n b", ["a", "b"]],
        ["a && b | c $HOME", ["a", "&&", "b", "|", "c", "$HOME"]],
    ])("%p -> %p", (text, words) => {
        expect(splitShellWords(text)).toEqual(words);
    });

    it.each([["echo 'open"], [`echo "open`], [`"a\\"`], ["echo \\"], [`"ends \\`]])("refuses %p", (text) => {
        expect(() => splitShellWords(text)).toThrow(ShellWordsError);
    });

    it("says which mistake it found", () => {
        expect(() => splitShellWords("a\\")).toThrow("a backslash ends the string");
        expect(() => splitShellWords("'a")).toThrow("a quote is not closed");
        expect(() => splitShellWords('"a')).toThrow("a quote is not closed");
    });
});

describe("shellOperators", () => {
    it.each([
        ["echo a", []],
        ["a && b", ["&&"]],
        ["a || b", ["||"]],
        ["a | b", ["|"]],
        ["a; b", [";"]],
        ["a < in > out", ["<", ">"]],
        ["echo `date`", ["`"]],
        ["echo $(date)", ["$("]],
        ["echo $HOME ${USER} $_x", ["$H", "${U", "$_"]],
        ["a | b | c", ["|"]],
        ["echo $1 and a $ sign", []],
        // Quoted operators are arguments, not shell syntax: only the unquoted && is reported.
        [`sh -c 'a && b' "c | d" && e`, ["&&"]],
        [`echo "a \\" | b" x`, []],
        [`echo 'a | b' '' x`, []],
        [`echo ';' '$HOME'`, []],
    ])("%p -> %p", (text, operators) => {
        expect(shellOperators(text)).toEqual(operators);
    });
});
