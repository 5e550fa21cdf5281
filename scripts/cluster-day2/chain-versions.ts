/**
 * The Kubernetes versions the day-2 chain of the cluster harness walks through, taken from the supported-release
 * table so the chain never starts on a release past its end of life (a prod stack on one would be refused by
 * config validation, and the chain would then prove nothing about the releases the program deploys).
 *
 *   tsx scripts/cluster-day2/chain-versions.ts      prints "<start> <next> <skip>", e.g. "1.35.0 1.36.0 1.37.0"
 */
import { KUBERNETES_RELEASES, type KubernetesRelease } from "../../components/config/kubernetes-versions";

/** The chain's versions: formed at `start`, upgraded to `next` (one minor), `skip` (two minors) refused. */
export interface ChainVersions {
    start: string;
    next: string;
    skip: string;
    /** End of life of `start`'s minor (ISO date), for the message of a chain that has rotted. */
    startEndOfLife: string;
}

/**
 * The oldest minor still inside upstream support on `today`, with the next two minors of the table: the one it is
 * upgraded to and the one a skipped-minor upgrade asks for (which must itself be a supported row, or the program's
 * validation refuses it before the playbook's own check is reached). Patch `.0` of each: the stand-in packages
 * exist for any version, and the skew rules only read the minor. Throws, naming the row to add, when the table
 * has no such three minors.
 */
export function chainVersions(releases: readonly KubernetesRelease[], today: Date): ChainVersions {
    const day = today.toISOString().slice(0, 10);
    const supported = releases.filter((release) => release.endOfLife >= day).sort((a, b) => a.minor - b.minor);
    const oldest = supported[0];
    if (!oldest) {
        throw new Error(`no Kubernetes release in KUBERNETES_RELEASES is supported on ${day}: add the current ones`);
    }
    const row = (minor: number): KubernetesRelease | undefined => supported.find((release) => release.minor === minor);
    for (const minor of [oldest.minor + 1, oldest.minor + 2]) {
        if (!row(minor)) {
            throw new Error(
                `the day-2 chain starts at 1.${oldest.minor} (the oldest supported minor on ${day}) and needs 1.${minor} in KUBERNETES_RELEASES ` +
                    `(components/config/kubernetes-versions.ts): add its row`,
            );
        }
    }
    return {
        start: `1.${oldest.minor}.0`,
        next: `1.${oldest.minor + 1}.0`,
        skip: `1.${oldest.minor + 2}.0`,
        startEndOfLife: oldest.endOfLife,
    };
}

if (require.main === module) {
    try {
        const versions = chainVersions(KUBERNETES_RELEASES, new Date());
        console.log(`${versions.start} ${versions.next} ${versions.skip}`);
    } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    }
}
