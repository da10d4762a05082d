/** Books whose time is up, as maintenance deletes them: the files first (Storage API), then the paths. */
import type { Sql } from "../_shared/database.ts";

export interface DueBook {
  orderId: string;
  path: string;
}

export interface BookRetentionStore {
  booksDue(limit: number): Promise<DueBook[]>;
  forgetBooks(orderIds: string[]): Promise<number>;
}

export function createBookRetentionStore(sql: Sql): BookRetentionStore {
  return {
    async booksDue(limit) {
      const rows = await sql<{ order_id: string; book_path: string }[]>`
        select order_id, book_path from internal.books_due_for_deletion(${limit}::integer)`;
      return rows.map((row) => ({ orderId: row.order_id, path: row.book_path }));
    },
    async forgetBooks(orderIds) {
      if (orderIds.length === 0) return 0;
      const [{ forgotten }] = await sql<{ forgotten: number }[]>`
        select internal.forget_books(${orderIds}::uuid[]) as forgotten`;
      return forgotten;
    },
  };
}
