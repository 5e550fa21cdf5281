import pulumi from "@pulumi/eslint-plugin";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/**
 * The house's floors (README "Which folder may import which"): config at the bottom; openstack, kubernetes and
 * ansible on it; cluster on openstack and ansible; the program (stack.ts, index.ts) on top. Scripts, tests and the
 * policy pack use the program's modules; the program never uses them.
 */
const OUTSIDE_THE_PROGRAM = ["./scripts", "./policy", "./tests", "./deployments", "./index.ts"];
const PROGRAM = "./components/stack.ts";
const floor = (target, above, why) => ({ target, from: [...above, PROGRAM, ...OUTSIDE_THE_PROGRAM], message: why });
const LAYERS = [
    floor("./components/config", ["./components/openstack", "./components/kubernetes", "./components/ansible", "./components/cluster"], "config/ is the ground floor: it imports no other layer."),
    floor("./components/openstack", ["./components/kubernetes", "./components/ansible", "./components/cluster"], "openstack/ stands on config/ only."),
    floor("./components/kubernetes", ["./components/openstack", "./components/ansible", "./components/cluster"], "kubernetes/ stands on config/ only."),
    floor("./components/ansible", ["./components/openstack", "./components/kubernetes", "./components/cluster"], "ansible/ is a mechanism on config/: the cluster uses it, not the other way round."),
    floor("./components/cluster", ["./components/kubernetes"], "cluster/ stands on config/, openstack/ and ansible/."),
    { target: "./components", from: OUTSIDE_THE_PROGRAM, message: "The program never imports the scripts, tests or policy pack that use it." },
    { target: "./policy", from: ["./scripts", "./tests", "./deployments", "./index.ts"], message: "The policy pack reads components/, never the tools that use it." },
];

export default tseslint.config(
    { ignores: ["node_modules/", "build/", "coverage/", "jest.config.js", "eslint.config.mjs", "tests/support/*.js", "stryker.config.mjs", "tests/mutation/*.{js,mjs}", "reports/", ".stryker-tmp/"] },
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi, "import-x": importX },
        settings: {
            "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".json"] })],
            // no-cycle reads the imported modules itself: it must parse TypeScript, or it silently sees no loop.
            "import-x/extensions": [".ts", ".js"],
            "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
        },
        rules: {
            // An Output in a template literal renders as a warning text instead of its value.
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
            // Components are created for their side effect of registering resources.
            "no-new": "off",
            "import-x/no-restricted-paths": ["error", { zones: LAYERS }],
            // A loop between modules is a layer that knows its caller; type-only imports count too.
            "import-x/no-cycle": ["error", { ignoreExternal: true }],
        },
    },
    {
        // Tests handle untyped data on purpose: stack files broken by hand, parsed YAML and JSON.
        files: ["tests/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-return": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
        },
    },
);
