/**
 * The production policy pack (policy/), checked offline on each stack's rendered plan.
 *
 * A broken prod cannot be rendered from config: the schema refuses world-open admin CIDRs, two control planes
 * and the like in prod before any resource exists. So the broken plans are the real prod render with one
 * resource mutated, the way a careless edit of a component would change it; each rule is shown to fail.
 */
import { type Render } from "../scripts/offline/render";
import { RULES, evaluate } from "../policy/catalog";
import { fromRender } from "../scripts/offline/policy-subject";
import { policies } from "../policy/crossguard";
import { type ResourceValidation, type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import { STACKS, type StackName, TYPES, renderStack } from "./support/stacks";

const renders = {} as Record<StackName, Render>;

beforeAll(async () => {
    for (const stack of STACKS) {
        renders[stack] = await renderStack(stack);
    }
}, 120_000);

/** Violations of one rule on a prod plan changed by `mutate`. */
function violationsAfter(rule: string, mutate: (render: Render) => void): string[] {
    const broken = structuredClone(renders.prod);
    mutate(broken);
    const outcome = evaluate(fromRender(broken)).find((o) => o.rule === rule);
    expect(outcome?.notApplicable).toBeUndefined();
    return outcome?.violations.map((v) => v.message) ?? [];
}

function find(render: Render, type: string, name: string) {
    const resource = render.resources.find((r) => r.type === type && r.name === name);
    if (!resource) {
        throw new Error(`no ${type} ${name} in the ${render.stack} plan`);
    }
    return resource;
}

describe("every stack's plan satisfies the production rules", () => {
    it.each(STACKS)("%s has no violation", (stack) => {
        const outcomes = evaluate(fromRender(renders[stack]));
        expect(outcomes.flatMap((o) => o.violations)).toEqual([]);
    });

    it("applies every rule to prod, all but volume protection to preprod, none to integration", () => {
        const applied = (stack: StackName) =>
            evaluate(fromRender(renders[stack]))
                .filter((o) => o.notApplicable === undefined)
                .map((o) => o.rule);
        expect(applied("prod")).toEqual(RULES.map((r) => r.name));
        expect(applied("preprod")).toEqual(RULES.map((r) => r.name).filter((name) => name !== "protected-volumes"));
        expect(applied("integration")).toEqual([]);
    });

    it("integration would pass the rules it is not held to but could be (ports, images, kubeconfig)", () => {
        const unscoped = RULES.filter((r) => ["no-world-open-admin-ports", "pinned-images", "secret-kubeconfig"].includes(r.name)).map(
            (r) => ({ ...r, appliesTo: { name: "every environment", holds: () => true } }),
        );
        const outcomes = evaluate(fromRender(renders.integration), unscoped);
        expect(outcomes.map((o) => [o.rule, o.notApplicable, o.violations])).toEqual(unscoped.map((r) => [r.name, undefined, []]));
    });
});

describe("a broken prod plan is reported, naming the resource", () => {
    it("control-plane-ha: a control plane moved to the workers' soft-anti-affinity group", () => {
        const violations = violationsAfter("control-plane-ha", (render) => {
            const workersGroup = find(render, TYPES.serverGroup, "fsgs-prod-general-affinity");
            find(render, TYPES.instance, "fsgs-prod-cp-2").inputs.schedulerHints = [{ group: workersGroup.id }];
        });
        expect(violations).toEqual(
            expect.arrayContaining([
                expect.stringContaining("fsgs-prod-general-affinity"),
                expect.stringMatching(/server group fsgs-prod-general-affinity .*"soft-anti-affinity"/),
            ]),
        );
    });

    it("control-plane-ha: an even number of control planes", () => {
        const violations = violationsAfter("control-plane-ha", (render) => {
            render.resources = render.resources.filter((r) => !(r.type === TYPES.instance && r.name === "fsgs-prod-cp-3"));
        });
        expect(violations).toEqual([expect.stringMatching(/^2 control-plane instance\(s\) \(fsgs-prod-cp-1, fsgs-prod-cp-2\)/)]);
    });

    it("control-plane-ha: counts control planes by their fsgs_role metadata, not by a name pattern", () => {
        // Renamed, it is still a control plane; a worker's name does not make it one.
        expect(
            violationsAfter("control-plane-ha", (render) => {
                find(render, TYPES.instance, "fsgs-prod-cp-3").name = "fsgs-prod-etcd-c";
            }),
        ).toEqual([]);
        const violations = violationsAfter("control-plane-ha", (render) => {
            find(render, TYPES.instance, "fsgs-prod-cp-3").inputs.metadata = { fsgs_environment: "prod", fsgs_role: "worker", fsgs_pool: "general" };
        });
        expect(violations).toEqual([expect.stringMatching(/^2 control-plane instance\(s\) \(fsgs-prod-cp-1, fsgs-prod-cp-2\)/)]);
    });

    it("control-plane-ha: a control plane in no server group", () => {
        const violations = violationsAfter("control-plane-ha", (render) => {
            delete find(render, TYPES.instance, "fsgs-prod-cp-1").inputs.schedulerHints;
        });
        expect(violations).toEqual([expect.stringContaining("fsgs-prod-cp-1 is scheduled in 0 server groups")]);
    });

    it("no-world-open-admin-ports: SSH from 0.0.0.0/0", () => {
        const violations = violationsAfter("no-world-open-admin-ports", (render) => {
            const ssh = structuredClone(find(render, TYPES.secGroupRule, "fsgs-prod-sg-bastion-tcp-22-from-134-158-88-0-24"));
            ssh.name = "fsgs-prod-sg-bastion-tcp-22-from-world";
            ssh.urn = `${ssh.urn}-from-world`;
            ssh.inputs.remoteIpPrefix = "0.0.0.0/0";
            render.resources.push(ssh);
        });
        expect(violations).toEqual(["security group rule fsgs-prod-sg-bastion-tcp-22-from-world opens 22 (ssh) to 0.0.0.0/0"]);
    });

    it("no-world-open-admin-ports: a range over etcd from ::/0, and every protocol from anywhere", () => {
        const violations = violationsAfter("no-world-open-admin-ports", (render) => {
            const template = find(render, TYPES.secGroupRule, "fsgs-prod-sg-bastion-tcp-22-from-134-158-88-0-24");
            const wide = structuredClone(template);
            Object.assign(wide, { name: "wide", urn: `${wide.urn}-wide` });
            Object.assign(wide.inputs, { remoteIpPrefix: "::/0", ethertype: "IPv6", portRangeMin: 2000, portRangeMax: 2379 });
            const any = structuredClone(template);
            Object.assign(any, { name: "any", urn: `${any.urn}-any` });
            for (const key of ["remoteIpPrefix", "protocol", "portRangeMin", "portRangeMax"]) {
                delete any.inputs[key];
            }
            render.resources.push(wide, any);
        });
        expect(violations).toEqual([
            "security group rule wide opens 2379-2380 (etcd) to ::/0",
            "security group rule any allows every protocol from anywhere (no remote prefix or group)",
        ]);
    });

    it("protected-volumes: a data volume neither protected nor retained", () => {
        const violations = violationsAfter("protected-volumes", (render) => {
            Object.assign(find(render, TYPES.volume, "fsgs-prod-stateful-2-data"), { protect: false, retainOnDelete: false });
        });
        expect(violations).toEqual([
            "volume fsgs-prod-stateful-2-data is not protected (protect: true)",
            "volume fsgs-prod-stateful-2-data is not retained on delete (retainOnDelete: true)",
        ]);
    });

    it("pinned-images: an image on latest, one without tag, and a chart version range", () => {
        const violations = violationsAfter("pinned-images", (render) => {
            const archive = find(render, "kubernetes:apps/v1:Deployment", "archive-api");
            (archive.inputs as any).spec.template.spec.containers[0].image = "gitlab-registry.in2p3.fr/svom/fsgs/archive-api:latest";
            const broker = find(render, "kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster", "message-broker-cluster");
            (broker.inputs as any).spec.image = "registry:5000/rabbitmq";
            const backup = find(render, "kubernetes:batch/v1:CronJob", "message-broker-definitions-backup");
            (backup.inputs as any).spec.jobTemplate.spec.template.spec.containers[0].image = "registry:5000/curl:latest";
            find(render, "kubernetes:helm.sh/v3:Release", "fsgs-prod-envoy-gateway").inputs.version = "^1.9.0";
        });
        expect(violations).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^Deployment archive-api: container \S+ image .*archive-api:latest uses the tag latest$/),
                "RabbitmqCluster message-broker-cluster: image registry:5000/rabbitmq has no tag (means latest)",
                "CronJob message-broker-definitions-backup: container export image registry:5000/curl:latest uses the tag latest",
                'Helm release fsgs-prod-envoy-gateway has chart version "^1.9.0", expected an exact version',
            ]),
        );
        expect(violations).toHaveLength(4);
    });

    it("pinned-images: a digest is pinned", () => {
        const violations = violationsAfter("pinned-images", (render) => {
            const archive = find(render, "kubernetes:apps/v1:Deployment", "archive-api");
            (archive.inputs as any).spec.template.spec.containers[0].image = `gitlab-registry.in2p3.fr/svom/fsgs/archive-api@sha256:${"a".repeat(64)}`;
        });
        expect(violations).toEqual([]);
    });

    it("secret-kubeconfig: the output and the provider input in plain text", () => {
        const violations = violationsAfter("secret-kubeconfig", (render) => {
            render.outputs.kubeconfig = { value: "apiVersion: v1", secret: false };
            find(render, "pulumi:providers:kubernetes", "fsgs-prod").inputs.kubeconfig = "apiVersion: v1";
        });
        expect(violations).toEqual([
            "the stack output kubeconfig is not a secret",
            "Kubernetes provider fsgs-prod takes its kubeconfig as plain text",
        ]);
    });
});

describe("the CrossGuard pack", () => {
    it("wraps a resource rule: reports on prod, is not applicable on integration", () => {
        const policy = policies.find((p) => p.name === "no-world-open-admin-ports") as ResourceValidationPolicy;
        const validate = policy.validateResource as ResourceValidation;
        const args = (stack: string) =>
            ({
                type: TYPES.secGroupRule,
                name: "open-ssh",
                urn: `urn:pulumi:${stack}::svom-fsgs::${TYPES.secGroupRule}::open-ssh`,
                props: { direction: "ingress", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "0.0.0.0/0" },
                opts: { protect: false },
                notApplicable: (reason: string) => {
                    throw new Error(`not applicable: ${reason}`);
                },
            }) as unknown as ResourceValidationArgs;
        const reported: string[] = [];
        void validate(args("prod"), (message) => reported.push(message));
        expect(reported).toEqual(["security group rule open-ssh opens 22 (ssh) to 0.0.0.0/0"]);
        expect(() => validate(args("integration"), () => undefined)).toThrow(/not applicable: applies where the environment profile's strictRules holds \(preprod, prod\) only, not integration/);
    });

    it("registers one mandatory policy a rule under the name svom-fsgs-production", async () => {
        const constructed: { name: string; args: any }[] = [];
        jest.doMock("@pulumi/policy", () => ({
            // The real constructor reads ./package.json from the cwd and starts a gRPC server.
            PolicyPack: class {
                constructor(name: string, args: unknown) {
                    constructed.push({ name, args });
                }
            },
        }));
        await jest.isolateModulesAsync(async () => {
            await import("../policy/index");
        });
        expect(constructed).toHaveLength(1);
        expect(constructed[0].name).toBe("svom-fsgs-production");
        expect(constructed[0].args.enforcementLevel).toBe("mandatory");
        expect(constructed[0].args.policies.map((p: any) => [p.name, p.enforcementLevel])).toEqual(RULES.map((r) => [r.name, "mandatory"]));
    });
});
