import { cidrsOverlap, hasHostBits, isWholeInternet, parseCidr } from "../components/config/cidr";

const block = (text: string) => {
    const parsed = parseCidr(text);
    if (!parsed) {
        throw new Error(`${text} did not parse`);
    }
    return parsed;
};

describe("parseCidr", () => {
    it.each(["10.0.0.0/8", "0.0.0.0/0", "192.168.1.0/24", "2001:db8::/32", "::/0", "fe80::1/128"])("accepts %s", (text) => {
        expect(parseCidr(text)?.text).toBe(text);
    });

    it.each(["10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", "10.0.0/8", "01.2.3.4/8", "2001:db8:::/32", "::/129", "1:2:3:4:5:6:7:8:9/64", "x/8"])(
        "rejects %s",
        (text) => {
            expect(parseCidr(text)).toBeUndefined();
        },
    );
});

describe("cidrsOverlap", () => {
    it.each([
        ["10.0.0.0/8", "10.42.0.0/16", true],
        ["10.42.10.0/24", "10.42.0.0/16", true],
        ["10.244.0.0/16", "10.96.0.0/12", false],
        ["10.96.0.0/12", "10.100.0.0/16", true],
        ["10.0.0.0/24", "10.0.1.0/24", false],
        ["0.0.0.0/0", "203.0.113.0/24", true],
        ["10.0.0.0/8", "::/0", false],
        ["2001:db8::/32", "2001:db8:1::/48", true],
    ])("%s and %s: %s", (a, b, expected) => {
        expect(cidrsOverlap(block(a), block(b))).toBe(expected);
        expect(cidrsOverlap(block(b), block(a))).toBe(expected);
    });
});

describe("the whole Internet and host bits", () => {
    it("recognises both families' default routes", () => {
        expect(["0.0.0.0/0", "::/0", "10.0.0.0/8"].map((text) => isWholeInternet(block(text)))).toEqual([true, true, false]);
    });

    it("finds host bits below the prefix", () => {
        expect(["10.0.0.1/24", "10.0.0.0/24", "2001:db8::1/64", "2001:db8::/64"].map(hasHostBits)).toEqual([true, false, true, false]);
    });
});
