import assert from "node:assert/strict";
import { eventually, startTestPlatform } from "../support/test_platform.ts";

/** A local HTTP endpoint that records what it receives. */
function recordingServer() {
  const received: { method: string; path: string; body: string; headers: Record<string, string> }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    received.push({
      method: request.method,
      path: url.pathname + url.search,
      body: await request.text(),
      headers: Object.fromEntries(request.headers),
    });
    if (url.pathname === "/slow") await new Promise((resolve) => setTimeout(resolve, 2_000));
    return Response.json({ ok: true }, { status: url.pathname === "/teapot" ? 418 : 200 });
  });
  return { received, url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("pg_net stand-in", async (t) => {
  const target = recordingServer();
  const platform = await startTestPlatform({ name: "pg_net", extensions: true });
  const sql = platform.admin;
  const responseFor = (id: string) =>
    eventually(async () => {
      const [row] = await sql`select status_code, content, timed_out, error_msg, headers
                              from net._http_response where id = ${id}::bigint`;
      return row;
    }, `response ${id}`);
  try {
    await t.step("a request made in a rolled-back transaction is never sent", async () => {
      await sql.begin(async (tx) => {
        await tx`select net.http_post(${target.url + "/rolled-back"}, '{"n": 1}'::jsonb)`;
        await tx`select 1/0`;
      }).catch(() => {});
      // A committed request queued after it is delivered; by then the rolled-back one would have been too.
      const [{ id }] = await sql`select net.http_get(${target.url + "/after-rollback"}) as id`;
      await responseFor(id);
      assert.deepEqual(target.received.filter((r) => r.path === "/rolled-back").length, 0);
    });

    await t.step("a committed request is sent once, with its body, headers and params", async () => {
      const [{ id }] = await sql`
        select net.http_post(
          url => ${target.url + "/committed"},
          body => '{"page": 3}'::jsonb,
          params => '{"q": "a b"}'::jsonb,
          headers => '{"Content-Type": "application/json", "x-trace": "t1", "x-null": null}'::jsonb
        ) as id`;
      const response = await responseFor(id);
      assert.deepEqual(response.status_code, 200);
      assert.deepEqual(response.timed_out, false);
      const hits = target.received.filter((r) => r.path.startsWith("/committed"));
      assert.deepEqual(hits.length, 1);
      assert.deepEqual(hits[0].path, "/committed?q=a%20b");
      assert.deepEqual(JSON.parse(hits[0].body), { page: 3 });
      assert.deepEqual(hits[0].headers["x-trace"], "t1");
      assert.deepEqual(hits[0].headers["x-null"], undefined);
      assert.match(hits[0].headers["user-agent"], /^pg_net\//);
    });

    await t.step("a request is not sent before its transaction commits", async () => {
      let id = "";
      await sql.begin(async (tx) => {
        [{ id }] = await tx`select net.http_get(${target.url + "/held"}) as id`;
        // Proving that nothing is sent before commit takes a wait: the sender would deliver within milliseconds.
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepEqual(target.received.filter((r) => r.path === "/held").length, 0);
      });
      await responseFor(id);
      assert.deepEqual(target.received.filter((r) => r.path === "/held").length, 1);
    });

    await t.step("the response status and body are recorded, errors included", async () => {
      const [{ id }] = await sql`select net.http_get(${target.url + "/teapot"}) as id`;
      const response = await responseFor(id);
      assert.deepEqual(response.status_code, 418);
      assert.deepEqual(JSON.parse(response.content), { ok: true });
    });

    await t.step("a timeout is recorded as timed out with pg_net's message", async () => {
      const [{ id }] = await sql`select net.http_get(${
        target.url + "/slow"
      }, timeout_milliseconds => 200) as id`;
      const response = await responseFor(id);
      assert.deepEqual(response.status_code, null);
      assert.deepEqual(response.timed_out, true);
      assert.match(response.error_msg, /^Timeout of 200 ms reached/);
    });

    await t.step("an unreachable host is recorded as an error", async () => {
      const [{ id }] = await sql`select net.http_get('http://127.0.0.1:9/nothing-listens') as id`;
      const response = await responseFor(id);
      assert.deepEqual(response.status_code, null);
      assert.deepEqual(response.timed_out, false);
      assert.match(response.error_msg, /connect/i);
    });
  } finally {
    await platform.close();
    await target.close();
  }
});
