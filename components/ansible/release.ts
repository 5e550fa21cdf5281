import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type HashedFile, folderHash, readFolder } from "./content-hash";

/**
 * Whether `ansible-playbook site.yml` reads a file of the playbooks folder (path relative to it). Documentation
 * (`*.md`) and the offline converge harness (`tests/`, `converge-*.yml`) are not read by the site run: editing
 * them must neither re-run Ansible on every stack nor be shipped to the bastions.
 */
export function isReadByAnsible(path: string): boolean {
    const name = path.split("/").pop() ?? path;
    return !/\.md$/i.test(name) && !path.startsWith("tests/") && !/^converge-[^/]*\.ya?ml$/.test(path);
}

/** The files of the playbooks folder that the site run reads, sorted by path. */
export function ansibleFiles(root: string): HashedFile[] {
    return readFolder(root).filter((file) => isReadByAnsible(file.path));
}

/** What is shipped to the bastion: exactly the hashed files, under a folder named by their hash. */
export interface PlaybookRelease {
    /** `folderHash` of the files: changes exactly when Ansible would read something else. */
    hash: string;
    /** Folder holding only those files, relative to the project root, ending in `/playbooks`. */
    folder: string;
}

/**
 * Copies the files Ansible reads from `<projectRoot>/<playbooks>` into `<projectRoot>/<buildDir>/<hash prefix>/playbooks`.
 * pulumi-command's CopyToRemote only ships a folder from disk ("archive must be a path to a file or directory",
 * v1.2.1 copyController.go), so the selection is staged on disk. The hash names the folder and the path is
 * relative, so the archive Pulumi compares stays the same while the content does, on any machine.
 */
export function stageRelease(projectRoot: string, playbooks: string, buildDir: string): PlaybookRelease {
    const files = ansibleFiles(join(projectRoot, playbooks));
    const hash = folderHash(files);
    const folder = [buildDir, hash.slice(0, 16), "playbooks"].join("/");
    for (const file of files) {
        const target = join(projectRoot, folder, file.path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, file.content);
    }
    return { hash, folder };
}
