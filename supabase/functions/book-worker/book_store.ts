/** The book-worker's database access, as `postgres` (SUPABASE_DB_URL). */
import type { Sql } from "../_shared/database.ts";
import type { Enums } from "../_shared/database.types.ts";

export interface BookContents {
  orderStatus: Enums<"order_status">;
  userId: string | null;
  title: string;
  childName: string;
  dedication: string | null;
  pages: {
    pageNumber: number;
    text: string;
    printPath: string | null;
    printWidth: number | null;
    printHeight: number | null;
  }[];
}

export interface BookStore {
  contents(orderId: string): Promise<BookContents | null>;
  /** False when the order was cancelled or already has its book: the caller removes its PDF. */
  complete(
    orderId: string,
    msgId: string,
    book: { path: string; bytes: number; pages: number },
  ): Promise<boolean>;
  fail(orderId: string, msgId: string, error: string, final: boolean): Promise<void>;
  dropTask(msgId: string): Promise<void>;
}

export function createBookStore(sql: Sql): BookStore {
  return {
    async contents(orderId) {
      const rows = await sql<{
        order_status: Enums<"order_status">;
        user_id: string | null;
        title: string;
        child_name: string;
        dedication: string | null;
        page_number: number;
        body_text: string;
        print_path: string | null;
        print_width: number | null;
        print_height: number | null;
      }[]>`select * from internal.book_contents(${orderId}::uuid)`;
      if (rows.length === 0) return null;
      const [first] = rows;
      return {
        orderStatus: first.order_status,
        userId: first.user_id,
        title: first.title,
        childName: first.child_name,
        dedication: first.dedication,
        pages: rows.map((row) => ({
          pageNumber: row.page_number,
          text: row.body_text,
          printPath: row.print_path,
          printWidth: row.print_width,
          printHeight: row.print_height,
        })),
      };
    },
    async complete(orderId, msgId, book) {
      const [{ kept }] = await sql<{ kept: boolean }[]>`
        select internal.complete_book(
          ${orderId}::uuid, ${msgId}::bigint, ${book.path}, ${book.bytes}::bigint, ${book.pages}::smallint
        ) as kept`;
      return kept;
    },
    async fail(orderId, msgId, error, final) {
      await sql`select internal.fail_book(${orderId}::uuid, ${msgId}::bigint, ${error}, ${final})`;
    },
    async dropTask(msgId) {
      await sql`select internal.drop_book_task(${msgId}::bigint)`;
    },
  };
}
