/**
 * A stand-in for fal's queue (queue.fal.run), its webhooks and its CDN, for tests. It is not fal: it follows
 * fal's documented queue and webhook contract closely enough that the real `@fal-ai/client` and the product's
 * webhook receiver cannot tell the difference, and it can be told to misbehave (see Fault).
 *
 * Tests point the real client at it through the client's documented proxy,
 * `createFalClient({ credentials, proxyUrl: { url: fake.proxyUrl, when: "always" } })`: every request then
 * arrives at /proxy with the real fal URL in `x-fal-target-url`, and the fake answers with the same
 * real-looking https://queue.fal.run/... URLs that fal answers with. Input images are fetched for real, as
 * fal fetches them; output images are gradient JPEGs the fake serves itself under /files/ in place of fal's
 * CDN. Faults are planned per submit (plan) or given to a random fraction of submits (randomFaults).
 *
 * Only the endpoints the product calls are known: fal-ai/nano-banana-2/edit, fal-ai/flux-pulid,
 * fal-ai/aura-sr and fal-ai/seedvr/upscale/image (input and output shapes as typed in @fal-ai/client's
 * endpoints.d.ts).
 */
import { readImageHeader } from "../../../supabase/functions/_shared/images/image_header.ts";
import { encodeJpeg } from "../../../supabase/functions/_shared/images/jpeg_encoder.ts";
import { createRgbaImage } from "../../../supabase/functions/_shared/images/raster.ts";
import { createWebhookSigner, type WebhookSigner } from "./webhook_signer.ts";

export interface FakeFalOptions {
  /** Expected `Authorization: Key <credentials>`; anything else → 401 JSON {detail}. */
  credentials: string;
  /** Delay between submit and completion (default 20 ms): half of it queued, half running. */
  runMs?: number;
  /** fal's user id, sent as X-Fal-Webhook-User-Id. */
  userId?: string;
  /** Faults on a random fraction of submits (fault suites); a planned fault still comes first. */
  randomFaults?: RandomFaults;
  log?: (line: string) => void;
}

export interface RandomFaults {
  /** The chance, from 0 to 1, that a submit with no planned fault is given one. */
  rate: number;
  /** The faults to choose from, each as likely as the others. */
  faults: Fault[];
  /** A number in [0, 1); a seeded one makes the sequence of draws repeatable. Default Math.random. */
  random?: () => number;
}

export interface ImageFetchRecord {
  /** The input field, e.g. "image_urls[1]" or "image_url". */
  field: string;
  url: string;
  ok: boolean;
  /** The HTTP status, when the server answered at all. */
  status?: number;
  error?: string;
}

export interface SubmitRecord {
  endpoint: string;
  /** The parsed JSON body (undefined when there was none or it was not JSON). */
  input: unknown;
  /** Every request header, names in lower case. */
  headers: Record<string, string>;
  webhookUrl: string | null;
  /** The HTTP status the submit was answered with; null while a `hang` fault holds it. */
  status: number | null;
  /** The queued request's id; null when the submit was refused. */
  requestId: string | null;
  /** The fault this submit was given, planned or random; null when it was answered on its merits. */
  fault: Fault | null;
  /** Filled in while the request runs: each input image URL and whether it could be fetched. */
  imageFetches: ImageFetchRecord[];
  /** performance.now() when the request was queued; null when the submit was refused. */
  queuedAt: number | null;
  /** performance.now() when the request finished (its webhook not yet sent); null until then. */
  finishedAt: number | null;
}

export interface DeliveryRecord {
  requestId: string;
  url: string;
  /** 1 for the first attempt of a delivery, 2 and 3 for its retries; redeliveries are always 1. */
  attempt: number;
  /** The receiver's status; null when no answer came (see error). */
  status: number | null;
  error?: string;
  /** The raw body sent (tampered with, if it was). */
  body: string;
}

export type Fault =
  | { kind: "rate_limited"; retryAfterSeconds: number }
  | { kind: "server_error"; status: 500 | 502 | 503 }
  | { kind: "hang" }
  | { kind: "error_result"; status: number; detail: unknown }
  | { kind: "content_refused" }
  | { kind: "drop_webhook" }
  | { kind: "duplicate_webhook"; times: number };

export interface WebhookTamper {
  /** Added to the current time before signing: the signature is valid, the timestamp is stale or early. */
  timestampOffsetSeconds?: number;
  /** Signed with a key that is not in the JWKS. */
  unknownKey?: boolean;
  /** One byte of the body changed after signing (the JSON stays valid). */
  flipBodyByte?: boolean;
  /** A well-formed hex signature that does not match. */
  badSignatureHex?: boolean;
}

export interface SignedWebhook {
  url: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
}

export interface FakeFal {
  /** http://127.0.0.1:<port>/proxy */
  proxyUrl: string;
  /** http://127.0.0.1:<port>/.well-known/jwks.json: the fake's own Ed25519 public key (kty OKP). */
  jwksUrl: string;
  /** Every submit received (also refused ones), in order. */
  submits: SubmitRecord[];
  /** Every webhook delivery attempt, in the order they were answered. */
  deliveries: DeliveryRecord[];
  /** Queues the behaviour of the next submit to an endpoint matching `endpoint` (exact id or "*"). FIFO. */
  plan(endpoint: string, fault: Fault): void;
  /** A signed webhook for a finished request, not sent, optionally corrupted, for a test to POST itself. */
  signedWebhook(requestId: string, tamper?: WebhookTamper): Promise<SignedWebhook>;
  /** Delivers a finished request's webhook again, `times` copies at once; the statuses (0: no answer). */
  redeliver(requestId: string, times: number): Promise<number[]>;
  /** Resolves when the request has finished and its webhook (if any) has been delivered or dropped. */
  settled(requestId: string): Promise<void>;
  close(): Promise<void>;
}

const QUEUE_HOST = "queue.fal.run";
const JWKS_PATH = "/.well-known/jwks.json";
const DELIVERY_ATTEMPTS = 3;
const DELIVERY_RETRY_MS = 50;
/** fal gives a receiver about 15 s; a fake receiver that takes longer is a broken test. */
const DELIVERY_TIMEOUT_MS = 15_000;
const ERRORS_DOC = "https://docs.fal.ai/errors";

/** fal's documented request-error types for the statuses a `server_error` fault can take. */
const SERVER_ERROR_TYPES: Record<500 | 502 | 503, string> = {
  500: "runner_server_error",
  502: "runner_incomplete_response",
  503: "runner_scheduling_failure",
};

type FieldPath = (string | number)[];

type Input = Record<string, unknown>;

interface FieldError {
  loc: FieldPath;
  msg: string;
  type: string;
  [extra: string]: unknown;
}

/** An input the fake refuses while running (the request then ends in ERROR), as fal refuses it. */
class RunError extends Error {
  constructor(readonly status: number, readonly detail: FieldError[]) {
    super(detail.map((item) => item.msg).join("; "));
  }
}

interface ImageFile {
  url: string;
  content_type: "image/jpeg";
  file_name: string;
  file_size: number;
  width: number;
  height: number;
}

interface InputImage {
  loc: FieldPath;
  url: string;
  bytes: Uint8Array;
}

interface RenderContext {
  input: Input;
  images: InputImage[];
  seconds: number;
  publish(width: number, height: number): ImageFile;
}

interface EndpointSpec {
  validate(input: Input): FieldError[];
  /** The inputs fal would download before running; only called on validated input. */
  imageInputs(input: Input): { loc: FieldPath; url: string }[];
  render(context: RenderContext): unknown;
}

function missing(field: string): FieldError {
  return { loc: ["body", field], msg: "Field required", type: "missing" };
}

function requireString(input: Input, field: string): FieldError[] {
  if (!(field in input)) return [missing(field)];
  if (typeof input[field] === "string") return [];
  return [{ loc: ["body", field], msg: "Input should be a valid string", type: "string_type" }];
}

function requireStringList(input: Input, field: string, min: number, max: number): FieldError[] {
  if (!(field in input)) return [missing(field)];
  const value = input[field];
  if (!Array.isArray(value)) {
    return [{ loc: ["body", field], msg: "Input should be a valid list", type: "list_type" }];
  }
  if (value.length < min) {
    const msg = `List should have at least ${min} item after validation, not ${value.length}`;
    return [{ loc: ["body", field], msg, type: "too_short" }];
  }
  if (value.length > max) {
    const msg = `List should have at most ${max} items after validation, not ${value.length}`;
    return [{ loc: ["body", field], msg, type: "too_long" }];
  }
  return value.flatMap((item, index) =>
    typeof item === "string"
      ? []
      : [{ loc: ["body", field, index], msg: "Input should be a valid string", type: "string_type" }]
  );
}

function optionalLiteral(input: Input, field: string, allowed: readonly string[]): FieldError[] {
  if (input[field] === undefined || allowed.includes(input[field] as string)) return [];
  const msg = `Input should be ${allowed.map((value) => `'${value}'`).join(", ")}`;
  return [{ loc: ["body", field], msg, type: "literal_error", input: input[field] }];
}

function optionalPositiveNumber(input: Input, field: string): FieldError[] {
  const value = input[field];
  if (value === undefined || (typeof value === "number" && value > 0)) return [];
  return [{
    loc: ["body", field],
    msg: "Input should be greater than 0",
    type: "greater_than",
    input: value,
  }];
}

const seedOf = (input: Input) =>
  typeof input.seed === "number" ? input.seed : Math.floor(Math.random() * 2 ** 31);

const NANO_BANANA_SIDES: Record<string, number> = { "0.5K": 512, "1K": 1024, "2K": 2048, "4K": 4096 };

const FLUX_IMAGE_SIZES: Record<string, [number, number]> = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
};

const SEEDVR_TARGETS: Record<string, number> = { "720p": 720, "1080p": 1080, "1440p": 1440, "2160p": 2160 };

function validateFluxImageSize(input: Input): FieldError[] {
  const size = input.image_size;
  if (typeof size !== "object" || size === null) {
    return optionalLiteral(input, "image_size", Object.keys(FLUX_IMAGE_SIZES));
  }
  const { width, height } = size as Record<string, unknown>;
  const positive = (side: unknown) => Number.isInteger(side) && (side as number) > 0;
  if (positive(width) && positive(height)) return [];
  const msg = "width and height should be positive integers";
  return [{ loc: ["body", "image_size"], msg, type: "value_error" }];
}

function fluxSize(input: Input): [number, number] {
  const size = input.image_size ?? "landscape_4_3";
  if (typeof size === "string") return FLUX_IMAGE_SIZES[size];
  const { width, height } = size as { width: number; height: number };
  return [width, height];
}

/** The input's pixel size from its header, as an upscaler must know it before it can scale. */
function inputSize(image: InputImage): { width: number; height: number } {
  try {
    return readImageHeader(image.bytes);
  } catch (error) {
    throw new RunError(422, [{
      loc: ["body", ...image.loc],
      msg: `Could not load the image: ${(error as Error).message}`,
      type: "image_load_error",
      url: `${ERRORS_DOC}#image_load_error`,
      input: image.url,
    }]);
  }
}

const singleImageInput = (input: Input) => [{ loc: ["image_url"], url: input.image_url as string }];

const ENDPOINTS: Record<string, EndpointSpec> = {
  "fal-ai/nano-banana-2/edit": {
    validate: (input) => [
      ...requireString(input, "prompt"),
      ...requireStringList(input, "image_urls", 1, 14),
      ...optionalLiteral(input, "resolution", Object.keys(NANO_BANANA_SIDES)),
    ],
    imageInputs: (input) =>
      (input.image_urls as string[]).map((url, index) => ({ loc: ["image_urls", index], url })),
    render({ input, publish }) {
      const side = NANO_BANANA_SIDES[(input.resolution as string | undefined) ?? "1K"];
      const count = typeof input.num_images === "number" ? input.num_images : 1;
      return { images: Array.from({ length: count }, () => publish(side, side)), description: "" };
    },
  },
  "fal-ai/flux-pulid": {
    validate: (input) => [
      ...requireString(input, "prompt"),
      ...requireString(input, "reference_image_url"),
      ...validateFluxImageSize(input),
    ],
    imageInputs: (input) => [{ loc: ["reference_image_url"], url: input.reference_image_url as string }],
    render({ input, publish, seconds }) {
      const [width, height] = fluxSize(input);
      return {
        images: [publish(width, height)],
        seed: seedOf(input),
        prompt: input.prompt,
        has_nsfw_concepts: [false],
        timings: { inference: seconds },
      };
    },
  },
  "fal-ai/aura-sr": {
    validate: (input) => [
      ...requireString(input, "image_url"),
      ...optionalPositiveNumber(input, "upscale_factor"),
    ],
    imageInputs: singleImageInput,
    render({ input, images, publish, seconds }) {
      const factor = (input.upscale_factor as number | undefined) ?? 4;
      const { width, height } = inputSize(images[0]);
      return {
        image: publish(Math.round(width * factor), Math.round(height * factor)),
        timings: { inference: seconds },
      };
    },
  },
  "fal-ai/seedvr/upscale/image": {
    validate: (input) => [
      ...requireString(input, "image_url"),
      ...optionalLiteral(input, "upscale_mode", ["target", "factor"]),
      ...optionalLiteral(input, "target_resolution", Object.keys(SEEDVR_TARGETS)),
      ...optionalPositiveNumber(input, "upscale_factor"),
    ],
    imageInputs: singleImageInput,
    render({ input, images, publish }) {
      const { width, height } = inputSize(images[0]);
      const factor = input.upscale_mode === "target"
        ? SEEDVR_TARGETS[(input.target_resolution as string | undefined) ?? "1080p"] / Math.min(width, height)
        : (input.upscale_factor as number | undefined) ?? 2;
      return { image: publish(Math.round(width * factor), Math.round(height * factor)), seed: seedOf(input) };
    },
  },
};

/** Encoded JPEGs by size, shared by every fake in the process: a 4096² encode is worth doing once. */
const jpegCache = new Map<string, Uint8Array>();

function gradientJpeg(width: number, height: number): Uint8Array {
  const key = `${width}x${height}`;
  const cached = jpegCache.get(key);
  if (cached) return cached;
  const image = createRgbaImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 4;
      image.data[offset] = Math.floor((x * 255) / width);
      image.data[offset + 1] = Math.floor((y * 255) / height);
      image.data[offset + 2] = 160;
      image.data[offset + 3] = 255;
    }
  }
  const bytes = encodeJpeg(image);
  jpegCache.set(key, bytes);
  return bytes;
}

type Outcome =
  | { kind: "ok"; payload: unknown }
  | { kind: "error"; status: number; detail: unknown }
  | { kind: "cancelled" };

interface QueuedRequest {
  id: string;
  endpoint: string;
  spec: EndpointSpec;
  input: Input;
  webhookUrl: string | null;
  fault: Fault | undefined;
  record: SubmitRecord;
  state: "IN_QUEUE" | "IN_PROGRESS" | "COMPLETED";
  inferenceSeconds: number;
  outcome?: Outcome;
  cancel: AbortController;
  settled: PromiseWithResolvers<void>;
}

/** fal's status, result and cancel URLs carry only owner/alias; the endpoint's sub-path is dropped. */
const appPathOf = (endpoint: string) => endpoint.split("/").slice(0, 2).join("/");

function queueUrls(request: QueuedRequest) {
  const responseUrl = `https://${QUEUE_HOST}/${appPathOf(request.endpoint)}/requests/${request.id}`;
  return {
    response_url: responseUrl,
    status_url: `${responseUrl}/status`,
    cancel_url: `${responseUrl}/cancel`,
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (the timer is cleared). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

const fieldName = (loc: FieldPath) => loc.length > 1 ? `${loc[0]}[${loc[1]}]` : String(loc[0]);

export async function startFakeFal(options: FakeFalOptions): Promise<FakeFal> {
  const runMs = options.runMs ?? 20;
  const randomFaults = options.randomFaults;
  if (
    randomFaults && (!(randomFaults.rate >= 0 && randomFaults.rate <= 1) || randomFaults.faults.length === 0)
  ) {
    throw new Error("randomFaults needs a rate from 0 to 1 and at least one fault");
  }
  const userId = options.userId ?? "fake-fal-user";
  const log = options.log ?? (() => {});
  const signer = await createWebhookSigner(crypto.randomUUID());
  let strangerSigner: WebhookSigner | undefined;
  const lifetime = new AbortController();
  const submits: SubmitRecord[] = [];
  const deliveries: DeliveryRecord[] = [];
  const plans: { endpoint: string; fault: Fault }[] = [];
  const requests = new Map<string, QueuedRequest>();
  const runs = new Set<Promise<void>>();
  const files = new Map<string, Uint8Array>();
  let origin = "";

  const authorized = (request: Request) =>
    request.headers.get("authorization") === `Key ${options.credentials}`;
  const unauthorized = () =>
    json(401, { detail: "Invalid or missing credentials in the Authorization header" });

  function takePlan(endpoint: string): Fault | undefined {
    const index = plans.findIndex((plan) => plan.endpoint === endpoint || plan.endpoint === "*");
    return index === -1 ? undefined : plans.splice(index, 1)[0].fault;
  }

  /** Two draws per submit when a fault is given (whether, then which), one when not. */
  function drawFault(): Fault | undefined {
    if (!randomFaults) return undefined;
    const random = randomFaults.random ?? Math.random;
    if (random() >= randomFaults.rate) return undefined;
    const { faults } = randomFaults;
    return faults[Math.min(faults.length - 1, Math.floor(random() * faults.length))];
  }

  function publish(width: number, height: number): ImageFile {
    const bytes = gradientJpeg(width, height);
    const id = crypto.randomUUID();
    files.set(id, bytes);
    return {
      url: `${origin}/files/${id}.jpg`,
      content_type: "image/jpeg",
      file_name: `${id}.jpg`,
      file_size: bytes.length,
      width,
      height,
    };
  }

  /** Downloads every input image as fal does before running; any failure ends the request in ERROR (422). */
  async function fetchInputImages(request: QueuedRequest, signal: AbortSignal): Promise<InputImage[]> {
    const wanted = request.spec.imageInputs(request.input);
    const fetched = await Promise.all(wanted.map(async ({ loc, url }) => {
      const record: ImageFetchRecord = { field: fieldName(loc), url, ok: false };
      request.record.imageFetches.push(record);
      try {
        const response = await fetch(url, { signal });
        record.status = response.status;
        if (!response.ok) {
          await response.body?.cancel();
          return null;
        }
        const bytes = new Uint8Array(await response.arrayBuffer());
        record.ok = true;
        return { loc, url, bytes };
      } catch (error) {
        if (signal.aborted) throw error;
        record.error = String(error);
        return null;
      }
    }));
    const failures = wanted.filter((_, index) => fetched[index] === null);
    if (failures.length > 0) {
      throw new RunError(
        422,
        failures.map(({ loc, url }) => ({
          loc: ["body", ...loc],
          msg: "Failed to download the file. Please check if the file is accessible.",
          type: "file_download_error",
          url: `${ERRORS_DOC}#file_download_error`,
          input: url,
        })),
      );
    }
    return fetched as InputImage[];
  }

  function produce(request: QueuedRequest, images: InputImage[], seconds: number): Outcome {
    const fault = request.fault;
    if (fault?.kind === "error_result") return { kind: "error", status: fault.status, detail: fault.detail };
    if (fault?.kind === "content_refused") {
      return {
        kind: "error",
        status: 422,
        detail: [{
          loc: ["body", "prompt"],
          msg: "The content could not be processed because it was flagged by a content checker.",
          type: "content_policy_violation",
          url: `${ERRORS_DOC}#content_policy_violation`,
          input: request.input.prompt ?? null,
        }],
      };
    }
    const payload = request.spec.render({ input: request.input, images, seconds, publish });
    return { kind: "ok", payload };
  }

  /** Half of runMs waiting in the queue, then the input downloads and the other half running. */
  async function run(request: QueuedRequest): Promise<void> {
    const signal = AbortSignal.any([lifetime.signal, request.cancel.signal]);
    let started = performance.now();
    try {
      await sleep(runMs / 2, signal);
      request.state = "IN_PROGRESS";
      started = performance.now();
      const images = await fetchInputImages(request, signal);
      await sleep(runMs / 2, signal);
      request.outcome = produce(request, images, (performance.now() - started) / 1000);
    } catch (error) {
      if (signal.aborted) {
        request.outcome = { kind: "cancelled" };
      } else if (error instanceof RunError) {
        request.outcome = { kind: "error", status: error.status, detail: error.detail };
      } else {
        const msg = String(error);
        request.outcome = {
          kind: "error",
          status: 500,
          detail: [{ loc: ["body"], msg, type: "internal_server_error" }],
        };
      }
    }
    request.inferenceSeconds = (performance.now() - started) / 1000;
    request.state = "COMPLETED";
    request.record.finishedAt = performance.now();
    log(`fake fal: ${request.id} (${request.endpoint}) finished: ${request.outcome.kind}`);
    if (
      request.outcome.kind !== "cancelled" && request.webhookUrl && request.fault?.kind !== "drop_webhook"
    ) {
      const copies = request.fault?.kind === "duplicate_webhook" ? request.fault.times : 1;
      await Promise.all(Array.from({ length: copies }, () => deliverWithRetries(request)));
    }
    request.settled.resolve();
  }

  function webhookBody(request: QueuedRequest): unknown {
    const outcome = request.outcome;
    const ids = { request_id: request.id, gateway_request_id: request.id };
    if (outcome?.kind === "ok") return { ...ids, status: "OK", payload: outcome.payload };
    if (outcome?.kind === "error") {
      return {
        ...ids,
        status: "ERROR",
        error: `Invalid status code: ${outcome.status}`,
        payload: { detail: outcome.detail },
      };
    }
    throw new Error(`request ${request.id} has no webhook to send (${outcome?.kind ?? "still running"})`);
  }

  async function buildWebhook(request: QueuedRequest, tamper: WebhookTamper = {}): Promise<SignedWebhook> {
    if (!request.webhookUrl) throw new Error(`request ${request.id} was submitted without a webhook URL`);
    const text = JSON.stringify(webhookBody(request));
    const body = new TextEncoder().encode(text);
    const timestamp = Math.floor(Date.now() / 1000) + (tamper.timestampOffsetSeconds ?? 0);
    if (tamper.unknownKey) strangerSigner ??= await createWebhookSigner("not-in-the-jwks");
    const key = tamper.unknownKey ? strangerSigner! : signer;
    let signature = await key.sign({ requestId: request.id, userId, timestamp, body });
    if (tamper.badSignatureHex) {
      signature = (signature[0] === "0" ? "1" : "0") + signature.slice(1);
    }
    if (tamper.flipBodyByte) {
      // The request id's last character, inside a JSON string: the body changes, the JSON stays parseable.
      const index = text.indexOf(`"request_id":"${request.id}"`) + `"request_id":"${request.id}`.length - 1;
      body[index] ^= 0x01;
    }
    const headers = new Headers({
      "content-type": "application/json",
      "x-fal-webhook-request-id": request.id,
      "x-fal-webhook-user-id": userId,
      "x-fal-webhook-timestamp": String(timestamp),
      "x-fal-webhook-signature": signature,
    });
    return { url: request.webhookUrl, headers, body };
  }

  async function deliverOnce(request: QueuedRequest, webhook: SignedWebhook, attempt: number) {
    const record: DeliveryRecord = {
      requestId: request.id,
      url: webhook.url,
      attempt,
      status: null,
      body: new TextDecoder().decode(webhook.body),
    };
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new Error("the receiver did not answer in time")),
      DELIVERY_TIMEOUT_MS,
    );
    try {
      const response = await fetch(webhook.url, {
        method: "POST",
        headers: webhook.headers,
        body: webhook.body,
        signal: AbortSignal.any([lifetime.signal, timeout.signal]),
      });
      await response.body?.cancel();
      record.status = response.status;
    } catch (error) {
      record.error = String(error);
    } finally {
      clearTimeout(timer);
    }
    deliveries.push(record);
    log(`fake fal: webhook for ${request.id} attempt ${attempt} → ${record.status ?? record.error}`);
    return record.status;
  }

  /** fal retries a delivery the receiver did not accept; the fake does so a few times, quickly. */
  async function deliverWithRetries(request: QueuedRequest): Promise<void> {
    const webhook = await buildWebhook(request);
    for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt++) {
      const status = await deliverOnce(request, webhook, attempt);
      if (status !== null && status >= 200 && status < 300) return;
      if (attempt === DELIVERY_ATTEMPTS) return;
      try {
        await sleep(DELIVERY_RETRY_MS, lifetime.signal);
      } catch {
        return;
      }
    }
  }

  function enqueue(endpoint: string, spec: EndpointSpec, input: Input, record: SubmitRecord, fault?: Fault) {
    const request: QueuedRequest = {
      id: crypto.randomUUID(),
      endpoint,
      spec,
      input,
      webhookUrl: record.webhookUrl,
      fault,
      record,
      state: "IN_QUEUE",
      inferenceSeconds: 0,
      cancel: new AbortController(),
      settled: Promise.withResolvers<void>(),
    };
    requests.set(request.id, request);
    record.requestId = request.id;
    record.queuedAt = performance.now();
    const running = run(request);
    runs.add(running);
    running.finally(() => runs.delete(running));
    return request;
  }

  async function answerSubmit(request: Request, record: SubmitRecord, bodyText: string): Promise<Response> {
    if (!authorized(request)) return unauthorized();
    const spec = ENDPOINTS[record.endpoint];
    if (!spec) return json(404, { detail: `Application '${record.endpoint}' not found` });
    const fault = takePlan(record.endpoint) ?? drawFault();
    record.fault = fault ?? null;
    if (fault?.kind === "rate_limited") {
      return json(429, { detail: "Too many requests" }, { "retry-after": String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === "server_error") {
      const errorType = SERVER_ERROR_TYPES[fault.status];
      return json(fault.status, { detail: "The request failed", error_type: errorType }, {
        "x-fal-error-type": errorType,
      });
    }
    if (fault?.kind === "hang") {
      await untilAborted(lifetime.signal);
      return json(503, { detail: "The fake fal server closed", error_type: "runner_connection_error" });
    }
    const input = bodyText === "" ? {} : record.input;
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      const msg = "Input should be a valid JSON object";
      return json(422, { detail: [{ loc: ["body"], msg, type: "model_attributes_type" }] });
    }
    const errors = spec.validate(input as Input);
    if (errors.length > 0) return json(422, { detail: errors });
    const queued = enqueue(record.endpoint, spec, input as Input, record, fault);
    log(`fake fal: ${queued.id} queued for ${record.endpoint}`);
    return json(200, {
      status: "IN_QUEUE",
      request_id: queued.id,
      gateway_request_id: queued.id,
      ...queueUrls(queued),
      queue_position: 0,
    }, { "x-fal-request-id": queued.id });
  }

  async function submit(request: Request, target: URL): Promise<Response> {
    const bodyText = await request.text();
    let input: unknown;
    try {
      input = bodyText === "" ? undefined : JSON.parse(bodyText);
    } catch {
      input = undefined;
    }
    const record: SubmitRecord = {
      endpoint: target.pathname.replace(/^\/+|\/+$/g, ""),
      input,
      headers: Object.fromEntries(request.headers),
      webhookUrl: target.searchParams.get("fal_webhook"),
      status: null,
      requestId: null,
      fault: null,
      imageFetches: [],
      queuedAt: null,
      finishedAt: null,
    };
    submits.push(record);
    const response = await answerSubmit(request, record, bodyText);
    record.status = response.status;
    return response;
  }

  function status(queued: QueuedRequest): Response {
    const common = { request_id: queued.id, ...queueUrls(queued) };
    const headers = { "x-fal-request-id": queued.id };
    if (queued.state === "IN_QUEUE") {
      return json(200, { status: "IN_QUEUE", ...common, queue_position: 0 }, headers);
    }
    if (queued.state === "IN_PROGRESS") {
      return json(200, { status: "IN_PROGRESS", ...common, logs: [] }, headers);
    }
    const metrics = { inference_time: queued.inferenceSeconds };
    return json(200, { status: "COMPLETED", ...common, logs: [], metrics }, headers);
  }

  function result(queued: QueuedRequest): Response {
    const headers = { "x-fal-request-id": queued.id };
    const outcome = queued.outcome;
    if (queued.state !== "COMPLETED" || !outcome) {
      return json(400, { detail: "Request is still in progress" }, headers);
    }
    if (outcome.kind === "ok") return json(200, outcome.payload, headers);
    if (outcome.kind === "error") return json(outcome.status, { detail: outcome.detail }, headers);
    return json(499, { detail: "The request was cancelled", error_type: "client_cancelled" }, headers);
  }

  function cancel(queued: QueuedRequest): Response {
    if (queued.state === "COMPLETED") return json(400, { status: "ALREADY_COMPLETED" });
    queued.cancel.abort(new Error("cancelled through the queue API"));
    return json(202, { status: "CANCELLATION_REQUESTED" });
  }

  async function proxied(request: Request): Promise<Response> {
    const targetHeader = request.headers.get("x-fal-target-url");
    if (!targetHeader || !URL.canParse(targetHeader)) {
      return json(400, { detail: "x-fal-target-url is missing or not a URL" });
    }
    const target = new URL(targetHeader);
    if (target.host !== QUEUE_HOST) return json(404, { detail: `the fake serves ${QUEUE_HOST} only` });
    const route = /^\/([^/]+\/[^/]+)\/requests\/([^/]+?)(\/status|\/cancel)?\/?$/.exec(target.pathname);
    if (request.method === "POST" && !route) return await submit(request, target);
    if (!authorized(request)) return unauthorized();
    const queued = route ? requests.get(route[2]) : undefined;
    if (!route || !queued || appPathOf(queued.endpoint) !== route[1]) {
      return json(404, { detail: "Request not found" });
    }
    const action = route[3];
    if (request.method === "GET" && action === "/status") return status(queued);
    if (request.method === "GET" && action === undefined) return result(queued);
    if (request.method === "PUT" && action === "/cancel") return cancel(queued);
    return json(405, { detail: "Method Not Allowed" });
  }

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/proxy") return await proxied(request);
    if (request.method === "GET" && pathname === JWKS_PATH) return json(200, { keys: [signer.publicJwk] });
    const file = /^\/files\/([^/]+)\.jpg$/.exec(pathname);
    const bytes = file && request.method === "GET" ? files.get(file[1]) : undefined;
    if (bytes) {
      return new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": "image/jpeg" } });
    }
    return json(404, { detail: "Not Found" });
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      log(`fake fal: ${request.method} ${request.url} failed: ${error}`);
      return json(500, { detail: String(error) });
    }
  });
  origin = `http://127.0.0.1:${server.addr.port}`;

  function finished(requestId: string): QueuedRequest {
    const queued = requests.get(requestId);
    if (!queued) throw new Error(`the fake fal server has no request ${requestId}`);
    if (queued.state !== "COMPLETED") throw new Error(`request ${requestId} has not finished`);
    return queued;
  }

  let closing: Promise<void> | undefined;

  return {
    proxyUrl: `${origin}/proxy`,
    jwksUrl: `${origin}${JWKS_PATH}`,
    submits,
    deliveries,
    plan(endpoint, fault) {
      plans.push({ endpoint, fault });
    },
    async signedWebhook(requestId, tamper) {
      return await buildWebhook(finished(requestId), tamper);
    },
    async redeliver(requestId, times) {
      const queued = finished(requestId);
      const webhook = await buildWebhook(queued);
      const statuses = await Promise.all(
        Array.from({ length: times }, () => deliverOnce(queued, webhook, 1)),
      );
      return statuses.map((status) => status ?? 0);
    },
    settled(requestId) {
      const queued = requests.get(requestId);
      if (!queued) return Promise.reject(new Error(`the fake fal server has no request ${requestId}`));
      return queued.settled.promise;
    },
    close() {
      closing ??= (async () => {
        lifetime.abort(new Error("the fake fal server is closing"));
        await Promise.allSettled([...runs]);
        await server.shutdown();
      })();
      return closing;
    },
  };
}
