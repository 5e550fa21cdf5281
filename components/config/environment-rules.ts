import { cidrsOverlap, isWholeInternet, parseCidr } from "./cidr";
import { kubernetesSupport } from "./kubernetes-versions";
import { environmentProfile } from "./profile";
import type { StackConfig } from "./schema";

// kubeadm's default --node-cidr-mask-size for IPv4: each node takes a /24 out of the pod CIDR.
const POD_CIDR_PER_NODE_PREFIX = 24;

/** One violated rule, placed at the key an operator has to change. */
export interface RuleViolation {
    path: (string | number)[];
    message: string;
}

/** What a rule may read besides the config: the day validation runs (support windows end on a date). */
export interface RuleContext {
    today: Date;
}

/** A rule over several keys; it runs once the sections it reads are well-formed, even if others are not. */
export interface EnvironmentRule {
    needs: readonly (keyof StackConfig)[];
    check(config: StackConfig, context: RuleContext): RuleViolation[];
}

const profileOf = (config: StackConfig) => environmentProfile(config.environment);
const workerCount = (config: StackConfig) => config.cluster.workerPools.reduce((sum, pool) => sum + pool.count, 0);

const controlPlaneQuorum: EnvironmentRule = {
    needs: ["environment", "cluster"],
    check(config) {
        const count = config.cluster.controlPlane.count;
        const path = ["cluster", "controlPlane", "count"];
        const { minimumControlPlanes, strictRules } = profileOf(config);
        if (strictRules && (count < minimumControlPlanes || count % 2 === 0)) {
            return [{ path, message: `${config.environment} needs an odd number >= ${minimumControlPlanes} (etcd quorum), got ${count}` }];
        }
        if (count % 2 === 0) {
            return [
                {
                    path,
                    message: `expected an odd number (an even etcd member count tolerates no more failures than one less), got ${count}`,
                },
            ];
        }
        return [];
    },
};

const enoughWorkers: EnvironmentRule = {
    needs: ["environment", "cluster"],
    check(config) {
        const workers = workerCount(config);
        const { minimumWorkers } = profileOf(config);
        return workers < minimumWorkers
            ? [
                  {
                      path: ["cluster", "workerPools"],
                      message: `${config.environment} needs >= ${minimumWorkers} workers in all pools together (replicas spread over nodes survive one loss), got ${workers}`,
                  },
              ]
            : [];
    },
};

const uniquePoolNames: EnvironmentRule = {
    needs: ["cluster"],
    check(config) {
        const seen = new Set<string>();
        return config.cluster.workerPools.flatMap((pool, index) => {
            const repeated = seen.has(pool.name);
            seen.add(pool.name);
            return repeated
                ? [
                      {
                          path: ["cluster", "workerPools", index, "name"],
                          message: `expected a pool name used once (it names the servers), got ${JSON.stringify(pool.name)} again`,
                      },
                  ]
                : [];
        });
    },
};

const noWorldOpenAdminAccess: EnvironmentRule = {
    needs: ["environment", "access"],
    check(config) {
        if (!profileOf(config).strictRules) {
            return [];
        }
        return config.access.adminCidrs.flatMap((text, index) => {
            const block = parseCidr(text);
            return block && isWholeInternet(block)
                ? [
                      {
                          path: ["access", "adminCidrs", index],
                          message: `${config.environment} must not open SSH and the Kubernetes API to the whole Internet; list the admin networks instead, got ${JSON.stringify(text)}`,
                      },
                  ]
                : [];
        });
    },
};

/**
 * Admin networks the stack can serve: IPv4 (the node subnet, the floating IPs and so the API listener are IPv4
 * only, and Octavia refuses an allowed CIDR of another family than the listener's VIP, "Listener allowed CIDRs"
 * in the Octavia API reference), each block once (a block names its security-group rules, and Neutron refuses
 * an identical second rule).
 */
const usableAdminCidrs: EnvironmentRule = {
    needs: ["access"],
    check(config) {
        const seen = new Map<string, number>();
        return config.access.adminCidrs.flatMap((text, index): RuleViolation[] => {
            const block = parseCidr(text);
            if (!block) {
                return [];
            }
            const path = ["access", "adminCidrs", index];
            if (block.family !== 4) {
                return [
                    {
                        path,
                        message: `expected an IPv4 block: the bastion, the nodes and the API endpoint have IPv4 addresses only, and Octavia refuses an IPv6 source on an IPv4 listener; got ${JSON.stringify(text)}`,
                    },
                ];
            }
            const key = `${block.network}/${block.prefix}`;
            const first = seen.get(key);
            if (first !== undefined) {
                return [
                    {
                        path,
                        message: `expected each admin network once (it names the security-group rules that admit it), got ${JSON.stringify(text)} again (access.adminCidrs[${first}])`,
                    },
                ];
            }
            seen.set(key, index);
            return [];
        });
    },
};

const separateAddressBlocks: EnvironmentRule = {
    needs: ["network"],
    check(config) {
        const keys = ["nodeCidr", "podCidr", "serviceCidr"] as const;
        return keys.flatMap((key, i) =>
            keys.slice(i + 1).flatMap((other) => {
                const a = parseCidr(config.network[key]);
                const b = parseCidr(config.network[other]);
                return a && b && cidrsOverlap(a, b)
                    ? [
                          {
                              path: ["network", other],
                              message: `expected a block that does not overlap network.${key} (${a.text}), got ${JSON.stringify(b.text)}`,
                          },
                      ]
                    : [];
            }),
        );
    },
};

const podCidrFitsNodes: EnvironmentRule = {
    needs: ["network", "cluster"],
    check(config) {
        const nodes = config.cluster.controlPlane.count + workerCount(config);
        const pods = parseCidr(config.network.podCidr);
        return pods && 2 ** (POD_CIDR_PER_NODE_PREFIX - pods.prefix) < nodes
            ? [
                  {
                      path: ["network", "podCidr"],
                      message: `expected room for one /${POD_CIDR_PER_NODE_PREFIX} per node (${nodes} nodes), got ${JSON.stringify(pods.text)}`,
                  },
              ]
            : [];
    },
};

// The support window is a table with dates (kubernetes-versions.ts); warnings are reported by `configWarnings`.
const supportedKubernetes: EnvironmentRule = {
    needs: ["environment", "cluster"],
    check(config, context) {
        return kubernetesSupport(config.cluster.kubernetesVersion, profileOf(config), context.today).errors.map((message) => ({
            path: ["cluster", "kubernetesVersion"],
            message,
        }));
    },
};

/** Every rule that spans keys or depends on the environment; each message says why the rule exists. */
/** The capacity check sizes the workers from their flavors: each worker flavor needs its size. */
const workerFlavorsSized: EnvironmentRule = {
    needs: ["site", "cluster"],
    check(config) {
        return config.cluster.workerPools.flatMap((pool, index) => {
            const flavor = pool.flavor ?? config.site.flavors.worker;
            return config.site.flavorSizes[flavor]
                ? []
                : [
                      {
                          path: ["site", "flavorSizes", flavor],
                          message: `expected the vcpus and ramMiB of flavor ${flavor}, used by cluster.workerPools[${index}] (openstack flavor show ${flavor}), got nothing`,
                      },
                  ];
        });
    },
};

/** Where data must survive, it must have somewhere to go: the site's object storage. */
const backupsWhereProtected: EnvironmentRule = {
    needs: ["environment", "data"],
    check(config) {
        return profileOf(config).backupsRequired && config.data.backup === undefined
            ? [
                  {
                      path: ["data", "backup"],
                      message: `${config.environment} needs backups to the site's object storage (endpoint, endpointCidrs, bucket, retentionDays): a lost volume must not lose the database, got nothing`,
                  },
              ]
            : [];
    },
};

const survivesWorkerLoss: EnvironmentRule = {
    needs: ["environment", "cluster"],
    check(config) {
        const tolerance = config.cluster.workerLossTolerance;
        const { minimumWorkerLossTolerance } = profileOf(config);
        return tolerance < minimumWorkerLossTolerance
            ? [
                  {
                      path: ["cluster", "workerLossTolerance"],
                      message: `${config.environment} needs >= ${minimumWorkerLossTolerance} (its services must fit at peak with a worker down, for a drain or a failure), got ${tolerance}: add workers or larger flavors instead`,
                  },
              ]
            : [];
    },
};

export const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
    backupsWhereProtected,
    survivesWorkerLoss,
    workerFlavorsSized,
    controlPlaneQuorum,
    enoughWorkers,
    uniquePoolNames,
    noWorldOpenAdminAccess,
    usableAdminCidrs,
    separateAddressBlocks,
    podCidrFitsNodes,
    supportedKubernetes,
];
