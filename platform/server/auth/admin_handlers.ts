/**
 * GoTrue's admin user routes (`supabase.auth.admin.*`), open only to the service role: create a user, read one,
 * delete one.
 */
import { json } from "../http.ts";
import { AuthError } from "./auth_errors.ts";
import type { AuthDeps } from "./auth_handlers.ts";
import { requireAdmin } from "./auth_handlers.ts";
import {
  adminUserDeleteParams,
  adminUserParams,
  checkPasswordStrength,
  readParams,
  validateEmail,
  validationFailed,
} from "./auth_params.ts";
import {
  asAuthAdmin,
  DEFAULT_AUDIENCE,
  DEFAULT_ROLE,
  findUserByEmail,
  findUserById,
  hashPassword,
  insertIdentity,
  insertUser,
  isUuid,
  userJson,
  type UserWithIdentities,
} from "./auth_store.ts";

/** GoTrue's phone format: digits only (a leading `+`, spaces and dashes dropped), E.164 length. */
function validatePhone(phone: string): string {
  const digits = phone.replace(/[\s\-()+]/g, "");
  if (!/^[1-9]\d{4,14}$/.test(digits)) throw validationFailed("Invalid phone number format (E.164 required)");
  return digits;
}

/** Without a password GoTrue stores a random one, so the user can only sign in another way. */
function randomPassword(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** `POST /admin/users`. */
export async function createUser(deps: AuthDeps, request: Request): Promise<Response> {
  await requireAdmin(deps, request);
  const params = await readParams(request, adminUserParams);
  const aud = params.aud || DEFAULT_AUDIENCE;
  if (!params.email && !params.phone) {
    throw validationFailed("Cannot create a user without either an email or phone");
  }
  const providers: ("email" | "phone")[] = [];
  const email = params.email ? validateEmail(params.email) : null;
  if (email) {
    if (await findUserByEmail(deps.admin, email, aud)) {
      throw new AuthError(422, "email_exists", "A user with this email address has already been registered");
    }
    providers.push("email");
  }
  const phone = params.phone ? validatePhone(params.phone) : null;
  if (phone) {
    const [holder] = await deps.admin`select 1 from auth.users where phone = ${phone} and aud = ${aud}`;
    if (holder) {
      throw new AuthError(422, "phone_exists", "Phone number already registered by another user");
    }
    providers.push("phone");
  }
  if (params.id && !isUuid(params.id)) throw validationFailed("ID must conform to the uuid v4 format");
  if (params.id === "00000000-0000-0000-0000-000000000000") throw validationFailed("ID cannot be a nil uuid");
  if (params.password) checkPasswordStrength(params.password, deps.config.minimumPasswordLength);

  const passwordHash = await hashPassword(deps.admin, params.password || randomPassword());
  const created = await asAuthAdmin(deps.admin, async (sql) => {
    const userId = await insertUser(sql, {
      id: params.id ?? undefined,
      aud,
      role: params.role || DEFAULT_ROLE,
      email,
      phone,
      passwordHash,
      appMetadata: { provider: providers[0], providers, ...params.app_metadata },
      userMetadata: params.user_metadata ?? {},
      isAnonymous: false,
      emailConfirmed: Boolean(email && params.email_confirm),
      phoneConfirmed: Boolean(phone && params.phone_confirm),
    });
    if (email) {
      await insertIdentity(sql, userId, "email", {
        sub: userId,
        email,
        email_verified: false,
        phone_verified: false,
      });
    }
    if (phone) {
      await insertIdentity(sql, userId, "phone", {
        sub: userId,
        phone,
        email_verified: false,
        phone_verified: false,
      });
    }
    return (await findUserById(sql, userId))!;
  });
  return json(userJson(created));
}

async function loadUser(deps: AuthDeps, userId: string): Promise<UserWithIdentities> {
  if (!isUuid(userId)) throw new AuthError(404, "validation_failed", "user_id must be an UUID");
  const account = await findUserById(deps.admin, userId);
  if (!account) throw new AuthError(404, "user_not_found", "User not found");
  return account;
}

/** `GET /admin/users/{id}`. */
export async function getUserById(deps: AuthDeps, request: Request, userId: string): Promise<Response> {
  await requireAdmin(deps, request);
  return json(userJson(await loadUser(deps, userId)));
}

/**
 * `DELETE /admin/users/{id}`: removes the user; identities, sessions and refresh tokens go with it through the
 * foreign keys, as do project rows that reference `auth.users` with `on delete cascade`.
 */
export async function deleteUser(deps: AuthDeps, request: Request, userId: string): Promise<Response> {
  await requireAdmin(deps, request);
  const account = await loadUser(deps, userId);
  const params = await readParams(request, adminUserDeleteParams, { allowEmpty: true });
  if (params.should_soft_delete) {
    // GoTrue's soft delete anonymises the row in ways no local test has needed yet; refuse rather than fake it.
    throw new AuthError(400, "validation_failed", "Soft deletion is not supported by the local platform");
  }
  await asAuthAdmin(deps.admin, (sql) => sql`delete from auth.users where id = ${account.user.id}`);
  return json({});
}
