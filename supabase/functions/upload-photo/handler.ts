/**
 * Photo upload (BRIEF §3): the parent's photo of their child, checked by a face detector and stored privately.
 *
 *   POST /upload-photo   multipart/form-data, field `file`
 *     201 {photo_id, face: {confidence, area_percent, box}, width, height}
 *     400 invalid_request | unreadable_image | image_too_large | no_face | multiple_faces | face_too_small
 *     401 unauthorized   413 file_too_large   415 unsupported_media_type   429 rate_limited (Retry-After)
 *
 * The checks run cheapest first: the declared size before the body is read, the format by magic bytes before
 * anything is decoded, the pixel count from the header before the pixels, and the hourly allowance before the
 * detector. The stored file is our re-encoding (EXIF orientation applied, at most 2048 px, no metadata at all),
 * never the bytes the parent sent. Any failure leaves neither an object nor a row behind.
 */
import type { Authenticator } from "../_shared/auth.ts";
import { ApiError, json, readBodyWithin, serveJson } from "../_shared/http.ts";
import { ImageInputError, sniffImageFormat } from "../_shared/images/image_header.ts";
import type { NormalisedPhoto } from "../_shared/images/photo_normalisation.ts";
import type { RgbaImage } from "../_shared/images/raster.ts";
import type { ObjectStore } from "../_shared/storage.ts";
import type { DetectedFace } from "./face_detector.ts";
import { type FaceVerdict, judgeFaces } from "./face_rules.ts";
import type { PhotoStore } from "./photo_store.ts";

export interface UploadPhotoDeps {
  authenticate: Authenticator;
  photos: PhotoStore;
  objects: Pick<ObjectStore, "upload" | "remove">;
  normalise: (bytes: Uint8Array) => Promise<NormalisedPhoto>;
  detectFaces: (image: RgbaImage) => Promise<DetectedFace[]>;
  newId?: () => string;
  log?: (line: string) => void;
}

const PHOTOS_BUCKET = "photos";
/** The largest photo accepted, 10 MB (BRIEF §3). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
// Room for the multipart boundaries and part headers around a photo of the largest size.
const MULTIPART_ALLOWANCE_BYTES = 64 * 1024;
const ACCEPTED_FORMATS = new Set(["jpeg", "png", "webp"]);

function fileTooLarge(): ApiError {
  return new ApiError(413, "file_too_large", "The photo is larger than 10 MB; please choose a smaller file.");
}

function invalidRequest(message: string): ApiError {
  return new ApiError(400, "invalid_request", message);
}

/** The `file` part of a multipart body that has already been read within the size limit. */
async function photoFile(contentType: string | null, body: Uint8Array): Promise<File> {
  const usage = "Send the photo as multipart/form-data, in a field named file.";
  if (!contentType?.toLowerCase().startsWith("multipart/form-data")) throw invalidRequest(usage);
  let form: FormData;
  try {
    form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { "content-type": contentType } })
      .formData();
  } catch {
    throw invalidRequest(`The request body is not valid multipart/form-data. ${usage}`);
  }
  const file = form.get("file");
  if (file === null) throw invalidRequest(`The request has no field named file. ${usage}`);
  if (typeof file === "string") throw invalidRequest(`The field file must be a file, not text. ${usage}`);
  return file;
}

function imageInputFailure(error: ImageInputError): ApiError {
  switch (error.code) {
    case "unsupported_format":
      // A PNG or WebP we cannot read (interlaced or low-bit PNG, animated WebP): say which, not "not an image".
      return new ApiError(
        415,
        "unsupported_media_type",
        `This kind of image is not supported: ${error.message}. Please save the photo as a JPEG and try again.`,
      );
    case "image_too_large":
      return new ApiError(400, "image_too_large", `The photo has too many pixels: ${error.message}.`);
    case "unreadable_image":
      return new ApiError(
        400,
        "unreadable_image",
        "The photo could not be read; the file may be damaged or incomplete. Please choose another.",
      );
  }
}

function unsupportedMediaType(): ApiError {
  return new ApiError(
    415,
    "unsupported_media_type",
    "Only JPEG, PNG and WebP photos are accepted; the file's content is none of these.",
  );
}

function verdictFailure(verdict: Exclude<FaceVerdict, { kind: "accepted" }>): ApiError {
  switch (verdict.kind) {
    case "no_face":
      return new ApiError(
        400,
        "no_face",
        "We could not find a face in this photo. Please choose one where your child's face is clearly visible.",
      );
    case "multiple_faces":
      return new ApiError(
        400,
        "multiple_faces",
        `This photo shows ${verdict.count} faces. Please choose a photo of your child alone.`,
      );
    case "face_too_small":
      return new ApiError(
        400,
        "face_too_small",
        `The face covers ${verdict.areaPercent}% of the photo and needs at least 10%. ` +
          "Please crop closer to your child's face or choose a closer photo.",
      );
  }
}

function rateLimited(retryAfterSeconds: number): ApiError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new ApiError(
    429,
    "rate_limited",
    `Too many photos were uploaded in the last hour; please try again in ${minutes} minute${
      minutes === 1 ? "" : "s"
    }.`,
    { "retry-after": String(retryAfterSeconds) },
  );
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function createUploadPhotoHandler(deps: UploadPhotoDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;
  const newId = deps.newId ?? (() => crypto.randomUUID());

  async function upload(request: Request): Promise<Response> {
    const started = performance.now();
    const claims = await deps.authenticate(request);
    const body = await readBodyWithin(request, MAX_PHOTO_BYTES + MULTIPART_ALLOWANCE_BYTES, fileTooLarge);
    const file = await photoFile(request.headers.get("content-type"), body);
    if (file.size > MAX_PHOTO_BYTES) throw fileTooLarge();
    if (file.size === 0) {
      throw new ApiError(400, "unreadable_image", "The file is empty; please choose a photo.");
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const format = sniffImageFormat(bytes);
    if (format === null || !ACCEPTED_FORMATS.has(format)) throw unsupportedMediaType();

    const retryAfter = await deps.photos.admitUpload(claims.sub);
    if (retryAfter === null) {
      throw new ApiError(401, "unauthorized", "This session's user no longer exists; please sign in again.");
    }
    if (retryAfter > 0) throw rateLimited(retryAfter);

    let photo: NormalisedPhoto;
    try {
      photo = await deps.normalise(bytes);
    } catch (error) {
      if (error instanceof ImageInputError) throw imageInputFailure(error);
      throw error;
    }
    const normalised = performance.now();
    const verdict = judgeFaces(await deps.detectFaces(photo.image), photo);
    const detected = performance.now();
    log(JSON.stringify({
      event: "photo_checked",
      verdict: verdict.kind,
      source_format: photo.sourceFormat,
      width: photo.width,
      height: photo.height,
      normalise_ms: Math.round(normalised - started),
      detect_ms: Math.round(detected - normalised),
    }));
    if (verdict.kind !== "accepted") throw verdictFailure(verdict);

    const photoId = newId();
    const storagePath = `${claims.sub}/${photoId}.jpg`;
    const face = {
      confidence: round(verdict.face.confidence, 3),
      area_percent: verdict.areaPercent,
      box: verdict.face.box,
    };
    // The object first, then the row: if the row cannot be written the object is removed again, and if the
    // process dies in between, the hourly purge removes the object (one in the photos bucket that no row
    // names). A row without its object would instead look like a usable photo.
    await deps.objects.upload(PHOTOS_BUCKET, storagePath, photo.jpeg, "image/jpeg");
    try {
      await deps.photos.insert({
        id: photoId,
        userId: claims.sub,
        storagePath,
        width: photo.width,
        height: photo.height,
        faceBox: face.box,
        faceConfidence: face.confidence,
        faceAreaPercent: face.area_percent,
      });
    } catch (error) {
      // The insert's error is what the caller and the log see; a failed clean-up is left to the purge.
      await deps.objects.remove(PHOTOS_BUCKET, [storagePath]).catch(() => {});
      throw error;
    }
    return json({ photo_id: photoId, face, width: photo.width, height: photo.height }, 201);
  }

  async function route(request: Request): Promise<Response> {
    const segments = new URL(request.url).pathname.split("/").filter(Boolean);
    const position = segments.indexOf("upload-photo");
    if (position === -1 || position !== segments.length - 1) {
      throw new ApiError(404, "not_found", "There is no such route.");
    }
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST, OPTIONS" });
    }
    return await upload(request);
  }

  return serveJson(route, { log });
}
