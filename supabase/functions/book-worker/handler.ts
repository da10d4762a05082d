/**
 * The book-worker: called by the database (pg_net, from internal.dispatch_delivery_tasks) once a bought book's
 * print job has completed, with the service role key. One call assembles one book:
 *
 *   book_contents (every page's print image and text) ─▶ buildBookPdf (pdf-lib; each JPEG read from Storage
 *   only when its turn comes in the stream, embedded as it is) ─▶ streamed upload to books/<user>/<order>.pdf
 *   ─▶ complete_book (the order keeps it, the email is queued) — or false: cancelled meanwhile, the PDF goes;
 *   kept by an earlier delivery of the task (the same path), it stays
 *
 * A failure leaves the task to come back when its visibility timeout passes; on the last attempt (which the
 * dispatcher says), or at once for a book that can never be laid out, the order records why, for an operator.
 */
import { z } from "zod";
import { requireServiceKey } from "../_shared/auth.ts";
import { BookLayoutError } from "../_shared/book/book_layout.ts";
import { buildBookPdf } from "../_shared/book/book_pdf.ts";
import type { PrintProfile } from "../_shared/book/print_profiles.ts";
import { ApiError, json, readJson, serveJson } from "../_shared/http.ts";
import { messageIdSchema } from "../_shared/queue_task.ts";
import type { ObjectStore, StreamingObjectStore } from "../_shared/storage.ts";
import type { BookStore } from "./book_store.ts";

export interface BookWorkerDeps {
  books: BookStore;
  objects: Pick<ObjectStore, "remove">;
  files: StreamingObjectStore;
  config: { serviceRoleKey: string; profile: PrintProfile };
  log?: (line: string) => void;
}

const taskSchema = z.object({
  msg_id: messageIdSchema,
  order_id: z.guid(),
  // Set by the dispatcher on the task's last delivery (internal.delivery_settings.max_book_attempts).
  last_attempt: z.boolean().default(false),
});

export function createBookWorkerHandler(deps: BookWorkerDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;

  async function assemble(orderId: string, msgId: string): Promise<{ outcome: string; bytes?: number }> {
    const contents = await deps.books.contents(orderId);
    if (!contents || contents.orderStatus !== "paid") {
      await deps.books.dropTask(msgId);
      return { outcome: contents ? "cancelled" : "missing" };
    }
    const missing = contents.pages.filter((page) => !page.printPath || !page.printWidth || !page.printHeight);
    if (missing.length > 0) {
      throw new Error(`pages without a print image: ${missing.map((page) => page.pageNumber).join(", ")}`);
    }
    // Books live under their parent's folder, where an erasure finds them; checked before the book is laid out.
    if (!contents.userId) throw new BookLayoutError("the order's story has no parent any more");
    const book = await buildBookPdf({
      title: contents.title,
      childName: contents.childName,
      dedication: contents.dedication,
      profile: deps.config.profile,
      pages: contents.pages.map((page) => ({
        pageNumber: page.pageNumber,
        text: page.pageNumber === 0 ? contents.title : page.text,
        image: {
          width: page.printWidth!,
          height: page.printHeight!,
          read: () => deps.files.read("pages", page.printPath!),
        },
      })),
    });
    const path = `${contents.userId}/${orderId}.pdf`;
    await deps.files.uploadStream("books", path, book.stream, "application/pdf");
    const bytes = await book.byteLength;
    const kept = await deps.books.complete(orderId, msgId, { path, bytes, pages: book.pageCount });
    if (!kept) {
      // Refused because another delivery of this task kept its book first: that book is at this same path, so it
      // stays. Refused because the order was cancelled meanwhile: the PDF goes.
      if ((await deps.books.contents(orderId))?.orderStatus === "paid") return { outcome: "already_kept" };
      await deps.objects.remove("books", [path]);
      return { outcome: "not_kept" };
    }
    return { outcome: "assembled", bytes };
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST" });
    }
    requireServiceKey(request, deps.config.serviceRoleKey);
    const task = taskSchema.parse(await readJson(request));
    const started = performance.now();
    let result: { outcome: string; bytes?: number };
    try {
      result = await assemble(task.order_id, task.msg_id);
    } catch (error) {
      // A book that cannot be laid out (a missing glyph, text that cannot fit) never will be.
      const final = task.last_attempt || error instanceof BookLayoutError;
      // Recorded as 'code: detail', as page and email failures are, so that metrics count books by code.
      const code = error instanceof BookLayoutError ? "book_layout" : "book_assembly";
      await deps.books.fail(task.order_id, task.msg_id, `${code}: ${(error as Error).message}`, final);
      log(JSON.stringify({
        level: "error",
        event: "book_failed",
        order_id: task.order_id,
        final,
        error: (error as Error).message,
      }));
      result = { outcome: final ? "failed" : "retrying" };
    }
    log(JSON.stringify({
      event: "book",
      order_id: task.order_id,
      ...result,
      ms: Math.round(performance.now() - started),
    }));
    return json({ outcome: result.outcome });
  }

  return serveJson(handle, { log });
}
