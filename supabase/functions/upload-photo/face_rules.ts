/**
 * Whether a photo's detected faces make it usable as the child's photo (issue 5): exactly one prominent face,
 * large enough for the illustrator to work from.
 */
import type { FaceBox } from "../_shared/images/image_provider.ts";
import type { DetectedFace } from "./face_detector.ts";

export type FaceVerdict =
  | { kind: "accepted"; face: DetectedFace; areaPercent: number }
  | { kind: "no_face" }
  | { kind: "multiple_faces"; count: number }
  | { kind: "face_too_small"; areaPercent: number };

/**
 * A second face counts when its area is at least this share of the largest face's. Smaller ones (a face on a
 * poster, a passer-by far behind) are ignored, so a real photo of one child is not refused for its background.
 */
export const SECOND_FACE_AREA_RATIO = 0.25;

/** The largest face must cover at least this share of the image for the illustrator to work from it. */
export const MIN_FACE_AREA_PERCENT = 10;

/**
 * The rules in order: no face; several prominent faces; the largest face too small. `count` is the number of
 * prominent faces (the ignored small ones are not counted). `areaPercent` has one decimal: rounded when
 * accepted, rounded down when too small, so that a refusal never reports "10%" (9.96% is still refused).
 */
export function judgeFaces(
  faces: readonly DetectedFace[],
  image: { width: number; height: number },
): FaceVerdict {
  if (faces.length === 0) return { kind: "no_face" };
  const bySize = [...faces].sort((a, b) => boxArea(b.box) - boxArea(a.box));
  const largest = bySize[0];
  const largestArea = boxArea(largest.box);
  const prominent = bySize.filter((face) => boxArea(face.box) >= largestArea * SECOND_FACE_AREA_RATIO);
  if (prominent.length > 1) return { kind: "multiple_faces", count: prominent.length };
  const exactPercent = (largestArea / (image.width * image.height)) * 100;
  if (exactPercent < MIN_FACE_AREA_PERCENT) {
    // The epsilon keeps a float such as 4.3 (stored as 4.2999…) from dropping to 4.2.
    return { kind: "face_too_small", areaPercent: Math.floor(exactPercent * 10 + 1e-9) / 10 };
  }
  return { kind: "accepted", face: largest, areaPercent: Math.round(exactPercent * 10) / 10 };
}

function boxArea(box: FaceBox): number {
  return box.width * box.height;
}
