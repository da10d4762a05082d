import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { eventually, startTestPlatform } from "../support/test_platform.ts";

/** What a project migration would create: buckets, and policies keeping each user in their own folder. */
const MIGRATION_SQL = `
insert into storage.buckets (id, name, public) values ('photos', 'photos', false);
insert into storage.buckets (id, name, public) values ('covers', 'covers', true);
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
  values ('portraits', 'portraits', false, 1024, array['image/*']);

create policy "users read their own files" on storage.objects for select to authenticated
  using ((storage.foldername(name))[1] = (select auth.uid()::text));
create policy "users upload into their own folder" on storage.objects for insert to authenticated
  with check ((storage.foldername(name))[1] = (select auth.uid()::text));
create policy "users replace their own files" on storage.objects for update to authenticated
  using ((storage.foldername(name))[1] = (select auth.uid()::text))
  with check ((storage.foldername(name))[1] = (select auth.uid()::text));
create policy "users delete their own files" on storage.objects for delete to authenticated
  using ((storage.foldername(name))[1] = (select auth.uid()::text));
`;

const noSession = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

/** storage-js reports Storage's error code on its API errors, though its base error type does not declare it. */
function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

function md5Etag(bytes: Uint8Array): string {
  return `"${createHash("md5").update(bytes).digest("hex")}"`;
}

Deno.test("storage stand-in through supabase-js", async (t) => {
  const platform = await startTestPlatform({ name: "storage" });
  const { storageDir } = platform.platform.context.settings;
  const filesRoot = join(storageDir, platform.platform.context.database);
  const migrator = postgres(platform.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await migrator.unsafe(MIGRATION_SQL);

    const keys = platform.platform.context.keys;
    const userA = crypto.randomUUID();
    const userB = crypto.randomUUID();
    const clientFor = async (userId: string | null): Promise<SupabaseClient> => {
      const headers: Record<string, string> = userId
        ? {
          Authorization: `Bearer ${await keys.signAccessToken(
            { sub: userId, role: "authenticated", aud: "authenticated" },
            3600,
          )}`,
        }
        : {};
      return createClient(platform.url, platform.anonKey, { auth: noSession, global: { headers } });
    };
    const a = await clientFor(userA);
    const b = await clientFor(userB);
    const anon = await clientFor(null);
    const service = createClient(platform.url, platform.serviceRoleKey, { auth: noSession });
    const tokenA = await keys.signAccessToken(
      { sub: userA, role: "authenticated", aud: "authenticated" },
      3600,
    );

    const objectRow = async (bucket: string, name: string) => {
      const [row] = await platform.admin`
        select owner::text, owner_id, metadata, user_metadata from storage.objects
        where bucket_id = ${bucket} and name = ${name}`;
      return row;
    };
    const fileOnDisk = async (bucket: string, name: string): Promise<Uint8Array | null> => {
      try {
        return await Deno.readFile(join(filesRoot, bucket, name));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    };
    const rawUpload = (bucket: string, name: string, body: BodyInit, contentType: string) =>
      fetch(`${platform.url}/storage/v1/object/${bucket}/${name}`, {
        method: "POST",
        headers: { apikey: platform.anonKey, authorization: `Bearer ${tokenA}`, "content-type": contentType },
        body,
      });

    await t.step("the owner uploads a file and reads it back with Storage's metadata", async () => {
      const path = `${userA}/hello.txt`;
      const { data, error } = await a.storage.from("photos").upload(path, "hello storage", {
        contentType: "text/plain",
        cacheControl: "60",
        metadata: { kind: "greeting" },
      });
      assert.equal(error, null);
      assert.equal(data?.path, path);
      assert.equal(data?.fullPath, `photos/${path}`);
      assert.match(data?.id ?? "", /^[0-9a-f-]{36}$/);

      const downloaded = await a.storage.from("photos").download(path);
      assert.equal(downloaded.error, null);
      assert.equal(await downloaded.data?.text(), "hello storage");

      const bytes = new TextEncoder().encode("hello storage");
      const row = await objectRow("photos", path);
      assert.equal(row.owner, userA);
      assert.equal(row.owner_id, userA);
      assert.deepEqual(row.user_metadata, { kind: "greeting" });
      assert.deepEqual(Object.keys(row.metadata).sort(), [
        "cacheControl",
        "contentLength",
        "eTag",
        "httpStatusCode",
        "lastModified",
        "mimetype",
        "size",
      ]);
      assert.equal(row.metadata.eTag, md5Etag(bytes));
      assert.equal(row.metadata.size, bytes.length);
      assert.equal(row.metadata.mimetype, "text/plain");
      assert.equal(row.metadata.cacheControl, "max-age=60");
      assert.deepEqual(await fileOnDisk("photos", path), bytes);

      const info = await a.storage.from("photos").info(path);
      assert.equal(info.error, null);
      assert.equal(info.data?.size, bytes.length);
      assert.equal(info.data?.contentType, "text/plain");
      assert.equal(info.data?.cacheControl, "max-age=60");
      assert.equal(info.data?.etag, md5Etag(bytes));
      assert.deepEqual(info.data?.metadata, { kind: "greeting" });
      assert.equal((await a.storage.from("photos").exists(path)).data, true);
      assert.equal((await a.storage.from("photos").exists(`${userA}/missing.txt`)).data, false);
    });

    await t.step("a Blob upload travels as multipart form data and keeps its bytes and type", async () => {
      const bytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 255]);
      const path = `${userA}/pic.png`;
      const { error } = await a.storage.from("photos").upload(path, new Blob([bytes], { type: "image/png" }));
      assert.equal(error, null);
      const downloaded = await a.storage.from("photos").download(path);
      assert.deepEqual(new Uint8Array(await downloaded.data!.arrayBuffer()), bytes);
      assert.equal(downloaded.data?.type, "image/png");
      const row = await objectRow("photos", path);
      assert.equal(row.metadata.mimetype, "image/png");
      assert.equal(row.metadata.cacheControl, "max-age=3600");
    });

    await t.step("downloads honour Range, ?download and HEAD like Storage's renderer", async () => {
      const url = `${platform.url}/storage/v1/object/authenticated/photos/${userA}/pic.png`;
      const headers = { apikey: platform.anonKey, authorization: `Bearer ${tokenA}` };
      const ranged = await fetch(url, { headers: { ...headers, range: "bytes=2-5" } });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers.get("content-range"), "bytes 2-5/10");
      assert.deepEqual(new Uint8Array(await ranged.arrayBuffer()), new Uint8Array([78, 71, 13, 10]));

      const attachment = await fetch(`${url}?download=photo.png`, { headers });
      await attachment.body?.cancel();
      assert.equal(
        attachment.headers.get("content-disposition"),
        "attachment; filename=photo.png; filename*=UTF-8''photo.png;",
      );
      assert.equal(attachment.headers.get("cache-control"), "max-age=3600");

      const head = await fetch(`${platform.url}/storage/v1/object/photos/${userA}/pic.png`, {
        method: "HEAD",
        headers,
      });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-type"), "image/png");
      assert.equal(head.headers.get("content-length"), "10");
      assert.match(head.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/);
      const missing = await fetch(`${platform.url}/storage/v1/object/photos/${userA}/nope.png`, {
        method: "HEAD",
        headers,
      });
      assert.equal(missing.status, 400);
    });

    await t.step("user B uploads into B's own folder", async () => {
      const { error } = await b.storage.from("photos").upload(`${userB}/secret.txt`, "B's secret", {
        contentType: "text/plain",
      });
      assert.equal(error, null);
    });

    await t.step("user A cannot read user B's object", async () => {
      const { data, error } = await a.storage.from("photos").download(`${userB}/secret.txt`);
      assert.equal(data, null);
      assert.equal(error?.status, 400);
      assert.equal(error?.statusCode, "404");
      assert.equal(codeOf(error), "NoSuchKey");
      assert.equal(error?.message, "Object not found");
      const signed = await a.storage.from("photos").createSignedUrl(`${userB}/secret.txt`, 60);
      assert.equal(signed.error?.statusCode, "404");
    });

    await t.step("user A cannot list user B's folder", async () => {
      const asA = await a.storage.from("photos").list(userB);
      assert.equal(asA.error, null);
      assert.deepEqual(asA.data, []);
      const asB = await b.storage.from("photos").list(userB);
      assert.deepEqual(asB.data?.map((entry) => entry.name), ["secret.txt"]);
    });

    await t.step("user A cannot overwrite user B's object", async () => {
      for (const upsert of [true, false]) {
        const { error } = await a.storage.from("photos").upload(`${userB}/secret.txt`, "A was here", {
          contentType: "text/plain",
          upsert,
        });
        assert.equal(error?.status, 400);
        assert.equal(error?.statusCode, "403");
        assert.equal(error?.message, "new row violates row-level security policy");
      }
      const { data } = await b.storage.from("photos").download(`${userB}/secret.txt`);
      assert.equal(await data?.text(), "B's secret");
    });

    await t.step("user A cannot delete user B's object", async () => {
      const { data, error } = await a.storage.from("photos").remove([`${userB}/secret.txt`]);
      assert.equal(error, null);
      assert.deepEqual(data, []);
      assert.ok(await objectRow("photos", `${userB}/secret.txt`));
      assert.ok(await fileOnDisk("photos", `${userB}/secret.txt`));
    });

    await t.step("listing returns files and folders the way Storage does", async () => {
      await a.storage.from("photos").upload(`${userA}/album/one.txt`, "1", { contentType: "text/plain" });
      const { data, error } = await a.storage.from("photos").list(userA);
      assert.equal(error, null);
      assert.deepEqual(data?.map((entry) => [entry.name, entry.id === null, entry.metadata === null]), [
        ["album", true, true],
        ["hello.txt", false, false],
        ["pic.png", false, false],
      ]);
      const searched = await a.storage.from("photos").list(userA, { search: "pi" });
      assert.deepEqual(searched.data?.map((entry) => entry.name), ["pic.png"]);
    });

    await t.step("upload with upsert false on an existing path is a conflict", async () => {
      const { error } = await a.storage.from("photos").upload(`${userA}/hello.txt`, "again", {
        contentType: "text/plain",
      });
      assert.equal(error?.status, 400);
      assert.equal(error?.statusCode, "409");
      const response = await rawUpload("photos", `${userA}/hello.txt`, "again", "text/plain");
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        statusCode: "409",
        code: "ResourceAlreadyExists",
        error: "Duplicate",
        message: "The resource already exists",
      });
      const replaced = await a.storage.from("photos").upload(`${userA}/hello.txt`, "replaced", {
        contentType: "text/plain",
        upsert: true,
      });
      assert.equal(replaced.error, null);
      assert.equal(
        await (await a.storage.from("photos").download(`${userA}/hello.txt`)).data?.text(),
        "replaced",
      );
      assert.equal(new TextDecoder().decode((await fileOnDisk("photos", `${userA}/hello.txt`))!), "replaced");
    });

    await t.step("an oversized upload gets Storage's 413 body and leaves nothing behind", async () => {
      const big = new Uint8Array(2048);
      const response = await rawUpload("portraits", `${userA}/big.png`, big, "image/png");
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        statusCode: "413",
        code: "EntityTooLarge",
        error: "Payload too large",
        message: "The object exceeded the maximum allowed size",
      });
      const { error } = await a.storage.from("portraits").upload(
        `${userA}/big.png`,
        new Blob([big], {
          type: "image/png",
        }),
      );
      assert.equal(error?.statusCode, "413");
      assert.equal(codeOf(error), "EntityTooLarge");
      assert.equal(await objectRow("portraits", `${userA}/big.png`), undefined);
      assert.equal(await fileOnDisk("portraits", `${userA}/big.png`), null);
    });

    await t.step("a wrong-type upload gets Storage's 415 body; image/* allows any image", async () => {
      const response = await rawUpload("portraits", `${userA}/notes.txt`, "text", "text/plain");
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        statusCode: "415",
        code: "InvalidMimeType",
        error: "invalid_mime_type",
        message: "mime type text/plain is not supported",
      });
      const { error } = await a.storage.from("portraits").upload(`${userA}/face.webp`, new Uint8Array(16), {
        contentType: "image/webp",
      });
      assert.equal(error, null);
    });

    await t.step("path traversal in an object name is refused as an invalid key", async () => {
      const response = await rawUpload("photos", `${userA}/..%2F..%2Fescape.txt`, "x", "text/plain");
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        statusCode: "400",
        code: "InvalidKey",
        error: "InvalidKey",
        message: `Invalid key: ${userA}/../../escape.txt`,
      });
    });

    await t.step("a public bucket serves without a token, a private one does not", async () => {
      const bytes = new Uint8Array([1, 2, 3, 4]);
      await a.storage.from("covers").upload(`${userA}/cover.png`, bytes, { contentType: "image/png" });
      const publicUrl = anon.storage.from("covers").getPublicUrl(`${userA}/cover.png`).data.publicUrl;
      const served = await fetch(publicUrl);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get("content-type"), "image/png");
      assert.deepEqual(new Uint8Array(await served.arrayBuffer()), bytes);

      const privateUrl = anon.storage.from("photos").getPublicUrl(`${userA}/pic.png`).data.publicUrl;
      const refused = await fetch(privateUrl);
      assert.equal(refused.status, 400);
      assert.deepEqual(await refused.json(), {
        statusCode: "404",
        code: "NoSuchBucket",
        error: "Bucket not found",
        message: "Bucket not found",
      });
      const anonymousDownload = await anon.storage.from("photos").download(`${userA}/pic.png`);
      assert.equal(anonymousDownload.error?.statusCode, "404");
    });

    await t.step("a signed URL serves the object without a token", async () => {
      const { data, error } = await a.storage.from("photos").createSignedUrl(`${userA}/pic.png`, 600);
      assert.equal(error, null);
      assert.ok(
        data?.signedUrl.startsWith(`${platform.url}/storage/v1/object/sign/photos/${userA}/pic.png?token=`),
      );
      const served = await fetch(data!.signedUrl);
      assert.equal(served.status, 200);
      assert.equal((await served.arrayBuffer()).byteLength, 10);

      const many = await a.storage.from("photos").createSignedUrls([
        `${userA}/pic.png`,
        `${userB}/secret.txt`,
      ], 60);
      assert.equal(many.error, null);
      assert.equal(many.data?.[0].error, null);
      assert.ok(many.data?.[0].signedUrl);
      assert.equal(many.data?.[1].signedUrl, null);
      assert.equal(many.data?.[1].error, "Either the object does not exist or you do not have access to it");
    });

    await t.step("an expired signed URL is refused", async () => {
      const { data } = await a.storage.from("photos").createSignedUrl(`${userA}/pic.png`, 1);
      const refused = await eventually(async () => {
        const response = await fetch(data!.signedUrl);
        if (response.ok) {
          await response.body?.cancel();
          return undefined;
        }
        return { status: response.status, body: await response.json() };
      }, "the signed URL to expire");
      assert.deepEqual(refused, {
        status: 400,
        body: { statusCode: "400", code: "InvalidJWT", error: "InvalidJWT", message: "jwt expired" },
      });
    });

    await t.step("a tampered signed URL token is refused", async () => {
      const { data } = await a.storage.from("photos").createSignedUrl(`${userA}/pic.png`, 600);
      const url = new URL(data!.signedUrl);
      const [header, payload, signature] = url.searchParams.get("token")!.split(".");
      const flipped = signature[5] === "A" ? "B" : "A";
      url.searchParams.set(
        "token",
        `${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`,
      );
      const tampered = await fetch(url);
      assert.equal(tampered.status, 400);
      assert.deepEqual(await tampered.json(), {
        statusCode: "400",
        code: "InvalidJWT",
        error: "InvalidJWT",
        message: "invalid signature",
      });

      const otherObject = new URL(data!.signedUrl.replace(`${userA}/pic.png`, `${userB}/secret.txt`));
      const redirected = await fetch(otherObject);
      assert.equal(redirected.status, 400);
      assert.deepEqual(await redirected.json(), {
        statusCode: "400",
        code: "InvalidSignature",
        error: "InvalidSignature",
        message: "Invalid signature",
      });
    });

    await t.step("a signed upload URL lets a client without a session upload for the signer", async () => {
      const path = `${userA}/via-signed-url.txt`;
      const signed = await a.storage.from("photos").createSignedUploadUrl(path);
      assert.equal(signed.error, null);
      const uploaded = await anon.storage.from("photos").uploadToSignedUrl(
        path,
        signed.data!.token,
        "signed bytes",
        {
          contentType: "text/plain",
        },
      );
      assert.equal(uploaded.error, null);
      assert.equal(uploaded.data?.fullPath, `photos/${path}`);
      assert.equal(await (await a.storage.from("photos").download(path)).data?.text(), "signed bytes");
      assert.equal((await objectRow("photos", path)).owner_id, userA);

      const intruder = await b.storage.from("photos").createSignedUploadUrl(`${userA}/planted.txt`);
      assert.equal(intruder.error?.statusCode, "403");
    });

    await t.step("copy and move keep bytes and rows together", async () => {
      const copied = await a.storage.from("photos").copy(`${userA}/pic.png`, `${userA}/pic-copy.png`);
      assert.equal(copied.error, null);
      assert.equal(copied.data?.path, `photos/${userA}/pic-copy.png`);
      const moved = await a.storage.from("photos").move(`${userA}/pic-copy.png`, `${userA}/moved/pic.png`);
      assert.equal(moved.error, null);
      assert.deepEqual(moved.data, { message: "Successfully moved" });
      assert.equal(await objectRow("photos", `${userA}/pic-copy.png`), undefined);
      assert.equal(await fileOnDisk("photos", `${userA}/pic-copy.png`), null);
      const original = await fileOnDisk("photos", `${userA}/pic.png`);
      assert.deepEqual(await fileOnDisk("photos", `${userA}/moved/pic.png`), original);
      assert.equal((await objectRow("photos", `${userA}/moved/pic.png`)).metadata.eTag, md5Etag(original!));

      const stolen = await b.storage.from("photos").move(`${userA}/pic.png`, `${userB}/pic.png`);
      assert.equal(stolen.error?.statusCode, "404");
    });

    await t.step("remove deletes both the row and the bytes", async () => {
      const { data, error } = await a.storage.from("photos").remove([`${userA}/hello.txt`]);
      assert.equal(error, null);
      assert.deepEqual(data?.map((entry) => entry.name), [`${userA}/hello.txt`]);
      assert.equal(await objectRow("photos", `${userA}/hello.txt`), undefined);
      assert.equal(await fileOnDisk("photos", `${userA}/hello.txt`), null);
    });

    await t.step(
      "requests without a JWT, or with a bad one, are refused as Storage refuses them",
      async () => {
        const list = (headers: Record<string, string>) =>
          fetch(`${platform.url}/storage/v1/object/list/photos`, {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body: JSON.stringify({ prefix: "" }),
          });
        const refusal = (message: string) => ({
          statusCode: "403",
          code: "AccessDenied",
          error: "Unauthorized",
          message,
        });
        const missing = await list({});
        assert.equal(missing.status, 400);
        assert.deepEqual(await missing.json(), refusal("jwt must be provided"));
        const garbage = await list({ authorization: "Bearer not-a-jwt" });
        assert.deepEqual(await garbage.json(), refusal("jwt malformed"));
        const expired = await keys.signAccessToken({ sub: userA, role: "authenticated" }, -60);
        assert.deepEqual(
          await (await list({ authorization: `Bearer ${expired}` })).json(),
          refusal("jwt expired"),
        );
      },
    );

    await t.step("the service role manages buckets; users cannot without a policy", async () => {
      const listed = await service.storage.listBuckets();
      assert.equal(listed.error, null);
      assert.deepEqual(listed.data?.map((bucket) => bucket.id).sort(), ["covers", "photos", "portraits"]);
      const portraits = await service.storage.getBucket("portraits");
      assert.equal(portraits.data?.file_size_limit, 1024);
      assert.deepEqual(portraits.data?.allowed_mime_types, ["image/*"]);

      const created = await service.storage.createBucket("scratch", { public: false, fileSizeLimit: "1MB" });
      assert.deepEqual(created, { data: { name: "scratch" }, error: null });
      assert.equal((await service.storage.updateBucket("scratch", { public: true })).error, null);
      assert.equal((await service.storage.getBucket("scratch")).data?.public, true);
      await service.storage.from("scratch").upload("x/y.txt", "y", { contentType: "text/plain" });
      const notEmpty = await service.storage.deleteBucket("scratch");
      assert.equal(notEmpty.error?.statusCode, "409");
      assert.equal((await service.storage.emptyBucket("scratch")).error, null);
      assert.equal(await fileOnDisk("scratch", "x/y.txt"), null);
      assert.equal((await service.storage.deleteBucket("scratch")).error, null);
      assert.equal((await service.storage.getBucket("scratch")).error?.statusCode, "404");

      const byUser = await a.storage.createBucket("mine");
      assert.equal(byUser.error?.statusCode, "403");
      assert.deepEqual((await a.storage.listBuckets()).data, []);
    });
  } finally {
    await migrator.end();
    await platform.close();
    await Deno.remove(filesRoot, { recursive: true }).catch(() => {});
  }
});
