import { PolicyPack } from "@pulumi/policy";
import { policies } from "./crossguard";

// Run with `pulumi preview --stack prod --policy-pack policy`. Each policy scopes itself to its stacks.
new PolicyPack("svom-fsgs-production", { enforcementLevel: "mandatory", policies });
