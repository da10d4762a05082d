/**
 * Stand-in for Supabase Auth (GoTrue) at `/auth/v1`: the routes supabase-js's auth client uses, with GoTrue's
 * request and response shapes, backed by GoTrue's own tables in the `auth` schema. Access tokens are ES256 with
 * GoTrue's claims and verify against the JWKS served here, so `supabase.auth.getClaims()` works locally as it
 * does against a hosted project. Like Supabase's API gateway, every route but the JWKS needs a project API key
 * in `apikey`.
 */
import type { PlatformContext, PlatformService } from "../context.ts";
import { decodePathSegment, json } from "../http.ts";
import type { PlatformKeys } from "../keys.ts";
import { errorFields, loggablePath } from "../log.ts";
import { createUser, deleteUser, getUserById } from "./admin_handlers.ts";
import { type AuthConfig, parseAuthConfig } from "./auth_config.ts";
import { AuthError, authErrorResponse, unexpectedFailure } from "./auth_errors.ts";
import { type AuthDeps, getUser, logout, signup, token, updateUser } from "./auth_handlers.ts";
import { DatabaseError } from "./auth_store.ts";

const PREFIX = "/auth/v1";
const JWKS_PATH = "/.well-known/jwks.json";

type Handler = (deps: AuthDeps, request: Request, url: URL) => Promise<Response>;

/** What GoTrue's `/settings` reports, for the providers the stand-in knows about. */
function settingsBody(config: AuthConfig): Record<string, unknown> {
  return {
    external: {
      anonymous_users: config.anonymousSignInsEnabled,
      email: config.emailProviderEnabled,
      phone: false,
    },
    disable_signup: !config.signupEnabled,
    mailer_autoconfirm: config.emailAutoconfirm,
    phone_autoconfirm: false,
    sms_provider: "",
    saml_enabled: false,
  };
}

const fixedRoutes: Record<string, Record<string, Handler>> = {
  "/health": {
    GET: () =>
      Promise.resolve(json({
        version: "local-stand-in",
        name: "GoTrue",
        description: "GoTrue is a user registration and authentication API",
      })),
  },
  "/settings": { GET: (deps) => Promise.resolve(json(settingsBody(deps.config))) },
  // The JWKS is edge-cached for ten minutes on hosted projects; clients cache it as long.
  [JWKS_PATH]: {
    GET: (deps) => Promise.resolve(json(deps.keys.jwks, 200, { "cache-control": "public, max-age=600" })),
  },
  "/signup": { POST: signup },
  "/token": { POST: token },
  "/user": { GET: getUser, PUT: updateUser },
  "/logout": { POST: logout },
  "/admin/users": { POST: createUser },
};

function routeFor(path: string): Record<string, Handler> | null {
  const fixed = fixedRoutes[path];
  if (fixed) return fixed;
  const adminUser = path.match(/^\/admin\/users\/([^/]+)$/);
  const userId = adminUser ? decodePathSegment(adminUser[1]) : null;
  if (userId !== null) {
    return {
      GET: (deps, request) => getUserById(deps, request, userId),
      DELETE: (deps, request) => deleteUser(deps, request, userId),
    };
  }
  return null;
}

/**
 * The API gateway's key check in front of Auth: the `apikey` header (or query parameter) must be one of the
 * project's keys. Its refusals are the gateway's, not GoTrue's, so they have the gateway's body.
 */
function gatewayRefusal(keys: PlatformKeys, request: Request, url: URL): Response | null {
  const apiKey = request.headers.get("apikey") ?? url.searchParams.get("apikey");
  if (!apiKey) {
    return json({
      message: "No API key found in request",
      hint: "No `apikey` request header or url param was found.",
    }, 401);
  }
  if (apiKey !== keys.anonKey && apiKey !== keys.serviceRoleKey) {
    return json({
      message: "Invalid API key",
      hint: "Double check your Supabase `anon` or `service_role` API key.",
    }, 401);
  }
  return null;
}

export function createAuthService(context: PlatformContext): PlatformService {
  const config = parseAuthConfig(context.projectConfig.document, context.projectConfig.path);
  const deps: AuthDeps = {
    admin: context.admin,
    keys: context.keys,
    config,
    tokens: { keys: context.keys, issuer: `${context.apiUrl}${PREFIX}`, expiresIn: config.jwtExpiry },
    log: context.log,
  };

  return {
    prefix: PREFIX,
    async handle(request, url) {
      const path = url.pathname.slice(PREFIX.length).replace(/\/+$/, "") || "/";
      if (path !== JWKS_PATH) {
        const refusal = gatewayRefusal(context.keys, request, url);
        if (refusal) return refusal;
      }
      const route = routeFor(path);
      if (!route) return new Response("404 page not found\n", { status: 404 });
      const handler = route[request.method];
      if (!handler) return new Response(null, { status: 405 });
      try {
        return await handler(deps, request, url);
      } catch (error) {
        if (error instanceof DatabaseError) {
          context.log.error("auth_database_error", {
            path: loggablePath(url),
            ...errorFields(error.causeError),
          });
        }
        if (error instanceof AuthError) return authErrorResponse(error, request);
        context.log.error("auth_request_failed", { path: loggablePath(url), ...errorFields(error) });
        return authErrorResponse(unexpectedFailure(), request);
      }
    },
    close: () => Promise.resolve(),
  };
}
