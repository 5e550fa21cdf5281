/** The secrets preflight of the remote jobs (scripts/ci/stack-secrets.ts), on stack files written here. */
import { secretFindingsMessage, stackFileSecretFindings } from "../scripts/ci/stack-secrets";

// The program's secrets, written out (a new secret must be added here knowingly).
const REQUIRED = ["deployPrivateKey", "cloudCredentialId", "cloudCredentialSecret", "registryPassword", "etcdBackupAccessKey", "etcdBackupSecretKey"];

function stackFile(entries: Record<string, string>): string {
    return ["config:", "  svom-fsgs:environment: prod", ...Object.entries(entries).map(([key, value]) => `  ${key}: ${value}`)].join("\n") + "\n";
}
const encrypted = (keys: string[]) => Object.fromEntries(keys.map((key) => [`svom-fsgs:${key}`, `{ secure: "v1:c2VjcmV0-${key}" }`]));

describe("stackFileSecretFindings", () => {
    it("finds nothing wrong when every required secret is encrypted", () => {
        expect(stackFileSecretFindings(stackFile(encrypted(REQUIRED)))).toEqual([]);
    });

    it("names every missing secret of the program's list", () => {
        expect(stackFileSecretFindings(stackFile({})).map((finding) => [finding.key, finding.problem])).toEqual(REQUIRED.map((key) => [key, "missing"]));
    });

    it("calls a clear-text value a leak, and an empty secure value missing", () => {
        const findings = stackFileSecretFindings(
            stackFile({
                ...encrypted(["cloudCredentialId", "cloudCredentialSecret", "etcdBackupAccessKey", "etcdBackupSecretKey"]),
                "svom-fsgs:registryPassword": "hunter2",
                "svom-fsgs:deployPrivateKey": '{ secure: "" }',
            }),
        );
        expect(findings).toEqual([
            { key: "deployPrivateKey", problem: "missing" },
            { key: "registryPassword", problem: "plain" },
        ]);
    });

    it("calls the retiring deploy key a leak in clear text, and asks for it nowhere", () => {
        const withPrevious = (value: string) => stackFileSecretFindings(stackFile({ ...encrypted(REQUIRED), "svom-fsgs:deployPreviousPrivateKey": value }));
        expect(withPrevious('"-----BEGIN OPENSSH PRIVATE KEY-----"')).toEqual([{ key: "deployPreviousPrivateKey", problem: "plain" }]);
        expect(withPrevious('{ secure: "v1:x" }')).toEqual([]);
    });

    it("accepts a project key written without its namespace, as the CLI reads it", () => {
        const bare = Object.fromEntries(REQUIRED.map((key) => [key, `{ secure: "v1:x" }`]));
        expect(stackFileSecretFindings(stackFile(bare))).toEqual([]);
    });
});

describe("secretFindingsMessage", () => {
    it("names each key with the command that sets it, and never the value", () => {
        const message = secretFindingsMessage("preprod", stackFileSecretFindings(stackFile({ "svom-fsgs:registryPassword": "hunter2" })));
        expect(message).toMatch(/^Pulumi\.preprod\.yaml lacks 6 encrypted secrets/);
        expect(message).toContain("pulumi config set --stack preprod --secret deployPrivateKey < deploy_ed25519");
        for (const key of ["cloudCredentialId", "cloudCredentialSecret", "registryPassword"]) {
            expect(message).toContain(`pulumi config set --stack preprod --secret ${key}`);
        }
        expect(message).toContain("svom-fsgs:registryPassword: stored in clear text");
        expect(message).not.toContain("hunter2");
    });

    it("says nothing when nothing is wrong", () => {
        expect(secretFindingsMessage("prod", [])).toBe("");
    });
});
