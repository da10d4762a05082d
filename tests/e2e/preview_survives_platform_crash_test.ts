/**
 * kill -9 the whole platform (its process group: the platform process and every function worker) while pages
 * are being drawn, start it again, and the preview still completes: the tasks reappear when their visibility
 * timeout passes, the expired leases are taken over, and every page ends with exactly one stored image.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { databaseUrl } from "../../platform/cli/settings.ts";
import { platformKeys } from "../../platform/server/keys.ts";
import { createTestDatabase, eventually } from "../../platform/tests/support/test_platform.ts";
import {
  pointDispatchAt,
  repoRoot,
  signInAnonymously,
  storePhoto,
  storyObjects,
} from "../support/preview_fixtures.ts";

const PROVIDER_LATENCY_MS = 3_000;
/** Short, so the killed attempts' tasks come back within seconds (production: two minutes), yet above one attempt. */
const WORKER_TIMEOUT_SECONDS = 10;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The platform process in a session of its own, so that one signal reaches it and all its workers. */
function servePlatform(database: string, port: number): { pid: number; exited: Promise<Deno.CommandStatus> } {
  const child = new Deno.Command("setsid", {
    args: [
      Deno.execPath(),
      "run",
      "--allow-all",
      "--quiet",
      `${repoRoot}/platform/cli/main.ts`,
      "serve",
      "--database",
      database,
      "--port",
      String(port),
      "--env",
      `IMAGE_PROVIDER_LATENCY_MS=${PROVIDER_LATENCY_MS}`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return { pid: child.pid, exited: child.status };
}

async function killGroup(pid: number): Promise<void> {
  await new Deno.Command("kill", { args: ["-KILL", "--", `-${pid}`] }).output();
}

async function waitUntilServing(url: string): Promise<void> {
  await eventually(
    async () => {
      try {
        const response = await fetch(`${url}/auth/v1/.well-known/jwks.json`);
        await response.body?.cancel();
        return response.ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    "the platform to serve",
    30_000,
  );
}

Deno.test("a preview completes after the platform is killed mid-generation and started again", async () => {
  const db = await createTestDatabase("crash", { projectDir: repoRoot });
  const admin = postgres(databaseUrl(db.settings, db.database, db.settings.adminUser), {
    onnotice: () => {},
  });
  const keys = await platformKeys(db.settings.keysDir);
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const endpoints = { url, anonKey: keys.anonKey, serviceRoleKey: keys.serviceRoleKey, admin };
  let platform = servePlatform(db.database, port);
  try {
    await admin`update internal.pipeline_settings set worker_timeout_seconds = ${WORKER_TIMEOUT_SECONDS}`;
    await pointDispatchAt(admin, url, keys.serviceRoleKey);
    await waitUntilServing(url);

    const parent = await signInAnonymously(endpoints);
    const photoId = await storePhoto(endpoints, parent.id);
    const created = await fetch(`${url}/functions/v1/previews`, {
      method: "POST",
      headers: { Authorization: `Bearer ${parent.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        photo_id: photoId,
        child_name: "Noah",
        child_age: 6,
        pronouns: "he",
        theme: "ocean_explorer",
        style: "photorealistic",
      }),
    });
    assert.equal(created.status, 202);
    const storyId: string = (await created.json()).preview_id;

    // Kill while the cover is done and the story pages are being drawn.
    await eventually(
      async () => {
        const [{ generating }] = await admin`
        select count(*)::int as generating from public.story_pages
         where story_id = ${storyId} and status = 'generating' and page_number > 0`;
        return generating >= 3 ? true : undefined;
      },
      "pages to be generating",
      30_000,
    );
    await killGroup(platform.pid);
    await platform.exited;
    // With every process dead the state is frozen: these attempts were cut off.
    const interrupted = (await admin<{ page_number: number }[]>`
      select page_number from public.story_pages where story_id = ${storyId} and status = 'generating'`)
      .map((row) => row.page_number);

    platform = servePlatform(db.database, port);
    await waitUntilServing(url);

    const story = await eventually(
      async () => {
        const [row] = await admin`select status from public.stories where id = ${storyId}`;
        return row.status === "completed" || row.status === "failed" ? row : undefined;
      },
      "the preview to complete after the restart",
      90_000,
    );
    assert.equal(story.status, "completed");

    const pages = await admin<{ page_number: number; attempts: number; preview_path: string }[]>`
      select page_number, attempts, preview_path from public.story_pages
       where story_id = ${storyId} and page_number <= 5 order by page_number`;
    assert.ok(pages.every((page) => page.preview_path !== null));
    // Provider calls: one per claim. The pages interrupted by the kill were drawn twice, the others once.
    const providerCalls = pages.reduce((sum, page) => sum + page.attempts, 0);
    console.log(
      `provider calls: ${providerCalls} for 6 pages (${interrupted.length} interrupted by the kill)`,
    );
    for (const page of pages) {
      assert.equal(
        page.attempts,
        interrupted.includes(page.page_number) ? 2 : 1,
        `attempts of page ${page.page_number}`,
      );
    }
    // Each page stored once: the kill hit during the provider's latency, before anything was uploaded.
    const objects = await storyObjects(endpoints, storyId);
    assert.equal(objects.pages.length, 6);
    assert.equal(objects.previews.length, 6);
    const [{ progress }] = await admin`select pages_completed as progress from public.generation_jobs
                                       where story_id = ${storyId}`;
    assert.equal(progress, 6, "progress counted each page once");
  } finally {
    await killGroup(platform.pid);
    await platform.exited;
    await admin.end();
    await db.drop();
  }
});
