import type { FakeCloud } from "../../scripts/offline/fake-cloud";
import { type Render, renderProgram } from "../../scripts/offline/render";
import { readStackFiles, secretTexts } from "../../scripts/offline/stack-files";
import { buildStack } from "../../components/stack";
import { ROOT, STACKS, type StackName, rawConfig } from "./stack-config";

export { ROOT, STACKS, type StackName, rawConfig };

/** Renders the real program for a stack, optionally with its config edited first. */
export async function renderStack(
    stack: StackName,
    edit: (config: Record<string, unknown>) => void = () => undefined,
    cloud?: FakeCloud,
    /** Secret values to use instead of the stack file's placeholders, by key without namespace. */
    secretOverrides: Record<string, string> = {},
): Promise<Render> {
    const files = readStackFiles(ROOT, stack);
    const config = rawConfig(stack);
    edit(config);
    const texts = Object.fromEntries(
        Object.entries(config).map(([key, value]) => [
            `${files.project}:${key}`,
            typeof value === "string" ? value : JSON.stringify(value),
        ]),
    );
    // A secret the test sets (a key the stack file lacks included) replaces the stack file's placeholder.
    const overrides = Object.fromEntries(Object.entries(secretOverrides).map(([key, value]) => [`${files.project}:${key}`, value]));
    const secrets = { ...secretTexts(files, config.access), ...overrides };
    return renderProgram({
        project: files.project,
        stack,
        config: { ...texts, ...secrets },
        secretKeys: [...new Set([...files.secretKeys, ...Object.keys(overrides)])],
        program: buildStack,
        cloud,
    });
}

/** Resources of one type, e.g. `openstack:compute/instance:Instance`. */
export function ofType(render: Render, type: string) {
    return render.resources.filter((resource) => resource.type === type);
}

export const TYPES = {
    instance: "openstack:compute/instance:Instance",
    serverGroup: "openstack:compute/serverGroup:ServerGroup",
    volume: "openstack:blockstorage/volume:Volume",
    volumeAttach: "openstack:compute/volumeAttach:VolumeAttach",
    port: "openstack:networking/port:Port",
    secGroupRule: "openstack:networking/secGroupRule:SecGroupRule",
    floatingIp: "openstack:networking/floatingIp:FloatingIp",
    routerInterface: "openstack:networking/routerInterface:RouterInterface",
    listener: "openstack:loadbalancer/listener:Listener",
    member: "openstack:loadbalancer/member:Member",
    loadBalancer: "openstack:loadbalancer/loadBalancer:LoadBalancer",
} as const;
