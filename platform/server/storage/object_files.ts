/**
 * The bytes of the Storage stand-in: one file per object at `<root>/<bucket>/<object name>`, where `root` is
 * `storageDir/<database>` so that test databases never share files. Writes go to a staging file first and are
 * renamed into place inside the database transaction that writes the row; every step that changes a file can be
 * undone, so a failed request leaves neither a row without bytes nor bytes without a row.
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { storageErrors } from "./storage_errors.ts";

/** Not a valid bucket id (`#` is outside Storage's bucket alphabet), so it never collides with a bucket folder. */
const STAGING_FOLDER = "#staging";

export interface StagedFile {
  path: string;
  size: number;
  /** Quoted MD5 of the bytes, as Storage's file backend reports it. */
  eTag: string;
  discard(): Promise<void>;
}

/** A change to the files that is kept by `commit()` or reverted by `undo()`. */
export interface FileChange {
  commit(): Promise<void>;
  undo(): Promise<void>;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Runs `work` (a database transaction) that records file changes with `keep`: once it has committed the changes
 * are kept, and if it fails they are undone, newest first.
 */
export async function withFileChanges<T>(
  work: (keep: (change: FileChange) => void) => Promise<T>,
): Promise<T> {
  const changes: FileChange[] = [];
  let result: T;
  try {
    result = await work((change) => changes.push(change));
  } catch (error) {
    for (const change of changes.reverse()) await change.undo();
    throw error;
  }
  for (const change of changes) await change.commit();
  return result;
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

export class ObjectFiles {
  constructor(readonly root: string) {}

  /** Where an object's bytes live. Names are validated before they get here; this guards the folder anyway. */
  pathOf(bucketId: string, name: string): string {
    const segments = [bucketId, ...name.split("/")];
    if (
      segments.some((segment) =>
        segment === "" || segment === "." || segment === ".." || segment.includes("\0")
      )
    ) {
      throw storageErrors.invalidKey(name);
    }
    return join(this.root, ...segments);
  }

  private async stagingPath(): Promise<string> {
    const folder = join(this.root, STAGING_FOLDER);
    await Deno.mkdir(folder, { recursive: true });
    return join(folder, crypto.randomUUID());
  }

  /**
   * Streams `body` into a staging file, refusing it with Storage's EntityTooLarge as soon as it passes
   * `maxBytes`.
   */
  async stage(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<StagedFile> {
    const path = await this.stagingPath();
    const file = await Deno.open(path, { write: true, createNew: true });
    const hash = createHash("md5");
    let size = 0;
    try {
      if (body) {
        for await (const chunk of body) {
          size += chunk.byteLength;
          if (size > maxBytes) throw storageErrors.entityTooLarge();
          hash.update(chunk);
          let written = 0;
          while (written < chunk.byteLength) written += await file.write(chunk.subarray(written));
        }
      }
    } catch (error) {
      file.close();
      await removeIfPresent(path);
      throw error;
    }
    file.close();
    return { path, size, eTag: `"${hash.digest("hex")}"`, discard: () => removeIfPresent(path) };
  }

  /** Copies an object's bytes into a staging file (the first half of a copy). */
  async stageCopy(bucketId: string, name: string): Promise<StagedFile> {
    const source = await this.openForRead(bucketId, name);
    return await this.stage(source.readable, Number.POSITIVE_INFINITY);
  }

  /**
   * Renames a staged file to the object's path, keeping any previous bytes aside until `commit()` so that
   * `undo()` can put them back.
   */
  async place(staged: StagedFile, bucketId: string, name: string): Promise<FileChange> {
    const target = this.pathOf(bucketId, name);
    const previous = await this.stagingPath();
    const existing = await Deno.lstat(target).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return null;
      throw this.layoutError(error, name);
    });
    if (existing?.isDirectory) throw this.layoutError(new Deno.errors.IsADirectory(target), name);
    const hadPrevious = existing !== null;
    // a hard link keeps the previous bytes reachable while the rename below replaces the name atomically
    if (hadPrevious) await Deno.link(target, previous);
    await this.renameInto(staged.path, target, name);
    return {
      commit: () => hadPrevious ? removeIfPresent(previous) : Promise.resolve(),
      undo: async () => {
        if (hadPrevious) {
          await Deno.rename(previous, target);
        } else {
          await removeIfPresent(target);
          await this.pruneEmptyFolders(bucketId, target);
        }
      },
    };
  }

  /** Moves an object's bytes to another path; `undo()` moves them back. */
  async move(
    from: { bucketId: string; name: string },
    to: { bucketId: string; name: string },
  ): Promise<FileChange> {
    const source = this.pathOf(from.bucketId, from.name);
    const target = this.pathOf(to.bucketId, to.name);
    await this.renameInto(source, target, to.name);
    return {
      commit: () => this.pruneEmptyFolders(from.bucketId, source),
      undo: async () => {
        await this.renameInto(target, source, from.name);
        await this.pruneEmptyFolders(to.bucketId, target);
      },
    };
  }

  /** Sets objects' bytes aside for deletion: `commit()` deletes them, `undo()` restores them. */
  async remove(bucketId: string, names: readonly string[]): Promise<FileChange> {
    const moved: { name: string; original: string; aside: string }[] = [];
    try {
      for (const name of names) {
        const original = this.pathOf(bucketId, name);
        const aside = await this.stagingPath();
        try {
          await Deno.rename(original, aside);
          moved.push({ name, original, aside });
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
      }
    } catch (error) {
      for (const { original, aside } of moved) await Deno.rename(aside, original);
      throw error;
    }
    return {
      commit: async () => {
        for (const { original, aside } of moved) {
          await removeIfPresent(aside);
          await this.pruneEmptyFolders(bucketId, original);
        }
      },
      undo: async () => {
        for (const { name, original, aside } of moved) await this.renameInto(aside, original, name);
      },
    };
  }

  async size(bucketId: string, name: string): Promise<number | null> {
    try {
      return (await Deno.stat(this.pathOf(bucketId, name))).size;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  /** A stream of an object's bytes (or of one range of them); null when the file is missing. */
  async read(bucketId: string, name: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null> {
    let file: Deno.FsFile;
    try {
      file = await this.openForRead(bucketId, name);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    if (!range) return file.readable;
    await file.seek(range.start, Deno.SeekMode.Start);
    let remaining = range.end - range.start + 1;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const buffer = new Uint8Array(Math.min(remaining, 64 * 1024));
        const read = remaining > 0 ? await file.read(buffer) : null;
        if (read === null || read === 0) {
          file.close();
          controller.close();
          return;
        }
        remaining -= read;
        controller.enqueue(buffer.subarray(0, read));
      },
      cancel() {
        file.close();
      },
    });
  }

  private async openForRead(bucketId: string, name: string): Promise<Deno.FsFile> {
    return await Deno.open(this.pathOf(bucketId, name), { read: true });
  }

  /** Renames into `target`, creating its folders; retries once if a concurrent prune removed a folder. */
  private async renameInto(source: string, target: string, name: string): Promise<void> {
    for (let attempt = 0;; attempt++) {
      try {
        await Deno.mkdir(dirname(target), { recursive: true });
        await Deno.rename(source, target);
        return;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound && attempt === 0) continue;
        throw this.layoutError(error, name);
      }
    }
  }

  /** Removes folders left empty under the bucket folder after a file went away. */
  private async pruneEmptyFolders(bucketId: string, removedFile: string): Promise<void> {
    const bucketFolder = join(this.root, bucketId);
    for (let folder = dirname(removedFile); folder.startsWith(bucketFolder + "/"); folder = dirname(folder)) {
      try {
        await Deno.remove(folder);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }

  /**
   * On disk a file and a folder cannot share a path, so the stand-in cannot hold both `a` and `a/b` in one bucket
   * (object storage can). Report that as an invalid key rather than an internal error.
   */
  private layoutError(error: unknown, name: string): unknown {
    const code = (error as { code?: string }).code;
    const clash = error instanceof Deno.errors.IsADirectory || error instanceof Deno.errors.NotADirectory ||
      error instanceof Deno.errors.AlreadyExists || code === "ENOTDIR" || code === "EISDIR";
    if (clash) {
      return storageErrors.invalidKey(
        name,
        " (the local stand-in stores objects as files, and a file and a folder cannot share a path)",
      );
    }
    return error;
  }
}
