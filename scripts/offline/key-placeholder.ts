import { createHash } from "node:crypto";
import { publicKeyFields, wireStrings } from "../../components/config/ssh-keys";

/**
 * A stand-in for an encrypted deploy private key, for the offline plan: an unencrypted "openssh-key-v1" container
 * (OpenSSH PROTOCOL.key) whose public part is the given public key and whose secret numbers are all zero. It is
 * shaped like the real key, so the program derives the same public half from it (and the lifecycle simulator
 * knows which key each connection presents), yet it opens nothing: no signature can be made with a zero scalar.
 */
export function placeholderPrivateKey(publicKey: string): string {
    const { type, fields } = publicKeyFields(publicKey);
    const publicBlob = wireStrings(type, ...fields);
    const zero = Buffer.alloc(0);
    // The private entry each type carries (OpenSSH sshkey.c sshkey_private_serialize): ed25519 pk, sk (seed || pk);
    // ecdsa curve, Q, d; rsa n, e, d, iqmp, p, q (its public blob is e, n).
    const entry =
        type === "ssh-ed25519"
            ? wireStrings(type, fields[0], Buffer.concat([Buffer.alloc(32), fields[0]]))
            : type === "ssh-rsa"
              ? wireStrings(type, fields[1], fields[0], zero, zero, zero, zero)
              : wireStrings(type, ...fields, zero);
    const comment = wireStrings("offline-plan placeholder: opens nothing");
    const unpadded = Buffer.concat([Buffer.alloc(8), entry, comment]);
    // Padded to the "none" cipher's block size of 8 with 1, 2, 3... (PROTOCOL.key).
    const padding = Buffer.from(Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, index) => index + 1));
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0", "latin1"),
        wireStrings("none", "none", ""),
        Buffer.from([0, 0, 0, 1]),
        wireStrings(publicBlob, Buffer.concat([unpadded, padding])),
    ]);
    const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
    return ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n");
}

/**
 * The public key the offline plan gives a retiring deploy key it cannot decrypt: fixed, well-formed, and different
 * from any real key (32 bytes of a hash of a label, not a key anyone generated).
 */
export const UNKNOWN_PREVIOUS_DEPLOY_KEY = `ssh-ed25519 ${wireStrings("ssh-ed25519", createHash("sha256").update("svom-fsgs offline plan: previous deploy key").digest()).toString("base64")}`;
