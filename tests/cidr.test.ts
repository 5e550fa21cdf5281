import { cidrsOverlap, hasHostBits, isWholeInternet, parseCidr } from "../components/config/cidr";

const block = (text: string) => {
    const parsed = parseCidr(text);
    if (!parsed) {
        throw new Error(`${text} did not parse`);
    }
    return parsed;
};

describe("parseCidr", () => {
    it.each([
        "10.0.0.0/8",
        "0.0.0.0/0",
        "192.168.1.0/24",
        "255.255.255.255/32",
        "2001:db8::/32",
        "2001:DB8::/32",
        "::/0",
        "fe80::1/128",
        // "::" may stand for a single group of zeros (RFC 4291 section 2.2), and need not be there at all.
        "1:2:3:4:5:6::8/128",
        "1:2:3:4:5:6:7:8/128",
    ])("accepts %s", (text) => {
        expect(parseCidr(text)?.text).toBe(text);
    });

    it.each([
        "10.0.0.0",
        "10.0.0.0/33",
        "256.0.0.0/8",
        "10.0.0/8",
        "1.2.3.4.5/8",
        "01.2.3.4/8",
        "2001:db8:::/32",
        "1::2::3/64",
        "1:2:3:4:5:6:7/64",
        "1:2:3:4:5:6:7::8/128",
        "12345::/16",
        "::/129",
        "1:2:3:4:5:6:7:8:9/64",
        "10.0.0.0/0024",
        "x/8",
        // A valid block at the end of a longer text is not a block.
        "x/10.0.0.0/8",
    ])(
        "rejects %s",
        (text) => {
            expect(parseCidr(text)).toBeUndefined();
        },
    );
});

describe("the block parseCidr reads", () => {
    it("is the family, the prefix and the first address, the host bits cleared", () => {
        // 10.42.10.0 is 0x0a2a0a00; 2001:db8:: is 0x20010db8 followed by 96 zero bits.
        expect(parseCidr("10.42.10.7/24")).toEqual({ family: 4, network: 0x0a2a0a00n, prefix: 24, text: "10.42.10.7/24" });
        expect(parseCidr("255.255.255.255/32")?.network).toBe(0xffffffffn);
        expect(parseCidr("2001:db8::1/32")).toEqual({ family: 6, network: 0x20010db8n << 96n, prefix: 32, text: "2001:db8::1/32" });
        expect(parseCidr("::ffff:1/128")?.network).toBe(0xffff0001n);
        expect(parseCidr("1:2:3:4:5:6::8/128")?.network).toBe(0x00010002000300040005000600000008n);
    });
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
        ["2001:db8::/48", "2001:db8:1::/48", false],
        ["192.168.1.0/24", "192.168.1.128/25", true],
        ["192.168.1.0/25", "192.168.1.128/25", false],
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
        // Not a block at all: another check reports it.
        expect(["10.0.0.1", "x/8"].map(hasHostBits)).toEqual([false, false]);
        expect(["10.0.0.1/24", "10.0.0.0/24", "10.0.0.1/32", "2001:db8::1/64", "2001:db8::/64", "2001:db8::1/128"].map(hasHostBits)).toEqual([true, false, false, true, false, false]);
    });
});
