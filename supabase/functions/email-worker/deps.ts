/** The email-worker's real dependencies, built once per function instance from the environment. */
import { createDatabase } from "../_shared/database.ts";
import { createDownloadTokens } from "../_shared/download_token.ts";
import { createOutboxSender, createResendSender } from "../_shared/email/email_sender.ts";
import type { Env } from "../_shared/env.ts";
import { createEmailStore } from "./email_store.ts";
import type { EmailWorkerDeps } from "./handler.ts";

export async function createEmailWorkerDeps(env: Env): Promise<EmailWorkerDeps> {
  return {
    emails: createEmailStore(
      createDatabase(env.SUPABASE_DB_URL, { max: 3, applicationName: "email-worker" }),
    ),
    sender: env.EMAIL_SENDER === "resend"
      ? createResendSender({
        apiKey: env.RESEND_API_KEY!,
        baseUrl: env.RESEND_BASE_URL,
        from: env.EMAIL_FROM,
      })
      : createOutboxSender(),
    tokens: await createDownloadTokens(env.DOWNLOAD_TOKEN_SECRET ?? env.SUPABASE_SERVICE_ROLE_KEY),
    config: {
      serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
      downloadsUrl: env.DOWNLOADS_URL ?? `${env.SUPABASE_URL}/functions/v1/downloads`,
      sendTimeoutMs: 30_000,
    },
  };
}
