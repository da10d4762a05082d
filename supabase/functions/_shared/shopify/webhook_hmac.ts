/**
 * Shopify's webhook signature: base64(HMAC-SHA256(app secret, raw body)) in X-Shopify-Hmac-Sha256. Both the
 * current and the previous secret are accepted, because after a rotation Shopify keeps signing with the oldest
 * unrevoked secret for up to an hour. WebCrypto's verify compares in constant time.
 */

/** True when `signature` (the header's base64) is the HMAC of `rawBody` under one of `secrets`. */
export async function verifyShopifyHmac(
  rawBody: Uint8Array,
  signature: string | null,
  secrets: readonly string[],
): Promise<boolean> {
  if (!signature) return false;
  const mac = decodeBase64(signature.trim());
  // SHA-256 MACs are 32 bytes; anything else cannot match and is not worth a verify per secret.
  if (!mac || mac.byteLength !== 32) return false;
  const body = new Uint8Array(rawBody);
  for (const secret of secrets) {
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    if (await crypto.subtle.verify("HMAC", key, mac, body)) return true;
  }
  return false;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}
