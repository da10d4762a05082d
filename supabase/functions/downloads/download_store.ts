/** The downloads function's database access, as `postgres` (SUPABASE_DB_URL). */
import type { Sql } from "../_shared/database.ts";
import type { Enums } from "../_shared/database.types.ts";

export interface OrderDownload {
  userId: string | null;
  status: Enums<"order_status">;
  bookPath: string | null;
  bookReadyAt: Date | null;
  downloadExpiresAt: Date | null;
}

export interface DownloadStore {
  find(orderId: string): Promise<OrderDownload | null>;
}

export function createDownloadStore(sql: Sql): DownloadStore {
  return {
    async find(orderId) {
      const [row] = await sql<{
        user_id: string | null;
        status: Enums<"order_status">;
        book_path: string | null;
        book_ready_at: Date | null;
        download_expires_at: Date | null;
      }[]>`select * from internal.order_download(${orderId}::uuid)`;
      return row
        ? {
          userId: row.user_id,
          status: row.status,
          bookPath: row.book_path,
          bookReadyAt: row.book_ready_at,
          downloadExpiresAt: row.download_expires_at,
        }
        : null;
    },
  };
}
