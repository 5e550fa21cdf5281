import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { parseStackConfig, readNamespacedConfig } from "../components/config/load";
import { environmentProfile } from "../components/config/profile";
import { parseCatalog, readCatalog } from "../components/config/catalog";
import { capacityLines, stackCapacity } from "../components/kubernetes/capacity";
import { resolveService } from "../components/kubernetes/service-defaults";
import { buildStack } from "../components/stack";
import { compareStacks } from "./offline/compare";
import { stackDaemonSets } from "./offline/daemonsets";
import { architectureMarkdown } from "./offline/diagram";
import { predict } from "./offline/lifecycle/predict";
import { parseSetting } from "./offline/lifecycle/settings";
import { ProgramFailedError, renderProgram } from "./offline/render";
import { formatReport } from "./offline/report";
import { readStackFiles } from "./offline/stack-files";

const USAGE = [
    "usage: npm run plan -- --stack <integration|preprod|prod>",
    "       npm run plan -- --stack <stack> [--set key=value ...] [--replace <name> ...] [--destroy]",
    "       npm run plan -- --compare <stack> <stack>",
].join("\n");
const ROOT = join(__dirname, "..");

/** Renders one stack; undefined (after printing why) when its config is wrong. */
async function renderStack(stack: string) {
    const files = readStackFiles(ROOT, stack);
    try {
        return { files, render: await renderProgram({ ...files, stack, program: buildStack }) };
    } catch (error) {
        if (error instanceof ProgramFailedError) {
            console.error(`${stack}: ${error.message}\n\n${error.registered.length} resources were registered.`);
            return undefined;
        }
        throw error;
    }
}

/** `--compare a b`: what a promotion from a to b changes, in config and in resources. */
async function compare(a: string, b: string): Promise<number> {
    const before = await renderStack(a);
    const after = await renderStack(b);
    if (!before || !after) {
        return 1;
    }
    const lines = compareStacks(
        { render: before.render, config: readNamespacedConfig(before.files.config) },
        { render: after.render, config: readNamespacedConfig(after.files.config) },
    );
    console.log(lines.join("\n"));
    return 0;
}

async function main(): Promise<number> {
    const { values, positionals } = parseArgs({
        options: {
            stack: { type: "string" },
            compare: { type: "boolean" },
            set: { type: "string", multiple: true },
            replace: { type: "string", multiple: true },
            destroy: { type: "boolean" },
        },
        allowPositionals: true,
    });
    if (values.compare) {
        if (positionals.length !== 2) {
            console.error(USAGE);
            return 2;
        }
        return compare(positionals[0], positionals[1]);
    }
    if (!values.stack || positionals.length > 0) {
        console.error(USAGE);
        return 2;
    }
    const stack = values.stack;
    if (values.set || values.replace || values.destroy) {
        // The steps an `up` of the changed config (or a destroy) would take, and whether the cloud accepts them.
        try {
            const prediction = await predict(ROOT, stack, {
                settings: (values.set ?? []).map(parseSetting),
                replace: values.replace ?? [],
                destroy: values.destroy ?? false,
            });
            console.log(prediction.lines.join("\n"));
            return 0;
        } catch (error) {
            if (error instanceof ProgramFailedError) {
                console.error(`${stack} with the changed config: ${error.message}`);
                return 1;
            }
            throw error;
        }
    }
    const rendered = await renderStack(stack);
    if (!rendered) {
        return 1;
    }
    const { files, render } = rendered;

    const config = parseStackConfig(readNamespacedConfig(files.config));
    const profile = environmentProfile(config.environment);
    const directory = join(ROOT, "build", "plan", stack);
    mkdirSync(directory, { recursive: true });
    const plan = {
        project: render.project,
        stack: render.stack,
        resources: render.resources.map((resource) => ({
            type: resource.type,
            name: resource.name,
            urn: resource.urn,
            parent: resource.parent ?? null,
            inputs: resource.inputs,
            options: {
                protect: resource.protect,
                retainOnDelete: resource.retainOnDelete,
                ignoreChanges: resource.ignoreChanges,
                dependsOn: resource.dependsOn,
                additionalSecretOutputs: resource.additionalSecretOutputs,
            },
        })),
        outputs: render.outputs,
    };
    writeFileSync(join(directory, "plan.json"), `${JSON.stringify(plan, null, 2)}\n`);
    writeFileSync(join(directory, "architecture.md"), architectureMarkdown(render, config));
    // What Ansible will be given, for the reviewer of a change to the cluster layer.
    const inventory = render.resources.find((resource) => resource.name.endsWith("-ansible-inventory"))?.inputs.source;
    if (inventory !== null && typeof inventory === "object" && "stringAsset" in inventory) {
        writeFileSync(join(directory, "inventory.yml"), String(inventory.stringAsset));
    }

    console.log(formatReport(render));
    // N-k capacity at peak: site.flavorSizes less the DaemonSets against every service at its peak and the add-ons on workers.
    const services = parseCatalog(readCatalog(ROOT)).map((service) => resolveService(service, config.services[service.name], profile));
    const daemonSets = stackDaemonSets(render.resources, config);
    const capacity = capacityLines(stackCapacity(config, profile, services, daemonSets.shares), daemonSets.unknown);
    console.log(`\nCapacity at peak, with cluster.workerLossTolerance workers down:\n${capacity.map((line) => `  ${line}`).join("\n")}`);
    if (files.placeholders.length > 0) {
        console.log(`\nSecrets replaced by placeholders (the plan never decrypts): ${files.placeholders.join(", ")}`);
    }
    console.log(`\nWrote ${relative(process.cwd(), directory)}/: plan.json, architecture.md, inventory.yml`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    },
);
