import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { SECURITY_ROLES, type SecurityRole, type SecurityRule } from "./rules";

export interface SecurityGroupsArgs {
    /** The rule table, from `securityRules`. */
    rules: readonly SecurityRule[];
}

/** One Neutron security group per role, filled from the pure rule table. */
export class SecurityGroups extends pulumi.ComponentResource {
    /** Group ID by role. */
    public readonly ids: Record<SecurityRole, pulumi.Output<string>>;

    constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("svom:openstack:SecurityGroups", name, {}, opts);
        const parent = { parent: this };

        const groups = Object.fromEntries(
            SECURITY_ROLES.map((role) => [
                role,
                new openstack.networking.SecGroup(
                    `${name}-${role}`,
                    {
                        name: `${name}-${role}`,
                        description: `svom-fsgs ${role} (managed by Pulumi, rules from components/openstack/rules.ts)`,
                    },
                    parent,
                ),
            ]),
        ) as Record<SecurityRole, openstack.networking.SecGroup>;

        for (const rule of args.rules) {
            new openstack.networking.SecGroupRule(
                `${name}-${rule.id}`,
                {
                    securityGroupId: groups[rule.group].id,
                    direction: "ingress",
                    ethertype: rule.ethertype,
                    protocol: rule.protocol,
                    portRangeMin: rule.ports?.from,
                    portRangeMax: rule.ports?.to,
                    remoteIpPrefix: rule.source.kind === "cidr" ? rule.source.cidr : undefined,
                    remoteGroupId: rule.source.kind === "group" ? groups[rule.source.group].id : undefined,
                    description: rule.description,
                },
                // Every field of a rule is ForceNew, description included (terraform-provider-openstack v1.54.1
                // resource_openstack_networking_secgroup_rule_v2.go), and Neutron refuses a rule identical to an existing
                // one whatever its description (409 SecurityGroupRuleExists): a new rule created before its old self
                // is deleted would collide. The rule is missing for the seconds between the two calls.
                { ...parent, deleteBeforeReplace: true },
            );
        }

        this.ids = Object.fromEntries(SECURITY_ROLES.map((role) => [role, groups[role].id])) as Record<
            SecurityRole,
            pulumi.Output<string>
        >;
        this.registerOutputs({ ids: this.ids });
    }
}
