/**
 * The `[auth]` settings of `supabase/config.toml` that the Auth stand-in honours, with the Supabase CLI's
 * defaults for keys the file leaves out. Read once when the service is created, as the CLI reads the file when
 * it starts GoTrue.
 */
import { z } from "zod";

export interface AuthConfig {
  /** Access token lifetime in seconds (`jwt_expiry`). */
  jwtExpiry: number;
  /** `enable_signup`: false refuses every sign-up, anonymous ones included. */
  signupEnabled: boolean;
  anonymousSignInsEnabled: boolean;
  /**
   * `[auth.email] enabled` (CLI 3), or its deprecated spelling `enable_signup`: the email provider as a whole
   * (sign-up and password sign-in).
   */
  emailProviderEnabled: boolean;
  /** The inverse of `[auth.email] enable_confirmations`: sign-ups are confirmed at once and get a session. */
  emailAutoconfirm: boolean;
  refreshTokenRotation: boolean;
  /** Seconds during which a just-rotated refresh token may still be exchanged (`refresh_token_reuse_interval`). */
  refreshTokenReuseInterval: number;
  minimumPasswordLength: number;
}

const authSectionSchema = z.object({
  jwt_expiry: z.number().int().positive().default(3600),
  enable_signup: z.boolean().default(true),
  enable_anonymous_sign_ins: z.boolean().default(false),
  enable_refresh_token_rotation: z.boolean().default(true),
  refresh_token_reuse_interval: z.number().int().min(0).default(10),
  minimum_password_length: z.number().int().min(0).default(6),
  email: z.object({
    enabled: z.boolean().optional(),
    enable_signup: z.boolean().optional(),
    enable_confirmations: z.boolean().default(false),
  }).loose().prefault({}),
}).loose();

const configSchema = z.object({ auth: authSectionSchema.prefault({}) }).loose();

/** The `[auth]` section of a parsed config.toml; `source` names the file in errors. */
export function parseAuthConfig(document: unknown, source = "config.toml"): AuthConfig {
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: [${issue?.path.join(".")}] ${issue?.message}`);
  }
  const auth = parsed.data.auth;
  return {
    jwtExpiry: auth.jwt_expiry,
    signupEnabled: auth.enable_signup,
    anonymousSignInsEnabled: auth.enable_anonymous_sign_ins,
    emailProviderEnabled: auth.email.enabled ?? auth.email.enable_signup ?? true,
    emailAutoconfirm: !auth.email.enable_confirmations,
    refreshTokenRotation: auth.enable_refresh_token_rotation,
    refreshTokenReuseInterval: auth.refresh_token_reuse_interval,
    minimumPasswordLength: auth.minimum_password_length,
  };
}
