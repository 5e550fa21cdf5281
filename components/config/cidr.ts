/**
 * Address arithmetic for the CIDR checks of the stack config. BigInt keeps IPv4 and IPv6 on one code path.
 */

export interface Cidr {
    /** 4 or 6. */
    family: 4 | 6;
    /** First address of the block, as an integer. */
    network: bigint;
    /** Prefix length in bits. */
    prefix: number;
    /** The text as written in the config. */
    text: string;
}

const IPV4_BITS = 32;
const IPV6_BITS = 128;

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) {
        return undefined;
    }
    let value = 0n;
    for (const part of parts) {
        if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) {
            return undefined;
        }
        value = (value << 8n) | BigInt(part);
    }
    return value;
}

function parseIpv6(text: string): bigint | undefined {
    const halves = text.split("::");
    if (halves.length > 2) {
        return undefined;
    }
    const groups = (half: string): string[] => (half === "" ? [] : half.split(":"));
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    const missing = 8 - head.length - tail.length;
    if (halves.length === 1 ? missing !== 0 : missing < 1) {
        return undefined;
    }
    let value = 0n;
    // Stryker disable next-line ConditionalExpression: without "::" the check above has made missing 0, so the fill is empty either way
    for (const group of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail]) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(group)) {
            return undefined;
        }
        value = (value << 16n) | BigInt(`0x${group}`);
    }
    return value;
}

/** Parses `a.b.c.d/n` or `x:y::/n`; undefined when the text is not a CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
    const match = /^([^/]+)\/([0-9]{1,3})$/.exec(text);
    if (!match) {
        return undefined;
    }
    const [, address, prefixText] = match;
    const family = address.includes(":") ? 6 : 4;
    const bits = family === 4 ? IPV4_BITS : IPV6_BITS;
    const value = family === 4 ? parseIpv4(address) : parseIpv6(address);
    const prefix = Number(prefixText);
    if (value === undefined || prefix > bits) {
        return undefined;
    }
    const hostBits = BigInt(bits - prefix);
    return { family, network: (value >> hostBits) << hostBits, prefix, text };
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
    if (a.family !== b.family) {
        return false;
    }
    const bits = a.family === 4 ? IPV4_BITS : IPV6_BITS;
    const shorter = Math.min(a.prefix, b.prefix);
    const hostBits = BigInt(bits - shorter);
    return a.network >> hostBits === b.network >> hostBits;
}

/** True when the block is the whole address space of its family (0.0.0.0/0, ::/0). */
export function isWholeInternet(cidr: Cidr): boolean {
    return cidr.prefix === 0;
}

/** True when the address text has host bits set below the prefix (10.0.0.1/24): almost always a typo. */
export function hasHostBits(text: string): boolean {
    const cidr = parseCidr(text);
    if (!cidr) {
        return false;
    }
    const address = text.split("/")[0];
    const value = cidr.family === 4 ? parseIpv4(address) : parseIpv6(address);
    return value !== cidr.network;
}
