/**
 * Request bodies and the checks GoTrue applies to them. GoTrue decodes the body into a typed struct whatever
 * the content type: a body that is not JSON, or a field of the wrong type, is `bad_json`; missing or invalid
 * values are `validation_failed` (or a more specific code) from the handler.
 */
import { z } from "zod";
import { AuthError } from "./auth_errors.ts";

const text = z.string().nullish();
const metadata = z.record(z.string(), z.unknown()).nullish();

export const signupParams = z.object({
  email: text,
  phone: text,
  password: text,
  data: metadata,
}).loose();

export const passwordGrantParams = z.object({ email: text, phone: text, password: text }).loose();

export const refreshTokenGrantParams = z.object({ refresh_token: text }).loose();

export const userUpdateParams = z.object({
  email: text,
  phone: text,
  password: text,
  data: metadata,
  app_metadata: metadata,
}).loose();

export const adminUserParams = z.object({
  id: text,
  aud: text,
  role: text,
  email: text,
  phone: text,
  password: text,
  email_confirm: z.boolean().nullish(),
  phone_confirm: z.boolean().nullish(),
  user_metadata: metadata,
  app_metadata: metadata,
}).loose();

export const adminUserDeleteParams = z.object({ should_soft_delete: z.boolean().nullish() }).loose();

/** Reads and decodes a JSON body; `allowEmpty` treats an empty body as `{}` (GoTrue does so for DELETE). */
export async function readParams<T extends z.ZodType>(
  request: Request,
  schema: T,
  options: { allowEmpty?: boolean } = {},
): Promise<z.infer<T>> {
  const body = await request.text();
  let value: unknown;
  try {
    value = body.trim() === "" && options.allowEmpty ? {} : JSON.parse(body);
  } catch (error) {
    throw badJson((error as Error).message);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badJson(issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message);
  }
  return parsed.data;
}

const badJson = (reason: string) =>
  new AuthError(400, "bad_json", `Could not parse request body as JSON: ${reason}`);

export const validationFailed = (message: string) => new AuthError(400, "validation_failed", message);

// The HTML5 address grammar GoTrue validates against: a local part, then dot-separated DNS labels.
const emailPattern =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue's email checks; returns the address lower-cased, as GoTrue stores it. */
export function validateEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed === "") throw validationFailed("An email address is required");
  if (trimmed.length > 255) throw validationFailed("An email address is too long");
  if (!emailPattern.test(trimmed)) throw validationFailed("Unable to validate email address: invalid format");
  return trimmed.toLowerCase();
}

/** bcrypt only reads the first 72 bytes, so GoTrue refuses longer passwords rather than ignore the rest. */
const MAX_PASSWORD_BYTES = 72;

export function checkPasswordStrength(password: string, minimumLength: number): void {
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
    throw new AuthError(
      422,
      "validation_failed",
      `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`,
    );
  }
  if ([...password].length < minimumLength) {
    throw new AuthError(
      422,
      "weak_password",
      `Password should be at least ${minimumLength} characters.`,
      ["length"],
    );
  }
}
