/**
 * How a failed page attempt is described to internal.fail_page_attempt: the provider's own error as it is, a
 * PageFailure as final, and anything unexpected as a retryable internal error whose details go to the log only
 * (the page's last error is readable by the parent).
 */
import { ImageInputError } from "./images/image_header.ts";
import { ImageProviderError } from "./images/image_provider.ts";

/** A failure of this page that retrying will not fix (missing photo, no scene for the theme). */
export class PageFailure extends Error {
  override readonly name = "PageFailure";
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface FailureDescription {
  code: string;
  detail: string;
  retryable: boolean;
  retryAfterSeconds: number | null;
}

export function describeFailure(error: unknown, log: (line: string) => void): FailureDescription {
  if (error instanceof ImageProviderError) {
    return {
      code: error.code,
      detail: error.message,
      retryable: error.retryable,
      retryAfterSeconds: error.retryAfterMs === undefined ? null : Math.ceil(error.retryAfterMs / 1000),
    };
  }
  if (error instanceof ImageInputError) {
    // The provider's file was not an image we store; another attempt draws it again.
    return {
      code: "provider_error",
      detail: "the image provider answered with an unreadable image",
      retryable: true,
      retryAfterSeconds: null,
    };
  }
  if (error instanceof PageFailure) {
    return { code: error.code, detail: error.message, retryable: false, retryAfterSeconds: null };
  }
  const errorId = crypto.randomUUID();
  log(JSON.stringify({
    level: "error",
    event: "page_error",
    error_id: errorId,
    error: error instanceof Error ? error.name : typeof error,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  }));
  return {
    code: "internal_error",
    detail: `unexpected error (log id ${errorId})`,
    retryable: true,
    retryAfterSeconds: null,
  };
}
