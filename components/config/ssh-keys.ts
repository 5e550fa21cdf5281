import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

/**
 * The public half of an SSH private key, read the way `ssh-keygen -y` reads it, without any tool or network:
 * the program needs the public half of a secret key (the deploy key being retired) and must check that a stack's
 * public and private deploy keys belong together. Formats: OpenSSH's own ("openssh-key-v1", OpenSSH PROTOCOL.key)
 * and the PEM blocks `ssh-keygen -m PEM` writes (PKCS#1 RSA, SEC1 EC), which Node's crypto decodes.
 */

/** A key as one OpenSSH public-key line without comment: `ssh-ed25519 AAAA...`. */
export type PublicKeyLine = string;

export class SshKeyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SshKeyError";
    }
}

// RFC 4251 section 5: uint32 big-endian, string = uint32 length + bytes, mpint = string of a two's-complement integer.
class WireReader {
    private offset = 0;
    constructor(private readonly buffer: Buffer) {}

    uint32(): number {
        if (this.offset + 4 > this.buffer.length) {
            throw new SshKeyError("truncated key data");
        }
        const value = this.buffer.readUInt32BE(this.offset);
        this.offset += 4;
        return value;
    }

    bytes(): Buffer {
        const length = this.uint32();
        if (this.offset + length > this.buffer.length) {
            throw new SshKeyError("truncated key data");
        }
        const value = this.buffer.subarray(this.offset, this.offset + length);
        this.offset += length;
        return value;
    }

    text(): string {
        return this.bytes().toString("latin1");
    }

    rest(): Buffer {
        return this.buffer.subarray(this.offset);
    }
}

/** An SSH wire `string` of each part, concatenated (RFC 4251 section 5). */
export function wireStrings(...parts: (string | Buffer)[]): Buffer {
    return Buffer.concat(
        parts.flatMap((part) => {
            const bytes = typeof part === "string" ? Buffer.from(part, "latin1") : part;
            const length = Buffer.alloc(4);
            length.writeUInt32BE(bytes.length);
            return [length, bytes];
        }),
    );
}

/** An unsigned big-endian integer as an SSH `mpint` body: no leading zeros, one zero byte if the top bit is set. */
function mpint(unsigned: Buffer): Buffer {
    let start = 0;
    while (start < unsigned.length && unsigned[start] === 0) {
        start += 1;
    }
    const trimmed = unsigned.subarray(start);
    return trimmed.length > 0 && (trimmed[0] & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

const OPENSSH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");
const CURVE_OF_TYPE: Record<string, string> = {
    "ecdsa-sha2-nistp256": "nistp256",
    "ecdsa-sha2-nistp384": "nistp384",
    "ecdsa-sha2-nistp521": "nistp521",
};
const TYPE_OF_JWK_CURVE: Record<string, string> = { "P-256": "ecdsa-sha2-nistp256", "P-384": "ecdsa-sha2-nistp384", "P-521": "ecdsa-sha2-nistp521" };

/**
 * The public blob the private entry of an unencrypted OpenSSH key describes (OpenSSH sshkey.c
 * `sshkey_private_deserialize`: ed25519 = type, pk, sk; ecdsa = type, curve, Q, d; rsa = type, n, e, d, iqmp, p, q,
 * whose public blob is type, e, n).
 */
function publicBlobOfPrivateEntry(entry: WireReader): Buffer {
    const type = entry.text();
    if (type === "ssh-ed25519") {
        return wireStrings(type, entry.bytes());
    }
    if (CURVE_OF_TYPE[type] !== undefined) {
        const curve = entry.text();
        return wireStrings(type, curve, entry.bytes());
    }
    if (type === "ssh-rsa") {
        const n = entry.bytes();
        const e = entry.bytes();
        return wireStrings(type, e, n);
    }
    throw new SshKeyError(`unsupported key type ${JSON.stringify(type)} (expected ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa)`);
}

function blobOfOpenSshKey(body: Buffer): { blob: Buffer; comment: string } {
    if (!body.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) {
        throw new SshKeyError("not an openssh-key-v1 key");
    }
    const reader = new WireReader(body.subarray(OPENSSH_MAGIC.length));
    const cipher = reader.text();
    reader.text(); // kdf name
    reader.bytes(); // kdf options
    const count = reader.uint32();
    if (count !== 1) {
        throw new SshKeyError(`${count} keys in one file, expected 1`);
    }
    const publicBlob = reader.bytes();
    if (cipher !== "none") {
        // pulumi-command's connection would need privateKeyPassword, which the program does not pass.
        throw new SshKeyError(`encrypted with ${cipher}: pulumi-command is given no passphrase; remove it with ssh-keygen -p`);
    }
    const secrets = new WireReader(reader.bytes());
    if (secrets.uint32() !== secrets.uint32()) {
        throw new SshKeyError("check integers differ: a corrupt key");
    }
    if (!publicBlobOfPrivateEntry(secrets).equals(publicBlob)) {
        throw new SshKeyError("private part does not match the public part: a corrupt key");
    }
    // What follows the key's fields is its comment; the entry's secret fields were not read, so skip to the
    // last string before the padding: sshkey.c writes fields then the comment, and each field is a string.
    return { blob: publicBlob, comment: lastComment(secrets) };
}

/** The comment after the remaining private fields of an entry: every remaining item is a string, then padding. */
function lastComment(entry: WireReader): string {
    let comment = "";
    try {
        for (;;) {
            const rest = entry.rest();
            // Padding is 1, 2, 3... and shorter than a block (8): no string length can start there.
            if (rest.length < 4 || rest.every((byte, index) => byte === index + 1)) {
                return comment;
            }
            comment = entry.text();
        }
    } catch {
        return comment;
    }
}

function blobOfPemKey(text: string): Buffer {
    let jwk: { kty?: string; n?: string; e?: string; crv?: string; x?: string; y?: string };
    try {
        jwk = createPublicKey(createPrivateKey(text)).export({ format: "jwk" });
    } catch {
        throw new SshKeyError("PEM block cannot be decoded");
    }
    const b64url = (value: string | undefined) => Buffer.from(value ?? "", "base64url");
    if (jwk.kty === "RSA") {
        return wireStrings("ssh-rsa", mpint(b64url(jwk.e)), mpint(b64url(jwk.n)));
    }
    const type = jwk.kty === "EC" ? TYPE_OF_JWK_CURVE[jwk.crv ?? ""] : undefined;
    if (type === undefined) {
        throw new SshKeyError(`unsupported PEM key (${jwk.kty ?? "?"} ${jwk.crv ?? ""})`);
    }
    // SEC1 uncompressed point, as OpenSSH's ecdsa public blob carries it.
    return wireStrings(type, CURVE_OF_TYPE[type], Buffer.concat([Buffer.from([4]), b64url(jwk.x), b64url(jwk.y)]));
}

const BLOCK = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * The public key of a private key text (OpenSSH or PEM armour), as `ssh-keygen -y` prints it: `type base64`,
 * then the key's comment when an OpenSSH key has one. Throws `SshKeyError` for anything else.
 */
export function publicKeyOf(privateKeyText: string): string {
    const block = BLOCK.exec(privateKeyText.replace(/\r/g, ""));
    if (!block) {
        throw new SshKeyError("no private key block");
    }
    if (block[1] !== "OPENSSH PRIVATE KEY") {
        return lineOfBlob(blobOfPemKey(block[0]));
    }
    const { blob, comment } = blobOfOpenSshKey(Buffer.from(block[2].replace(/\s+/g, ""), "base64"));
    return comment === "" ? lineOfBlob(blob) : `${lineOfBlob(blob)} ${comment}`;
}

function lineOfBlob(blob: Buffer): PublicKeyLine {
    return `${new WireReader(blob).text()} ${blob.toString("base64")}`;
}

/** The wire blob of an OpenSSH public key line (`type base64 [comment]`), checked against its declared type. */
export function publicKeyBlob(publicKey: string): Buffer {
    const [type, data] = publicKey.trim().split(/\s+/);
    const blob = Buffer.from(data ?? "", "base64");
    if (!type || blob.length < 4 || new WireReader(blob).text() !== type) {
        throw new SshKeyError("not an OpenSSH public key line");
    }
    return blob;
}

/** A public key line without its comment, the form two keys are compared in. */
export function normalPublicKey(publicKey: string): PublicKeyLine {
    return lineOfBlob(publicKeyBlob(publicKey));
}

/** The fingerprint `ssh-keygen -l -E sha256` prints: SHA-256 of the blob, base64 without padding (OpenSSH sshkey.c). */
export function fingerprintOf(publicKey: string): string {
    return `SHA256:${createHash("sha256").update(publicKeyBlob(publicKey)).digest("base64").replace(/=+$/, "")}`;
}

/** The public fields of a blob, for a stand-in private entry (see scripts/offline/key-placeholder.ts). */
export function publicKeyFields(publicKey: string): { type: string; fields: Buffer[] } {
    const reader = new WireReader(publicKeyBlob(publicKey));
    const type = reader.text();
    const fields: Buffer[] = [];
    while (reader.rest().length > 0) {
        fields.push(reader.bytes());
    }
    return { type, fields };
}
