/**
 * The deploy keys' checks and decisions (components/config/deploy-keys.ts), with real keys from ssh-keygen: a
 * mismatched pair or a retiring key equal to the current one is refused before anything is registered, naming the
 * key and never showing a private key.
 */
import * as pulumi from "@pulumi/pulumi";
import { readCatalog } from "../components/config/catalog";
import { deployKeyProblems, deployKeys } from "../components/config/deploy-keys";
import { loadStack } from "../components/config/load";
import { fingerprintOf } from "../components/config/ssh-keys";
import { readStackFiles } from "../scripts/offline/stack-files";
import { ROOT } from "./support/stacks";
import { sshKeygen } from "./support/ssh-keygen";

const current = sshKeygen(["-t", "ed25519"], "fsgs-prod-deploy-2027");
const previous = sshKeygen(["-t", "ed25519"], "fsgs-prod-deploy");
const encrypted = sshKeygen(["-t", "ed25519", "-N", "a passphrase"]);

/** prod's config as the CLI hands it, with these deploy keys. */
function prodWith(keys: { publicKey: string; privateKey: string; previousPrivateKey?: string }): Record<string, string> {
    const files = readStackFiles(ROOT, "prod");
    const access = JSON.parse(files.config["svom-fsgs:access"]) as Record<string, unknown>;
    return {
        ...files.config,
        "svom-fsgs:access": JSON.stringify({ ...access, deployPublicKey: keys.publicKey }),
        "svom-fsgs:deployPrivateKey": keys.privateKey,
        ...(keys.previousPrivateKey === undefined ? {} : { "svom-fsgs:deployPreviousPrivateKey": keys.previousPrivateKey }),
    };
}

describe("deployKeyProblems", () => {
    test("a matching pair, with or without a different retiring key, is accepted", () => {
        expect(deployKeyProblems(prodWith(current))).toEqual([]);
        expect(deployKeyProblems(prodWith({ ...current, previousPrivateKey: previous.privateKey }))).toEqual([]);
    });

    test("a public key that is not the private key's half is refused, naming both fingerprints", () => {
        expect(deployKeyProblems(prodWith({ publicKey: previous.publicKey, privateKey: current.privateKey }))).toEqual([
            `svom-fsgs:access.deployPublicKey: expected the public half of deployPrivateKey (${current.fingerprint}; ssh-keygen -y -f deploy_ed25519), got ${previous.fingerprint}: new servers would boot with a key the program cannot log in with`,
        ]);
    });

    test("a retiring key equal to the current one is refused", () => {
        const problems = deployKeyProblems(prodWith({ ...current, previousPrivateKey: current.privateKey.trimEnd() }));
        expect(problems).toEqual([expect.stringMatching(/^svom-fsgs:deployPreviousPrivateKey: expected the key being retired, got the current deploy key/)]);
    });

    test("a retiring key with a passphrase, or that is no key, is refused", () => {
        expect(deployKeyProblems(prodWith({ ...current, previousPrivateKey: encrypted.privateKey }))).toEqual([
            "svom-fsgs:deployPreviousPrivateKey: expected a private key pulumi-command can use, got one it cannot use (encrypted with aes256-ctr: pulumi-command is given no passphrase; remove it with ssh-keygen -p)",
        ]);
        const garbage = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        expect(deployKeyProblems(prodWith({ ...current, previousPrivateKey: garbage }))).toEqual([
            expect.stringMatching(/^svom-fsgs:deployPreviousPrivateKey: expected a private key pulumi-command can use/),
        ]);
    });

    test("the program refuses such a stack before registering anything, and shows no private key", () => {
        const all = prodWith({ ...current, previousPrivateKey: current.privateKey });
        let message = "";
        try {
            loadStack(all, readCatalog(ROOT));
        } catch (error) {
            message = String(error);
        }
        expect(message).toContain("svom-fsgs:deployPreviousPrivateKey: expected the key being retired");
        expect(message).not.toMatch(/PRIVATE KEY|b3BlbnNzaC1rZXktdjE/);
    });
});

describe("deployKeys", () => {
    const value = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

    test("outside a rotation: one key everywhere, the keypair's text as configured", async () => {
        const keys = deployKeys(current.publicKey, pulumi.secret(current.privateKey));
        expect(await value(keys.keypairPublicKey)).toBe(current.publicKey);
        expect((await value(keys.authorizedPublicKeys)).map(fingerprintOf)).toEqual([current.fingerprint]);
        expect(await pulumi.isSecret(keys.rotationPrivateKey)).toBe(true);
    });

    test("during a rotation: the keypair and the login of the authorized-keys commands use the retiring key; both keys are authorized; public keys are plain", async () => {
        const keys = deployKeys(current.publicKey, pulumi.secret(current.privateKey), pulumi.secret(previous.privateKey));
        // The .pub line ssh-keygen wrote, comment included: a phase 1 leaves the keypair as it was.
        expect(await value(keys.keypairPublicKey)).toBe(previous.publicKey);
        expect(await pulumi.isSecret(keys.keypairPublicKey)).toBe(false);
        expect((await value(keys.authorizedPublicKeys)).map(fingerprintOf)).toEqual([current.fingerprint, previous.fingerprint]);
        expect(await pulumi.isSecret(keys.authorizedPublicKeys)).toBe(false);
        expect(await pulumi.isSecret(keys.rotationPrivateKey)).toBe(true);
        expect(await value(keys.rotationPrivateKey)).toBe(previous.privateKey);
        expect(await value(keys.privateKey)).toBe(current.privateKey);
    });
});
