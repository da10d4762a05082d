import assert from "node:assert/strict";
import { join } from "node:path";
import { ObjectFiles, withFileChanges } from "./object_files.ts";
import { StorageApiError } from "./storage_errors.ts";

const text = (value: string) => new TextEncoder().encode(value);

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map(text));
}

async function withFiles(run: (files: ObjectFiles, root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await run(new ObjectFiles(root), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function contents(stream: ReadableStream<Uint8Array> | null): Promise<string | null> {
  return stream === null ? null : await new Response(stream).text();
}

async function stagingEntries(root: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(join(root, "#staging"))) names.push(entry.name);
  return names;
}

Deno.test("object files: staged bytes get Storage's quoted MD5 eTag and their size", async () => {
  await withFiles(async (files) => {
    const staged = await files.stage(streamOf("hello ", "world"), 100);
    assert.equal(staged.size, 11);
    assert.equal(staged.eTag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    await staged.discard();
  });
});

Deno.test("object files: a body over the limit is refused and leaves no staging file", async () => {
  await withFiles(async (files, root) => {
    await assert.rejects(() => files.stage(streamOf("12345", "6"), 5), (error: unknown) => {
      assert.ok(error instanceof StorageApiError);
      assert.equal(error.code, "EntityTooLarge");
      return true;
    });
    assert.deepEqual(await stagingEntries(root), []);
  });
});

Deno.test("object files: placing is kept by commit and reverted by undo, restoring previous bytes", async () => {
  await withFiles(async (files, root) => {
    const first = await files.place(await files.stage(streamOf("v1"), 10), "bucket", "a/b.txt");
    await first.commit();
    assert.equal(await Deno.readTextFile(join(root, "bucket", "a", "b.txt")), "v1");

    const second = await files.place(await files.stage(streamOf("v2"), 10), "bucket", "a/b.txt");
    assert.equal(await contents(await files.read("bucket", "a/b.txt")), "v2");
    await second.undo();
    assert.equal(await contents(await files.read("bucket", "a/b.txt")), "v1");
    assert.deepEqual(await stagingEntries(root), []);

    const fresh = await files.place(await files.stage(streamOf("new"), 10), "bucket", "c/d/e.txt");
    await fresh.undo();
    assert.equal(await files.size("bucket", "c/d/e.txt"), null);
    await assert.rejects(() => Deno.stat(join(root, "bucket", "c")), Deno.errors.NotFound);
  });
});

Deno.test("object files: removal is undone until committed", async () => {
  await withFiles(async (files) => {
    await (await files.place(await files.stage(streamOf("keep"), 10), "b", "x/1.txt")).commit();
    const removal = await files.remove("b", ["x/1.txt", "x/missing.txt"]);
    assert.equal(await files.size("b", "x/1.txt"), null);
    await removal.undo();
    assert.equal(await files.size("b", "x/1.txt"), 4);
    await (await files.remove("b", ["x/1.txt"])).commit();
    assert.equal(await files.read("b", "x/1.txt"), null);
  });
});

Deno.test("object files: moves go both ways", async () => {
  await withFiles(async (files) => {
    await (await files.place(await files.stage(streamOf("m"), 10), "b", "from.txt")).commit();
    const move = await files.move({ bucketId: "b", name: "from.txt" }, {
      bucketId: "c",
      name: "to/here.txt",
    });
    assert.equal(await contents(await files.read("c", "to/here.txt")), "m");
    await move.undo();
    assert.equal(await contents(await files.read("b", "from.txt")), "m");
    assert.equal(await files.size("c", "to/here.txt"), null);
  });
});

Deno.test("object files: ranges read only the asked bytes", async () => {
  await withFiles(async (files) => {
    await (await files.place(await files.stage(streamOf("0123456789"), 10), "b", "digits")).commit();
    assert.equal(await contents(await files.read("b", "digits", { start: 2, end: 5 })), "2345");
    assert.equal(await contents(await files.read("b", "digits", { start: 8, end: 9 })), "89");
  });
});

Deno.test("object files: names cannot leave the bucket folder", async () => {
  await withFiles((files) => {
    for (const [bucket, name] of [["b", "../x"], ["..", "x"], ["b", "a//b"], ["b", "a\0b"]]) {
      assert.throws(() => files.pathOf(bucket, name), StorageApiError);
    }
    return Promise.resolve();
  });
});

Deno.test("object files: a file and a folder sharing a path is an invalid key, not a crash", async () => {
  await withFiles(async (files) => {
    await (await files.place(await files.stage(streamOf("file"), 10), "b", "a")).commit();
    const staged = await files.stage(streamOf("nested"), 10);
    await assert.rejects(() => files.place(staged, "b", "a/b"), (error: unknown) => {
      assert.ok(error instanceof StorageApiError);
      assert.equal(error.code, "InvalidKey");
      return true;
    });
    await staged.discard();
  });
});

Deno.test("object files: changes made inside a failed transaction are undone, else kept", async () => {
  await withFiles(async (files) => {
    await assert.rejects(() =>
      withFileChanges(async (keep) => {
        keep(await files.place(await files.stage(streamOf("lost"), 10), "b", "rolled-back.txt"));
        throw new Error("commit failed");
      })
    );
    assert.equal(await files.size("b", "rolled-back.txt"), null);
    await withFileChanges(async (keep) => {
      keep(await files.place(await files.stage(streamOf("kept"), 10), "b", "committed.txt"));
    });
    assert.equal(await contents(await files.read("b", "committed.txt")), "kept");
  });
});
