import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { parseStackConfig, readNamespacedConfig } from "../components/config/load";
import { buildStack } from "../components/stack";
import { architectureMarkdown } from "./offline/diagram";
import { ProgramFailedError, renderProgram } from "./offline/render";
import { formatReport } from "./offline/report";
import { readStackFiles } from "./offline/stack-files";

const USAGE = "usage: npm run plan -- --stack <integration|preprod|prod>";
const ROOT = join(__dirname, "..");

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { stack: { type: "string" } } });
    if (!values.stack) {
        console.error(USAGE);
        return 2;
    }
    const stack = values.stack;
    const files = readStackFiles(ROOT, stack);

    let render;
    try {
        render = await renderProgram({ ...files, stack, program: () => buildStack().outputs });
    } catch (error) {
        if (error instanceof ProgramFailedError) {
            console.error(`${error.message}\n\n${error.registered.length} resources were registered.`);
            return 1;
        }
        throw error;
    }

    const config = parseStackConfig(readNamespacedConfig(files.config));
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
