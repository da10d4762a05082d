/**
 * Every bad input of every public endpoint, as data: what is sent (built against the arranged world of
 * bad_input_world.ts) and the exact status and code the product answers, as the handlers and the README's
 * tables document them. `npm run suite:inputs` (inputs_suite.ts) sends each one and checks that it changed
 * nothing, or exactly the rows the case declares.
 *
 * `code` is the error's `error.code`; for a 2xx answer it is the body's `outcome` (the webhooks) or `status`
 * (a created preview); for a 302 it is "redirect". `message`, when given, must appear in the error's message
 * (a refused field is named there); `header`, when given, must be in the answer (Retry-After, Allow).
 *
 * The vocabulary and the cases come first, then the small request builders they use (function declarations,
 * hoisted).
 */
import { encodePng } from "../supabase/functions/_shared/images/test_images.ts";
import { createRgbaImage } from "../supabase/functions/_shared/images/raster.ts";
import { deflated, pngWithHeader } from "../tests/support/exif_builder.ts";
import { noFace, oneFace, tinyFace, twoFaces, uncroppedPortrait } from "../tests/support/photo_fixtures.ts";
import { orderBody, shopifyDelivery as signedShopifyDelivery } from "../tests/support/shopify_fixtures.ts";
import type { World } from "./bad_input_world.ts";

export type Endpoint =
  | "upload-photo"
  | "previews"
  | "shopify-webhooks"
  | "fal-webhook"
  | "downloads"
  | "erase-data";

/** Rows (or stored files) a case adds, per part of the fingerprint ("schema.table", "files:<bucket>"). */
export type DeclaredChanges = Record<string, number>;

export interface BadInputCase {
  endpoint: Endpoint;
  /** One line: what is wrong with the request. */
  description: string;
  request: RequestBuilder;
  expect: { status: number; code: string; message?: string; header?: string };
  /** What the request records although it is refused (or accepted); nothing else may change. */
  changes?: DeclaredChanges;
  /**
   * The product does not answer `expect` yet; this says what it answers instead. The suite reports the case
   * as a known issue rather than a failure, and fails it once it does answer `expect`, so that the note goes.
   */
  knownIssue?: string;
}

export type RequestBuilder = (world: World) => Request | Promise<Request>;

type Token = string | null | ((world: World) => string);

// ---------------------------------------------------------------------------------------------------------
// Vocabulary shared by the cases
// ---------------------------------------------------------------------------------------------------------

/** Tokens that are not a signed-in user's live session, each refused where a user is required. */
const NOT_A_USER = {
  none: { what: "no session token", token: null },
  garbage: { what: "a token that is not a JWT", token: "not-a-jwt" },
  expired: { what: "an expired session token", token: (world) => world.tokens.expired },
  otherKey: {
    what: "a token signed by another key under the platform's key id",
    token: (world) => world.tokens.otherKey,
  },
  unsigned: { what: "an unsigned token (alg none)", token: (world) => world.tokens.unsigned },
  anonKey: { what: "the anon key instead of a session", token: (world) => world.anonKey },
  serviceKey: { what: "the service role key instead of a session", token: (world) => world.serviceRoleKey },
  deletedUser: {
    what: "a validly signed token of a user who no longer exists",
    token: (world) => world.tokens.deletedUser,
  },
} satisfies Record<string, { what: string; token: Token }>;

/** The tokens every user endpoint is tried with; upload-photo, the first, is tried with all of them. */
const COMMON_NOT_A_USER = [NOT_A_USER.none, NOT_A_USER.expired, NOT_A_USER.otherKey, NOT_A_USER.anonKey];

/** An upload whose type is known counts against the hourly allowance, whatever the photo turns out to be. */
const ONE_UPLOAD_ATTEMPT: DeclaredChanges = { "internal.photo_upload_attempts": 1 };

/** What orders/paid records for an order an operator has to look at: its event and the order row. */
const RECORDED_FOR_AN_OPERATOR: DeclaredChanges = { "internal.shopify_events": 1, "public.orders": 1 };

/** A well-formed id that names nothing: no photo, preview or order has it. */
const UNKNOWN_ID = "8a4c0b5e-5a1f-4c3e-9d0a-6f1e2d3c4b5a";

const UNAUTHORIZED = { status: 401, code: "unauthorized" };
const INVALID_REQUEST = { status: 400, code: "invalid_request" };
const METHOD_NOT_ALLOWED = { status: 405, code: "method_not_allowed", header: "allow" };

// ---------------------------------------------------------------------------------------------------------
// upload-photo (README "Children's photos": each check and its refusal)
// ---------------------------------------------------------------------------------------------------------

const uploadPhotoCases: BadInputCase[] = [
  ...[
    NOT_A_USER.none,
    NOT_A_USER.garbage,
    NOT_A_USER.expired,
    NOT_A_USER.otherKey,
    NOT_A_USER.unsigned,
    NOT_A_USER.anonKey,
    NOT_A_USER.serviceKey,
  ].map(({ what, token }): BadInputCase => ({
    endpoint: "upload-photo",
    description: what,
    request: uploadPhoto({ token }),
    expect: UNAUTHORIZED,
  })),
  {
    endpoint: "upload-photo",
    description: NOT_A_USER.deletedUser.what,
    request: uploadPhoto({ token: NOT_A_USER.deletedUser.token }),
    expect: UNAUTHORIZED,
  },
  {
    endpoint: "upload-photo",
    description: "a photo over 10 MB (refused by its declared length)",
    request: uploadPhoto({
      file: async () => {
        const big = new Uint8Array(10 * 1024 * 1024 + 1);
        big.set((await oneFace()).jpeg);
        return big;
      },
    }),
    expect: { status: 413, code: "file_too_large" },
  },
  {
    endpoint: "upload-photo",
    description: "a body streamed without a length that passes 10 MB",
    request: uploadBody(() => zeroChunks(11, 1024 * 1024), "multipart/form-data; boundary=xyz"),
    expect: { status: 413, code: "file_too_large" },
  },
  {
    endpoint: "upload-photo",
    description: "a JSON body instead of multipart/form-data",
    request: uploadBody(() => '{"file":"x"}', "application/json"),
    expect: INVALID_REQUEST,
  },
  {
    endpoint: "upload-photo",
    description: "an empty body",
    request: uploadBody(() => null),
    expect: INVALID_REQUEST,
  },
  {
    endpoint: "upload-photo",
    description: "multipart/form-data declared, but the body is not",
    request: uploadBody(() => "just some text", "multipart/form-data; boundary=xyz"),
    expect: INVALID_REQUEST,
  },
  {
    endpoint: "upload-photo",
    description: "the photo in a field named photo, not file",
    request: uploadPhoto({ field: "photo" }),
    expect: { ...INVALID_REQUEST, message: "no field named file" },
  },
  {
    endpoint: "upload-photo",
    description: "the field file holding text, not a file",
    request: uploadBody(() => {
      const form = new FormData();
      form.append("file", "photo.jpg");
      return form;
    }),
    expect: { ...INVALID_REQUEST, message: "must be a file" },
  },
  {
    endpoint: "upload-photo",
    description: "a 0-byte file",
    request: uploadPhoto({ file: () => new Uint8Array(0) }),
    expect: { status: 400, code: "unreadable_image" },
  },
  {
    endpoint: "upload-photo",
    description: "a text file renamed photo.jpg (judged by magic bytes, not name)",
    request: uploadPhoto({ file: () => text("a shopping list, not a photo") }),
    expect: { status: 415, code: "unsupported_media_type" },
  },
  {
    endpoint: "upload-photo",
    description: "a GIF renamed photo.jpg",
    request: uploadPhoto({ file: () => text("GIF89a\x01\x00\x01\x00\x00\x00\x00;") }),
    expect: { status: 415, code: "unsupported_media_type" },
  },
  {
    endpoint: "upload-photo",
    description: "an interlaced PNG (its pixels would be read scrambled)",
    request: uploadPhoto({ file: () => pngWithHeader(64, 64, { interlace: 1 }), filename: "photo.png" }),
    expect: { status: 415, code: "unsupported_media_type", message: "interlaced" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "a truncated JPEG",
    request: uploadPhoto({
      file: async () => {
        const jpeg = (await oneFace()).jpeg;
        return jpeg.slice(0, Math.floor(jpeg.length * 0.6));
      },
    }),
    expect: { status: 400, code: "unreadable_image" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "a decompression bomb: a 100-byte PNG of 50000 x 50000 pixels",
    request: uploadPhoto({ file: () => pngWithHeader(50_000, 50_000), filename: "bomb.png" }),
    expect: { status: 400, code: "image_too_large" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "a PNG whose data inflates to far more than its 100 x 100 header",
    request: uploadPhoto({
      file: async () =>
        pngWithHeader(100, 100, { colourType: 2, idat: await deflated(new Uint8Array(24 * 1024 * 1024)) }),
      filename: "bomb.png",
    }),
    expect: { status: 400, code: "unreadable_image" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "a PNG of one plain colour (readable, no face)",
    request: uploadPhoto({ file: () => encodePng(createRgbaImage(320, 240)), filename: "wall.png" }),
    expect: { status: 400, code: "no_face" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "a photo of a cat (no face)",
    request: uploadPhoto({ file: async () => (await noFace()).jpeg }),
    expect: { status: 400, code: "no_face" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "two children of the same size",
    request: uploadPhoto({ file: async () => (await twoFaces()).jpeg }),
    expect: { status: 400, code: "multiple_faces", message: "2 faces" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "a face of 4% of the photo on a plain wall",
    request: uploadPhoto({ file: async () => (await tinyFace()).jpeg }),
    expect: { status: 400, code: "face_too_small" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "a whole portrait where the face is 5% of it",
    request: uploadPhoto({ file: async () => (await uncroppedPortrait()).jpeg }),
    expect: { status: 400, code: "face_too_small" },
    changes: ONE_UPLOAD_ATTEMPT,
  },
  {
    endpoint: "upload-photo",
    description: "the 21st upload within an hour",
    request: uploadPhoto({ token: (world) => world.busy.accessToken }),
    expect: { status: 429, code: "rate_limited", header: "retry-after" },
  },
  {
    endpoint: "upload-photo",
    description: "GET instead of POST",
    request: functionCall("upload-photo", { method: "GET" }),
    expect: METHOD_NOT_ALLOWED,
  },
  {
    endpoint: "upload-photo",
    description: "a path below the function (upload-photo/extra)",
    request: uploadPhoto({ path: "upload-photo/extra" }),
    expect: { status: 404, code: "not_found" },
  },
];

// ---------------------------------------------------------------------------------------------------------
// previews (BRIEF §3 and the previews handler: zod names the field; another parent's preview is 404)
// ---------------------------------------------------------------------------------------------------------

/** [what is wrong, the fields replaced (undefined: removed), the field the message names]. */
const INVALID_PREVIEW_FIELDS: [string, Record<string, unknown>, string][] = [
  ["photo_id missing", { photo_id: undefined }, "photo_id: is required"],
  ["photo_id not a UUID", { photo_id: "photo-1" }, "photo_id:"],
  ["child_name missing", { child_name: undefined }, "child_name: is required"],
  ["child_name only spaces", { child_name: "   " }, "child_name:"],
  ["child_name of 41 letters", { child_name: `A${"a".repeat(40)}` }, "child_name:"],
  ["child_name starting with a digit", { child_name: "7even" }, "child_name:"],
  ["child_name with an emoji", { child_name: "Zoë 🦄" }, "child_name:"],
  ["child_name a number", { child_name: 42 }, "child_name:"],
  [
    "child_name the book's font cannot print (李小龍)",
    { child_name: "李小龍" },
    'cannot be printed in the book: "李"',
  ],
  ["child_age missing", { child_age: undefined }, "child_age: is required"],
  ["child_age 1 (below 2)", { child_age: 1 }, "child_age:"],
  ["child_age 13 (above 12)", { child_age: 13 }, "child_age:"],
  ["child_age 4.5", { child_age: 4.5 }, "child_age:"],
  ['child_age "5" (a string)', { child_age: "5" }, "child_age:"],
  ['pronouns "it"', { pronouns: "it" }, "pronouns:"],
  ["pronouns missing", { pronouns: undefined }, "pronouns: is required"],
  ['style "anime"', { style: "anime" }, "style:"],
  ["style null", { style: null }, "style:"],
  ["theme empty", { theme: "" }, "theme:"],
  ["theme of 65 characters", { theme: "t".repeat(65) }, "theme:"],
  ["dedication of 201 characters", { dedication: "x".repeat(201) }, "dedication:"],
  ["dedication a number", { dedication: 42 }, "dedication:"],
  [
    "dedication the book's font cannot print (Greek)",
    { dedication: "Για τη Ζωή" },
    'cannot be printed in the book: "ι"',
  ],
];

const previewsCases: BadInputCase[] = [
  ...COMMON_NOT_A_USER.map(({ what, token }): BadInputCase => ({
    endpoint: "previews",
    description: `POST with ${what}`,
    request: createPreview({ token }),
    expect: UNAUTHORIZED,
  })),
  {
    endpoint: "previews",
    description: "malformed JSON",
    request: createPreview({ body: () => '{"photo_id": ' }),
    expect: INVALID_REQUEST,
  },
  {
    endpoint: "previews",
    description: "a JSON array instead of an object",
    request: createPreview({ body: () => "[]" }),
    expect: { ...INVALID_REQUEST, message: "must be a JSON object" },
  },
  {
    endpoint: "previews",
    description: "JSON null",
    request: createPreview({ body: () => "null" }),
    expect: { ...INVALID_REQUEST, message: "must be a JSON object" },
  },
  {
    endpoint: "previews",
    description: "a form (application/x-www-form-urlencoded) instead of JSON",
    request: createPreview({
      body: (world) =>
        new URLSearchParams(previewFields(world.parent.photoId) as Record<string, string>).toString(),
      contentType: "application/x-www-form-urlencoded",
    }),
    expect: { status: 415, code: "unsupported_media_type" },
  },
  ...INVALID_PREVIEW_FIELDS.map(([what, fields, message]): BadInputCase => ({
    endpoint: "previews",
    description: what,
    request: createPreview({ fields }),
    expect: { ...INVALID_REQUEST, message },
  })),
  {
    endpoint: "previews",
    description: "a theme that does not exist",
    request: createPreview({ fields: { theme: "under_the_volcano" } }),
    expect: { status: 404, code: "theme_not_found" },
  },
  {
    endpoint: "previews",
    description: "a photo id that names no photo",
    request: createPreview({ fields: { photo_id: UNKNOWN_ID } }),
    expect: { status: 404, code: "photo_not_found" },
  },
  {
    endpoint: "previews",
    description: "another parent's photo",
    request: createPreview({ body: (world) => JSON.stringify(previewFields(world.other.photoId)) }),
    expect: { status: 404, code: "photo_not_found" },
  },
  {
    endpoint: "previews",
    description: "a fourth preview while three are being drawn",
    request: createPreview({
      token: (world) => world.busy.accessToken,
      body: (world) => JSON.stringify(previewFields(world.busy.photoId)),
    }),
    expect: { status: 429, code: "too_many_active_generations", header: "retry-after" },
  },
  {
    endpoint: "previews",
    description: "an unknown extra field, a typo of dedication",
    request: createPreview({
      token: (world) => world.newcomer.accessToken,
      body: (world) =>
        JSON.stringify({
          ...previewFields(world.newcomer.photoId, { dedication: undefined }),
          dedicaton: "For Zoë",
        }),
    }),
    expect: { status: 400, code: "invalid_request", message: "dedicaton" },
  },
  {
    endpoint: "previews",
    description: "a JSON body sent as text/plain",
    request: createPreview({ token: (world) => world.newcomer.accessToken, contentType: "text/plain" }),
    expect: { status: 415, code: "unsupported_media_type" },
  },
  {
    endpoint: "previews",
    description: "a body over 64 KB (refused before it is parsed)",
    request: createPreview({
      token: (world) => world.newcomer.accessToken,
      body: (world) =>
        JSON.stringify(previewFields(world.newcomer.photoId, { dedication: "x".repeat(70_000) })),
    }),
    expect: { status: 413, code: "payload_too_large" },
  },
  {
    endpoint: "previews",
    description: "GET previews (the collection is POST only)",
    request: functionCall("previews", { method: "GET" }),
    expect: METHOD_NOT_ALLOWED,
  },
  {
    endpoint: "previews",
    description: "GET of a preview that does not exist",
    request: functionCall(`previews/${UNKNOWN_ID}`, { method: "GET" }),
    expect: { status: 404, code: "preview_not_found" },
  },
  {
    endpoint: "previews",
    description: "GET of another parent's preview",
    request: functionCall((world) => `previews/${world.other.previewId}`, { method: "GET" }),
    expect: { status: 404, code: "preview_not_found" },
  },
  {
    endpoint: "previews",
    description: "GET of a preview id that is not a UUID",
    request: functionCall("previews/not-a-uuid", { method: "GET" }),
    expect: { status: 404, code: "preview_not_found" },
  },
  {
    endpoint: "previews",
    description: "GET status of another parent's preview",
    request: functionCall((world) => `previews/${world.other.previewId}/status`, { method: "GET" }),
    expect: { status: 404, code: "preview_not_found" },
  },
  {
    endpoint: "previews",
    description: "GET of the parent's own preview with no session",
    request: functionCall((world) => `previews/${world.parent.previewId}`, { method: "GET", token: null }),
    expect: UNAUTHORIZED,
  },
  {
    endpoint: "previews",
    description: "retry of a finished preview (nothing failed)",
    request: functionCall((world) => `previews/${world.parent.previewId}/retry`),
    expect: { status: 409, code: "nothing_to_retry" },
  },
  {
    endpoint: "previews",
    description: "retry of a failed preview that has used all its retries",
    request: functionCall((world) => `previews/${world.parent.exhaustedPreviewId}/retry`),
    expect: { status: 409, code: "retry_limit_reached" },
  },
  {
    endpoint: "previews",
    description: "retry of another parent's preview",
    request: functionCall((world) => `previews/${world.other.previewId}/retry`),
    expect: { status: 404, code: "preview_not_found" },
  },
  {
    endpoint: "previews",
    description: "POST to a preview (reading is GET)",
    request: functionCall((world) => `previews/${world.parent.previewId}`),
    expect: METHOD_NOT_ALLOWED,
  },
  {
    endpoint: "previews",
    description: "GET of retry (retrying is POST)",
    request: functionCall((world) => `previews/${world.parent.previewId}/retry`, { method: "GET" }),
    expect: METHOD_NOT_ALLOWED,
  },
  {
    endpoint: "previews",
    description: "DELETE of a preview",
    request: functionCall((world) => `previews/${world.parent.previewId}`, { method: "DELETE" }),
    expect: METHOD_NOT_ALLOWED,
  },
  {
    endpoint: "previews",
    description: "an action that does not exist (previews/{id}/cancel)",
    request: functionCall((world) => `previews/${world.parent.previewId}/cancel`),
    expect: { status: 404, code: "not_found" },
  },
];

// ---------------------------------------------------------------------------------------------------------
// shopify-webhooks (README "Purchase and delivery", "Answers": 401 records nothing; no usable preview:
// 200, recorded for an operator; a duplicate changes nothing)
// ---------------------------------------------------------------------------------------------------------

const shopifyCases: BadInputCase[] = [
  {
    endpoint: "shopify-webhooks",
    description: "orders/paid signed with another secret",
    request: shopifyDelivery("orders/paid", () => orderBody({ orderId: newOrderId() }), {
      secret: "shpss_not_ours",
    }),
    expect: { status: 401, code: "invalid_hmac" },
  },
  {
    endpoint: "shopify-webhooks",
    description: "orders/paid with no HMAC header",
    request: shopifyDelivery("orders/paid", () => orderBody({ orderId: newOrderId() }), { hmac: null }),
    expect: { status: 401, code: "invalid_hmac" },
  },
  {
    endpoint: "shopify-webhooks",
    description: "an HMAC header that is not base64",
    request: shopifyDelivery("orders/paid", () => orderBody({ orderId: newOrderId() }), {
      hmac: "not base64!",
    }),
    expect: { status: 401, code: "invalid_hmac" },
  },
  {
    endpoint: "shopify-webhooks",
    description: "a tampered body (another preview id than the one signed)",
    request: async (world) => {
      const orderId = newOrderId();
      return await shopifyDelivery(
        "orders/paid",
        () => orderBody({ orderId, previewId: world.other.previewId }),
        { signedBody: orderBody({ orderId, previewId: world.parent.previewId }) },
      )(world);
    },
    expect: { status: 401, code: "invalid_hmac" },
  },
  {
    endpoint: "shopify-webhooks",
    description: "a body over 2 MB",
    request: shopifyDelivery("orders/paid", () => `{"pad":"${"x".repeat(2 * 1024 * 1024)}"}`, { hmac: null }),
    expect: { status: 413, code: "payload_too_large" },
  },
  {
    endpoint: "shopify-webhooks",
    description: "a signed delivery with no X-Shopify-Topic",
    request: shopifyDelivery(null, () => orderBody({ orderId: newOrderId() })),
    expect: INVALID_REQUEST,
  },
  {
    endpoint: "shopify-webhooks",
    description: "a signed body that is not JSON (kept for an operator)",
    request: shopifyDelivery("orders/paid", () => '{"id": 1, '),
    expect: { status: 200, code: "unreadable" },
    changes: { "internal.shopify_events": 1 },
  },
  {
    endpoint: "shopify-webhooks",
    description: "a signed topic we never subscribed to (acknowledged, nothing kept)",
    request: shopifyDelivery("products/create", () => '{"id": 632910392}'),
    expect: { status: 200, code: "ignored" },
  },
  {
    endpoint: "shopify-webhooks",
    description: "a signed orders/paid without admin_graphql_api_id (kept for an operator)",
    request: shopifyDelivery("orders/paid", () => `{"id":${newOrderId()},"line_items":[]}`),
    expect: { status: 200, code: "unreadable" },
    changes: { "internal.shopify_events": 1 },
  },
  {
    endpoint: "shopify-webhooks",
    description: "a signed orders/cancelled without cancelled_at (kept for an operator)",
    request: shopifyDelivery("orders/cancelled", () => orderBody({ orderId: newOrderId() })),
    expect: { status: 200, code: "unreadable" },
    changes: { "internal.shopify_events": 1 },
  },
  {
    endpoint: "shopify-webhooks",
    description: "orders/paid with no preview id",
    request: shopifyDelivery("orders/paid", () => orderBody({ orderId: newOrderId(), previewId: null })),
    expect: { status: 200, code: "no_preview" },
    changes: RECORDED_FOR_AN_OPERATOR,
  },
  {
    endpoint: "shopify-webhooks",
    description: "orders/paid naming a preview that does not exist",
    request: shopifyDelivery(
      "orders/paid",
      () => orderBody({ orderId: newOrderId(), previewId: UNKNOWN_ID }),
    ),
    expect: { status: 200, code: "unknown_preview" },
    changes: RECORDED_FOR_AN_OPERATOR,
  },
  {
    endpoint: "shopify-webhooks",
    description: "orders/paid whose preview id is not a UUID",
    request: shopifyDelivery(
      "orders/paid",
      () => orderBody({ orderId: newOrderId(), previewId: "'; drop --" }),
    ),
    expect: { status: 200, code: "unknown_preview" },
    changes: RECORDED_FOR_AN_OPERATOR,
  },
  {
    endpoint: "shopify-webhooks",
    description: "a second order for a preview already bought",
    request: (world) =>
      shopifyDelivery(
        "orders/paid",
        () => orderBody({ orderId: newOrderId(), previewId: world.orders.ready.previewId }),
      )(world),
    expect: { status: 200, code: "already_bought" },
    changes: RECORDED_FOR_AN_OPERATOR,
  },
  {
    endpoint: "shopify-webhooks",
    description: "orders/paid of a bought order delivered again (a duplicate changes nothing)",
    request: (world) =>
      shopifyDelivery(
        "orders/paid",
        () =>
          orderBody({
            orderId: world.orders.ready.shopifyOrderId,
            previewId: world.orders.ready.previewId,
          }),
      )(world),
    expect: { status: 200, code: "duplicate" },
  },
  {
    endpoint: "shopify-webhooks",
    description: "customers/redact whose signed body names another shop than its header",
    request: shopifyDelivery(
      "customers/redact",
      () => '{"shop_id":954889,"shop_domain":"elsewhere.myshopify.com","customer":{"id":1}}',
    ),
    expect: { status: 401, code: "shop_mismatch" },
  },
  {
    endpoint: "shopify-webhooks",
    description: "GET instead of POST",
    request: functionCall("shopify-webhooks", { method: "GET", token: null }),
    expect: METHOD_NOT_ALLOWED,
  },
];

// ---------------------------------------------------------------------------------------------------------
// fal-webhook: without FAL_KEY (the offline default) every delivery is 503 before its signature is read, so
// the signature cases cannot be reached here (fal-webhook/handler_test.ts covers them with fal configured)
// ---------------------------------------------------------------------------------------------------------

const FAL_BODY = '{"request_id":"req-1","status":"OK","payload":{"images":[]}}';

const falCases: BadInputCase[] = [
  {
    endpoint: "fal-webhook",
    description: "an unsigned delivery (fal is not configured here)",
    request: functionCall("fal-webhook", { token: null, body: FAL_BODY }),
    expect: { status: 503, code: "fal_not_configured" },
  },
  {
    endpoint: "fal-webhook",
    description: "a made-up signature, an hour old (fal is not configured here)",
    request: functionCall("fal-webhook", {
      token: null,
      body: FAL_BODY,
      headers: () => ({
        "x-fal-webhook-request-id": "req-1",
        "x-fal-webhook-user-id": "user-1",
        "x-fal-webhook-timestamp": String(Math.floor(Date.now() / 1000) - 3600),
        "x-fal-webhook-signature": "ab".repeat(64),
      }),
    }),
    expect: { status: 503, code: "fal_not_configured" },
  },
  {
    endpoint: "fal-webhook",
    description: "GET instead of POST",
    request: functionCall("fal-webhook", { method: "GET", token: null }),
    expect: METHOD_NOT_ALLOWED,
  },
];

// ---------------------------------------------------------------------------------------------------------
// downloads (README endpoint table: 403 / 404 / 409 / 410; the downloads handler)
// ---------------------------------------------------------------------------------------------------------

const downloadCases: BadInputCase[] = [
  {
    endpoint: "downloads",
    description: "the genuine emailed link (control: the arrangement is sound)",
    request: download(readyOrder, { link: genuineLink }),
    expect: { status: 302, code: "redirect", header: "location" },
  },
  {
    endpoint: "downloads",
    description: "a forged token (the link's form, a wrong signature)",
    request: download(readyOrder, { link: () => Promise.resolve(`4102444800.${"A".repeat(43)}`) }),
    expect: { status: 403, code: "bad_token" },
  },
  {
    endpoint: "downloads",
    description: "a token not of the link's form",
    request: download(readyOrder, { link: () => Promise.resolve("let-me-in") }),
    expect: { status: 403, code: "bad_token" },
  },
  {
    endpoint: "downloads",
    description: "another order's genuine token",
    request: download(readyOrder, { link: (world) => signedLink(world, world.orders.othersReady) }),
    expect: { status: 403, code: "bad_token" },
  },
  {
    endpoint: "downloads",
    description: "a genuine token whose expiry has passed",
    request: download(readyOrder, { link: (world, orderId) => signedLink(world, orderId, -60) }),
    expect: { status: 410, code: "link_expired" },
  },
  {
    endpoint: "downloads",
    description: "a genuine token for an order that does not exist",
    request: download(() => UNKNOWN_ID, { link: genuineLink }),
    expect: { status: 404, code: "order_not_found" },
  },
  {
    endpoint: "downloads",
    description: "an order id that is not a UUID",
    request: download(() => "order-1", { token: parentToken }),
    expect: { status: 404, code: "order_not_found" },
  },
  {
    endpoint: "downloads",
    description: "another parent's order with the parent's session",
    request: download((world) => world.orders.othersReady, { token: parentToken }),
    expect: { status: 404, code: "order_not_found" },
  },
  {
    endpoint: "downloads",
    description: "a cancelled order's genuine link",
    request: download((world) => world.orders.cancelled, { link: genuineLink }),
    expect: { status: 410, code: "order_cancelled" },
  },
  {
    endpoint: "downloads",
    description: "a cancelled order with its owner's session",
    request: download((world) => world.orders.cancelled, { token: parentToken }),
    expect: { status: 410, code: "order_cancelled" },
  },
  {
    endpoint: "downloads",
    description: "the link of a book deleted after its keeping period",
    request: download((world) => world.orders.removed, { link: genuineLink }),
    expect: { status: 410, code: "book_removed" },
  },
  {
    endpoint: "downloads",
    description: "the link of a book still being made",
    request: download((world) => world.orders.notReady, { link: genuineLink }),
    expect: { status: 409, code: "book_not_ready", header: "retry-after" },
  },
  {
    endpoint: "downloads",
    description: "no token and no session",
    request: download(readyOrder, { token: null }),
    expect: UNAUTHORIZED,
  },
  ...[NOT_A_USER.anonKey, NOT_A_USER.expired].map(({ what, token }): BadInputCase => ({
    endpoint: "downloads",
    description: `no token, ${what}`,
    request: download(readyOrder, { token }),
    expect: UNAUTHORIZED,
  })),
  {
    endpoint: "downloads",
    description: "POST instead of GET",
    request: download(readyOrder, { link: genuineLink, method: "POST" }),
    expect: METHOD_NOT_ALLOWED,
  },
];

// ---------------------------------------------------------------------------------------------------------
// erase-data (a live session only: a signed-out token is refused although its signature is good)
// ---------------------------------------------------------------------------------------------------------

const eraseDataCases: BadInputCase[] = [
  ...[...COMMON_NOT_A_USER, NOT_A_USER.deletedUser].map(({ what, token }): BadInputCase => ({
    endpoint: "erase-data",
    description: what,
    request: functionCall("erase-data", { token }),
    expect: UNAUTHORIZED,
  })),
  {
    endpoint: "erase-data",
    description: "a token whose session was signed out",
    request: functionCall("erase-data", { token: (world) => world.signedOutToken }),
    expect: UNAUTHORIZED,
  },
  {
    endpoint: "erase-data",
    description: "GET instead of POST",
    request: functionCall("erase-data", { method: "GET" }),
    expect: METHOD_NOT_ALLOWED,
  },
];

export const BAD_INPUT_CATALOGUE: readonly BadInputCase[] = [
  ...uploadPhotoCases,
  ...previewsCases,
  ...shopifyCases,
  ...falCases,
  ...downloadCases,
  ...eraseDataCases,
];

// ---------------------------------------------------------------------------------------------------------
// Request builders
// ---------------------------------------------------------------------------------------------------------

interface CallOptions {
  method?: string;
  /** Default: the main parent's session. */
  token?: Token;
  body?: BodyInit | null;
  headers?: (world: World) => Record<string, string>;
}

/** A request to `/functions/v1/<path>`, with the anon key as `apikey` as supabase-js sends it. */
function functionCall(
  path: string | ((world: World) => string),
  { method = "POST", token = parentToken, body = null, headers = () => ({}) }: CallOptions = {},
): RequestBuilder {
  return (world) => {
    const bearer = typeof token === "function" ? token(world) : token;
    return new Request(`${world.url}/functions/v1/${typeof path === "function" ? path(world) : path}`, {
      method,
      headers: {
        apikey: world.anonKey,
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...headers(world),
      },
      body,
    });
  };
}

function parentToken(world: World): string {
  return world.parent.accessToken;
}

/** POST upload-photo with a multipart body holding `file` (default: a photo of one child) in `field`. */
function uploadPhoto(options: {
  token?: Token;
  file?: () => Uint8Array | Promise<Uint8Array>;
  field?: string;
  filename?: string;
  path?: string;
}): RequestBuilder {
  return async (world) => {
    const bytes = options.file ? await options.file() : (await oneFace()).jpeg;
    const form = new FormData();
    form.append(options.field ?? "file", new File([bytes.slice()], options.filename ?? "photo.jpg"));
    return functionCall(options.path ?? "upload-photo", { token: options.token, body: form })(world);
  };
}

/** POST upload-photo as the parent with a body other than a photo form, built anew for each request. */
function uploadBody(body: () => BodyInit | null, contentType?: string): RequestBuilder {
  return (world) =>
    functionCall("upload-photo", {
      body: body(),
      headers: (): Record<string, string> => contentType ? { "content-type": contentType } : {},
    })(world);
}

/** A valid POST previews body for `photoId`, with `fields` replacing (or, as undefined, removing) fields. */
function previewFields(photoId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    photo_id: photoId,
    child_name: "Zoë",
    child_age: 5,
    pronouns: "she",
    theme: "enchanted_forest",
    style: "cartoon_3d",
    dedication: "For Zoë, who is brave",
    ...fields,
  };
  for (const [name, value] of Object.entries(body)) if (value === undefined) delete body[name];
  return body;
}

/** POST previews: by default as the parent, of the parent's photo, with `fields` changed. */
function createPreview(options: {
  token?: Token;
  fields?: Record<string, unknown>;
  body?: (world: World) => string;
  contentType?: string;
}): RequestBuilder {
  return (world) =>
    functionCall("previews", {
      token: options.token,
      body: options.body?.(world) ?? JSON.stringify(previewFields(world.parent.photoId, options.fields)),
      headers: () => ({ "content-type": options.contentType ?? "application/json" }),
    })(world);
}

/** A Shopify delivery, signed over `signedBody` (default: the body) with our secret, unless `hmac` is set. */
function shopifyDelivery(
  topic: string | null,
  body: () => string,
  options: { hmac?: string | null; signedBody?: string; secret?: string } = {},
): RequestBuilder {
  return (world) =>
    signedShopifyDelivery(`${world.url}/functions/v1/shopify-webhooks`, body(), {
      topic,
      secret: options.secret ?? world.shopifySecret,
      signedBody: options.signedBody,
      omitHmac: options.hmac === null,
      hmac: options.hmac ?? undefined,
    });
}

/** Order ids above 2^53 that no arranged order uses, one per case that needs a new order. */
let nextOrderId = 2_000_000_000_000_000_001n;

function newOrderId(): string {
  return String(nextOrderId++);
}

/** GET downloads/{order}: with `?token=` from `link`, else with `token` as the session (default: none). */
function download(
  order: (world: World) => string,
  access: { link?: (world: World, orderId: string) => Promise<string>; token?: Token; method?: string },
): RequestBuilder {
  return async (world) => {
    const orderId = order(world);
    const query = access.link ? `?token=${encodeURIComponent(await access.link(world, orderId))}` : "";
    return functionCall(`downloads/${orderId}${query}`, {
      method: access.method ?? "GET",
      token: access.token ?? null,
    })(world);
  };
}

function readyOrder(world: World): string {
  return world.orders.ready.id;
}

/** A download token as the book-ready email carries it, signed with the platform's DOWNLOAD_TOKEN_SECRET. */
async function signedLink(world: World, orderId: string, expiresInSeconds = 3600): Promise<string> {
  return await world.links.sign(orderId, new Date(Date.now() + expiresInSeconds * 1000));
}

function genuineLink(world: World, orderId: string): Promise<string> {
  return signedLink(world, orderId);
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** `count` chunks of `size` zero bytes, as a stream: a body sent without a Content-Length. */
function zeroChunks(count: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ === count) controller.close();
      else controller.enqueue(new Uint8Array(size));
    },
  });
}
