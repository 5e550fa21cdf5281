/**
 * Private key files the program must refuse, or read in a form tests/ssh-keys.test.ts does not cover, for
 * components/config/ssh-keys.ts. The OpenSSH files are assembled here byte by byte after OpenSSH PROTOCOL.key
 * ("openssh-key-v1": magic, cipher, kdf, kdf options, key count, public blobs, then the private section: two equal
 * check integers, each key's fields and comment, padding 1, 2, 3...), with an encoder of this file's own, so that
 * each broken field is broken on purpose; the real ssh-keygen reads the good ones (`ssh-keygen -y`).
 */
import { generateKeyPairSync } from "node:crypto";
import { SshKeyError, fingerprintOf, normalPublicKey, publicKeyBlob, publicKeyFields, publicKeyOf } from "../components/config/ssh-keys";
import { sshKeygen, sshKeygenPublicHalf } from "./support/ssh-keygen";

/** RFC 4251 section 5: uint32 big-endian. */
function uint32(value: number): Buffer {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return bytes;
}

/** RFC 4251 section 5: string = uint32 length + bytes. */
function str(value: string | Buffer): Buffer {
    const bytes = typeof value === "string" ? Buffer.from(value, "latin1") : value;
    return Buffer.concat([uint32(bytes.length), bytes]);
}

// A fixed ed25519 public key (32 bytes) and a stand-in secret (64 bytes): only the layout is read.
const PK = Buffer.alloc(32, 7);
const SK = Buffer.concat([Buffer.alloc(32, 9), PK]);
const ED25519_BLOB = Buffer.concat([str("ssh-ed25519"), str(PK)]);
const ED25519_LINE = `ssh-ed25519 ${ED25519_BLOB.toString("base64")}`;

interface Layout {
    cipher?: string;
    count?: number;
    checks?: [number, number];
    /** The private entry's fields after its type. */
    entry?: Buffer[];
    type?: string;
    comment?: string;
    publicBlob?: Buffer;
    magic?: string;
}

/** An unencrypted openssh-key-v1 file with one ed25519 key, each part replaceable. */
function opensshFile(layout: Layout = {}): string {
    const type = layout.type ?? "ssh-ed25519";
    const fields = layout.entry ?? [PK, SK];
    const unpadded = Buffer.concat([
        uint32(layout.checks?.[0] ?? 0x01020304),
        uint32(layout.checks?.[1] ?? 0x01020304),
        str(type),
        ...fields.map(str),
        str(layout.comment ?? "deploy@fsgs"),
    ]);
    const padding = Buffer.from(Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, index) => index + 1));
    const body = Buffer.concat([
        Buffer.from(layout.magic ?? "openssh-key-v1\0", "latin1"),
        str(layout.cipher ?? "none"),
        str("none"),
        str(""),
        uint32(layout.count ?? 1),
        str(layout.publicBlob ?? ED25519_BLOB),
        str(Buffer.concat([unpadded, padding])),
    ]);
    return armour("OPENSSH PRIVATE KEY", body);
}

function armour(label: string, body: Buffer): string {
    const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The SshKeyError message `read` throws, or "no error". */
function refusal(read: () => unknown): string {
    try {
        read();
    } catch (error) {
        expect(error).toBeInstanceOf(SshKeyError);
        expect((error as Error).name).toBe("SshKeyError");
        return (error as Error).message;
    }
    return "no error";
}

describe("an OpenSSH key file assembled by hand", () => {
    it("is read as ssh-keygen -y reads it, comment included, and without one when the comment is empty", () => {
        const file = opensshFile();
        expect(sshKeygenPublicHalf(file)).toEqual({ ok: true, line: `${ED25519_LINE} deploy@fsgs` });
        expect(publicKeyOf(file)).toBe(`${ED25519_LINE} deploy@fsgs`);
        expect(publicKeyOf(opensshFile({ comment: "" }))).toBe(ED25519_LINE);
        // The private section is 131 bytes before the comment's text: 4, 3 and 2 bytes of padding follow these, none the last.
        for (const comment of ["x", "ab", "abc", "fsgs5"]) {
            expect(publicKeyOf(opensshFile({ comment }))).toBe(`${ED25519_LINE} ${comment}`);
        }
    });

    it("is found among other text, as a file with notes around the armour", () => {
        expect(publicKeyOf(`Deploy key of prod, made 2026-12-03\n${opensshFile()}trailing notes\n`)).toBe(`${ED25519_LINE} deploy@fsgs`);
    });

    it.each([
        ["a file of two keys", { count: 2 }, "2 keys in one file, expected 1"],
        ["a file of no key", { count: 0 }, "0 keys in one file, expected 1"],
        ["check integers that differ (a wrong passphrase's result)", { checks: [1, 2] as [number, number] }, "check integers differ: a corrupt key"],
        ["a private part of another key", { entry: [Buffer.alloc(32, 8), SK] }, "private part does not match the public part: a corrupt key"],
        ["a DSA key", { type: "ssh-dss", publicBlob: Buffer.concat([str("ssh-dss"), str(PK)]) }, 'unsupported key type "ssh-dss" (expected ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa)'],
        ["an encrypted key", { cipher: "aes256-ctr" }, "encrypted with aes256-ctr: pulumi-command is given no passphrase; remove it with ssh-keygen -p"],
        ["another format's magic", { magic: "openssh-key-v2\0" }, "not an openssh-key-v1 key"],
    ])("refuses %s, saying what is wrong", (_what, layout, message) => {
        expect(refusal(() => publicKeyOf(opensshFile(layout)))).toBe(message);
    });

    it("refuses a file cut short, at any length, as truncated", () => {
        const body = Buffer.from(opensshFile().split("\n").filter((line) => !line.startsWith("-----")).join(""), "base64");
        // Inside the magic, inside a length, inside a string, inside the private section's entry.
        for (const length of [10, 17, 25, 60, 100]) {
            const message = refusal(() => publicKeyOf(armour("OPENSSH PRIVATE KEY", body.subarray(0, length))));
            expect([length, message]).toEqual([length, length < 15 ? "not an openssh-key-v1 key" : "truncated key data"]);
        }
    });

    it("refuses a text with no private key block, or a block whose end does not match its start", () => {
        expect(refusal(() => publicKeyOf(ED25519_LINE))).toBe("no private key block");
        expect(refusal(() => publicKeyOf(opensshFile().replace("END OPENSSH", "END RSA")))).toBe("no private key block");
    });
});

describe("PEM keys", () => {
    it("reads ECDSA P-256 and P-521 keys as ssh-keygen -y does", () => {
        for (const bits of ["256", "521"]) {
            const key = sshKeygen(["-t", "ecdsa", "-b", bits, "-m", "PEM"], "");
            const expected = sshKeygenPublicHalf(key.privateKey);
            expect(expected.ok && normalPublicKey(expected.line)).toBe(publicKeyOf(key.privateKey));
            expect(publicKeyOf(key.privateKey).startsWith(`ecdsa-sha2-nistp${bits} `)).toBe(true);
        }
    });

    it("reads an OpenSSH-format ECDSA P-384 and P-521 key", () => {
        for (const bits of ["384", "521"]) {
            const key = sshKeygen(["-t", "ecdsa", "-b", bits], "ops");
            expect(publicKeyOf(key.privateKey)).toBe(normalPublicKey(key.publicKey) + " ops");
        }
    });

    it("refuses a PKCS#8 Ed25519 key, which OpenSSH does not write, naming its kind", () => {
        const { privateKey } = generateKeyPairSync("ed25519");
        const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
        expect(refusal(() => publicKeyOf(pem))).toBe("unsupported PEM key (OKP Ed25519)");
    });

    it("refuses a PEM block that does not decode", () => {
        expect(refusal(() => publicKeyOf(armour("RSA PRIVATE KEY", Buffer.from("not DER at all"))))).toBe("PEM block cannot be decoded");
    });
});

describe("public key lines", () => {
    it("compare without their comment and extra blanks", () => {
        expect(normalPublicKey(`  ${ED25519_LINE}   deploy key of prod \n`)).toBe(ED25519_LINE);
    });

    it.each([
        ["a type alone", "ssh-ed25519"],
        ["an empty line", ""],
        ["a blob of another type", `ssh-rsa ${ED25519_BLOB.toString("base64")}`],
        ["a blob shorter than its length field", `ssh-ed25519 ${Buffer.from([0, 0, 0]).toString("base64")}`],
    ])("refuse %s", (_what, line) => {
        expect(refusal(() => publicKeyBlob(line))).toBe("not an OpenSSH public key line");
    });

    it("refuse a blob whose type string runs past its end", () => {
        expect(refusal(() => publicKeyBlob(`ssh-ed25519 ${Buffer.concat([uint32(40), Buffer.from("ssh-ed25519")]).toString("base64")}`))).toBe("truncated key data");
    });

    it("give the fingerprint ssh-keygen -l prints, without base64 padding", () => {
        const key = sshKeygen(["-t", "ed25519"]);
        expect(fingerprintOf(key.publicKey)).toBe(key.fingerprint);
        expect(fingerprintOf(key.publicKey)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    });

    it("split into their type and public fields", () => {
        expect(publicKeyFields(ED25519_LINE)).toEqual({ type: "ssh-ed25519", fields: [PK] });
        const ecdsa = Buffer.concat([str("ecdsa-sha2-nistp256"), str("nistp256"), str(Buffer.alloc(65, 4))]);
        expect(publicKeyFields(`ecdsa-sha2-nistp256 ${ecdsa.toString("base64")}`)).toEqual({ type: "ecdsa-sha2-nistp256", fields: [Buffer.from("nistp256"), Buffer.alloc(65, 4)] });
    });
});
