import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { type DeploymentInput, deploymentSettingsFor } from "../deployments/settings";
import { type Render, ProgramFailedError, renderProgram } from "../scripts/offline/render";
import { ROOT } from "./support/stacks";
import { AGENT_POOLS } from "./gitlab-ci-sandbox";
import { adminCidrsOf, agentPoolProblems } from "../deployments/agent-pool";

const NAMESPACE = "svom-fsgs-deployments";
const SETTINGS = "pulumiservice:index:DeploymentSettings";
const OPENSTACK_CREDENTIAL_VARIABLES = ["OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_SECRET"];

const unwrap = <T>(value: pulumi.Input<T>): Promise<T> =>
    new Promise((resolve) => pulumi.output(value).apply((inner) => resolve(inner as T)));

const input = (edit: Partial<DeploymentInput> = {}): DeploymentInput => ({
    organization: "svom",
    project: "svom-fsgs",
    gitlab: { repoUrl: "https://gitlab.in2p3.fr/svom/fsgs/svom-fsgs-infra.git", branch: "main", username: "oauth2" },
    gitlabToken: "glpat-test",
    target: {
        agentPoolId: "pool-ccin2p3",
        agentEgressAddress: "134.158.88.40",
        openstack: { authUrl: "https://keystone.cc.in2p3.fr:5000/v3", region: "RegionOne" },
    },
    credential: { id: "credential-id", secret: "credential-secret" },
    ...edit,
});

describe("deploymentSettingsFor", () => {
    it("checks out the GitLab repository's branch with the token as a secret password", async () => {
        const settings = deploymentSettingsFor("preprod", input());
        expect(settings).toMatchObject({ organization: "svom", project: "svom-fsgs", stack: "preprod" });
        expect(settings.sourceContext.git).toMatchObject({
            repoUrl: "https://gitlab.in2p3.fr/svom/fsgs/svom-fsgs-infra.git",
            branch: "main",
        });
        const password = settings.sourceContext.git.gitAuth.basicAuth.password;
        expect(await pulumi.isSecret(pulumi.output(password))).toBe(true);
        expect(await unwrap(password)).toBe("glpat-test");
    });

    it("lets one stack follow another branch", () => {
        const settings = deploymentSettingsFor("integration", input({ target: { ...input().target, branch: "develop" } }));
        expect(settings.sourceContext.git.branch).toBe("develop");
    });

    it("installs with npm ci --ignore-scripts, and only that way", () => {
        const { operationContext } = deploymentSettingsFor("prod", input());
        expect(operationContext.preRunCommands).toContain("npm ci --ignore-scripts");
        expect(operationContext.options.skipInstallDependencies).toBe(true);
    });

    it("hands the OpenStack application credential over as secret variables", async () => {
        const variables = deploymentSettingsFor("prod", input()).operationContext.environmentVariables ?? {};
        expect(Object.keys(variables).sort()).toEqual(
            ["OS_AUTH_TYPE", "OS_AUTH_URL", "OS_REGION_NAME", ...OPENSTACK_CREDENTIAL_VARIABLES].sort(),
        );
        expect(variables).toMatchObject({
            OS_AUTH_TYPE: "v3applicationcredential",
            OS_AUTH_URL: "https://keystone.cc.in2p3.fr:5000/v3",
        });
        for (const name of OPENSTACK_CREDENTIAL_VARIABLES) {
            expect([name, await pulumi.isSecret(pulumi.output(variables[name]))]).toEqual([name, true]);
        }
        expect(await unwrap(variables.OS_APPLICATION_CREDENTIAL_SECRET)).toBe("credential-secret");
    });

    it("runs every stack on its self-hosted agent pool, never on the Pulumi-hosted runners", () => {
        expect(deploymentSettingsFor("prod", input()).agentPoolId).toBe("pool-ccin2p3");
        expect(() => deploymentSettingsFor("prod", input({ target: { ...input().target, agentPoolId: undefined } }))).toThrow(/no agentPoolId/);
    });

    it("carries no credential at all when the stack takes them from ESC", () => {
        const settings = deploymentSettingsFor(
            "prod",
            input({ target: { agentPoolId: "pool-ccin2p3", esc: { environment: "svom-fsgs/prod" } }, credential: undefined }),
        );
        expect(JSON.stringify(settings)).not.toMatch(/OS_/);
        expect(settings.operationContext.environmentVariables).toBeUndefined();
    });

    it("never enables push-to-deploy: every run, prod's first, is started from GitLab", () => {
        for (const stack of ["integration", "preprod", "prod"] as const) {
            const settings = deploymentSettingsFor(stack, input());
            expect(settings).not.toHaveProperty("github");
            expect(settings).not.toHaveProperty("vcs");
        }
    });
});

/** deployments/Pulumi.main.yaml as the CLI hands it over, with the secrets `pulumi config set --secret` adds. */
function mainStackConfig(edit: (config: Record<string, any>) => void = () => undefined) {
    const file = parse(readFileSync(join(ROOT, "deployments", "Pulumi.main.yaml"), "utf8")) as { config: Record<string, unknown> };
    const values: Record<string, any> = {};
    for (const [key, value] of Object.entries(file.config)) {
        values[key.slice(`${NAMESPACE}:`.length)] = value;
    }
    // What the operator adds once each site's agent pool exists (README, "Running it for real").
    for (const [stack, pool] of Object.entries(AGENT_POOLS)) {
        Object.assign(values.targets[stack], pool);
    }
    values.gitlabToken = "glpat-test";
    for (const stack of ["integration", "preprod", "prod"]) {
        values[`${stack}CredentialId`] = `${stack}-id`;
        values[`${stack}CredentialSecret`] = `${stack}-secret`;
    }
    edit(values);
    const config = Object.fromEntries(
        Object.entries(values)
            .filter(([, value]) => value !== undefined)
            .map(([key, value]) => [`${NAMESPACE}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
    );
    const secretKeys = Object.keys(config).filter((key) => /:(gitlabToken|\w+Credential(Id|Secret))$/.test(key));
    return { config, secretKeys };
}

async function renderDeployments(edit?: (config: Record<string, any>) => void): Promise<Render> {
    // Loaded after renderProgram has set the mocks, as the CLI would load the program.
    const { buildDeployments } = await import("../deployments/program");
    return renderProgram({
        project: NAMESPACE,
        stack: "main",
        ...mainStackConfig(edit),
        program: () => buildDeployments(),
    });
}

async function renderFailure(edit: (config: Record<string, any>) => void): Promise<ProgramFailedError> {
    try {
        await renderDeployments(edit);
    } catch (error) {
        if (error instanceof ProgramFailedError) {
            return error;
        }
        throw error;
    }
    throw new Error("the program accepted the config");
}

describe("the deployments program", () => {
    let render: Render;
    beforeAll(async () => {
        render = await renderDeployments();
    });
    const settings = () => render.resources.filter((resource) => resource.type === SETTINGS);

    it("configures every stack of svom/svom-fsgs once", () => {
        expect(settings().map((resource) => resource.inputs.stack).sort()).toEqual(["integration", "preprod", "prod"]);
        for (const resource of settings()) {
            expect(resource.inputs).toMatchObject({ organization: "svom", project: "svom-fsgs" });
        }
    });

    it("records the GitLab token and the OpenStack credentials only as secrets", () => {
        const text = JSON.stringify(render.resources);
        for (const plain of ["glpat-test", "prod-secret", "prod-id", "preprod-secret", "integration-secret"]) {
            expect(text).not.toContain(plain);
        }
        // The SDK cannot mark part of an input secret: the secret lifts the whole top-level input.
        for (const resource of settings()) {
            expect(resource.inputs).toMatchObject({ sourceContext: "[secret]", operationContext: "[secret]" });
        }
    });

    it("tells the GitLab job which stack to name", () => {
        expect(render.outputs.targets.value).toMatchObject({ prod: { stack: "svom/svom-fsgs/prod" } });
    });

    it("drops the inline credentials of a stack moved to ESC", async () => {
        const moved = await renderDeployments((config) => {
            config.targets.prod = { ...AGENT_POOLS.prod, esc: { environment: "svom-fsgs/prod" } };
            delete config.prodCredentialId;
            delete config.prodCredentialSecret;
        });
        const prod = moved.resources.find((resource) => resource.type === SETTINGS && resource.inputs.stack === "prod");
        expect((prod?.inputs as any).operationContext.environmentVariables).toBeUndefined();
    });

    it.each<[string, (config: Record<string, any>) => void, RegExp]>([
        ["an unknown stack", (config) => (config.targets.staging = config.targets.preprod), /svom-fsgs-deployments:targets\.staging: unknown key/],
        ["no repository URL", (config) => delete config.gitlab.repoUrl, /svom-fsgs-deployments:gitlab\.repoUrl: /],
        ["a plain-HTTP repository URL", (config) => (config.gitlab.repoUrl = "http://gitlab.in2p3.fr/x.git"), /svom-fsgs-deployments:gitlab\.repoUrl: /],
        ["both ESC and inline credentials", (config) => (config.targets.prod.esc = { environment: "svom-fsgs/prod" }), /svom-fsgs-deployments:targets\.prod: expected exactly one/],
        ["a missing credential secret", (config) => delete config.preprodCredentialSecret, /svom-fsgs-deployments:preprodCredentialSecret: /],
        ["no GitLab token", (config) => delete config.gitlabToken, /svom-fsgs-deployments:gitlabToken: /],
        ["a stack without an agent pool", (config) => delete config.targets.prod.agentPoolId, /svom-fsgs-deployments:targets\.prod\.agentPoolId: expected the ID of a self-hosted agent pool.*Pulumi-hosted runners cannot reach the bastion or the API/],
        ["an agent whose egress prod does not admit", (config) => (config.targets.prod.agentEgressAddress = "134.158.64.25"), /svom-fsgs-deployments:targets\.prod\.agentEgressAddress: 134\.158\.64\.25 is not inside svom-fsgs:access\.adminCidrs of Pulumi\.prod\.yaml \(134\.158\.88\.0\/24\)/],
    ])("rejects %s, naming the key, before registering anything", async (_, edit, message) => {
        const failure = await renderFailure(edit);
        expect(failure.message).toMatch(message);
        expect(failure.message).not.toMatch(/secret-|glpat/);
        expect(failure.registered).toEqual([]);
    });
});

describe("the agent pool of each stack", () => {
    it("refuses the committed config until every site has its agent pool, naming each key", async () => {
        const failure = await renderFailure((config) => {
            for (const stack of ["integration", "preprod", "prod"]) {
                delete config.targets[stack].agentPoolId;
                delete config.targets[stack].agentEgressAddress;
            }
        });
        for (const stack of ["integration", "preprod", "prod"]) {
            expect(failure.message).toContain(`svom-fsgs-deployments:targets.${stack}.agentPoolId: expected the ID of a self-hosted agent pool`);
            expect(failure.message).toContain(`svom-fsgs-deployments:targets.${stack}.agentEgressAddress: expected the IP address`);
        }
        expect(failure.registered).toEqual([]);
    });

    it.each<[string, string | undefined, string[], RegExp | undefined]>([
        ["an address inside an admin CIDR", "134.158.88.40", ["10.0.0.0/8", "134.158.88.0/24"], undefined],
        ["the last address of the block", "134.158.79.255", ["134.158.64.0/20"], undefined],
        ["the first address after the block", "134.158.80.0", ["134.158.64.0/20"], /134\.158\.80\.0 is not inside/],
        ["an IPv6 agent for IPv4 admin CIDRs", "2001:db8::5", ["134.158.88.0/24"], /2001:db8::5 is not inside/],
        ["an IPv6 agent inside an IPv6 admin CIDR", "2001:db8::5", ["2001:db8::/64"], undefined],
        ["a host name", "agent.cc.in2p3.fr", ["134.158.88.0/24"], /expected the IP address .* got "agent\.cc\.in2p3\.fr"/],
        ["no admin CIDR at all", "134.158.88.40", [], /not inside .* \(none\)/],
    ])("%s", (_, address, adminCidrs, problem) => {
        const problems = agentPoolProblems("prod", { agentPoolId: "pool-1", agentEgressAddress: address }, adminCidrs);
        if (problem) {
            expect(problems).toHaveLength(1);
            expect(problems[0]).toMatch(problem);
            expect(problems[0]).toMatch(/^svom-fsgs-deployments:targets\.prod\.agentEgressAddress: /);
        } else {
            expect(problems).toEqual([]);
        }
    });

    it("reads each stack's admin CIDRs from its committed stack file", () => {
        expect(adminCidrsOf(ROOT, "prod")).toEqual(["134.158.88.0/24"]);
        expect(adminCidrsOf(ROOT, "integration")).toEqual(["134.158.64.0/20", "134.158.88.0/24"]);
    });
});
