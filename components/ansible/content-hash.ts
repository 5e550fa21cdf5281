import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

export interface HashedFile {
    /** Path relative to the hashed folder, with `/` separators. */
    path: string;
    content: Buffer | string;
}

/** SHA-256 over named parts, order-independent and unambiguous (each part is length-prefixed). */
export function contentHash(parts: Record<string, string | Buffer>): string {
    const hash = createHash("sha256");
    for (const name of Object.keys(parts).sort()) {
        const content = Buffer.from(parts[name]);
        hash.update(`${name}\0${content.length}\0`);
        hash.update(content);
    }
    return hash.digest("hex");
}

/** Every file below a folder, sorted by path; what Ansible would run if this folder were copied. */
export function readFolder(root: string): HashedFile[] {
    const files: HashedFile[] = [];
    const walk = (folder: string) => {
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
            const path = join(folder, entry.name);
            if (entry.isDirectory()) {
                walk(path);
            } else if (entry.isFile()) {
                files.push({ path: relative(root, path).split(sep).join("/"), content: readFileSync(path) });
            }
        }
    };
    walk(root);
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The hash of a folder's files: changes exactly when a file is added, removed, renamed or edited. */
export function folderHash(files: readonly HashedFile[]): string {
    return contentHash(Object.fromEntries(files.map((file) => [file.path, file.content])));
}
