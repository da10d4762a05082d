/**
 * The signed token of an emailed download link: `<expiry unix seconds>.<base64url HMAC-SHA256>` over
 * `download:<order id>:<expiry>`. The key is DOWNLOAD_TOKEN_SECRET when set, else derived from the service role
 * key (HKDF), so a project needs no extra secret; rotating either key invalidates the links already sent.
 */

export interface DownloadTokens {
  sign(orderId: string, expiresAt: Date): Promise<string>;
  /** The expiry the token carries, or null when its signature is not ours for this order. */
  verify(orderId: string, token: string): Promise<Date | null>;
}

export async function createDownloadTokens(secret: string): Promise<DownloadTokens> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  const key = await crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new Uint8Array(0),
      info: new TextEncoder().encode("talecraft download links"),
    },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
  const message = (orderId: string, expiry: number) =>
    new TextEncoder().encode(`download:${orderId}:${expiry}`);

  return {
    async sign(orderId, expiresAt) {
      const expiry = Math.floor(expiresAt.getTime() / 1000);
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message(orderId, expiry)));
      return `${expiry}.${toBase64Url(mac)}`;
    },
    async verify(orderId, token) {
      const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return null;
      const expiry = Number(match[1]);
      const mac = fromBase64Url(match[2]);
      // WebCrypto's verify compares in constant time.
      const valid = await crypto.subtle.verify("HMAC", key, mac, message(orderId, expiry));
      return valid ? new Date(expiry * 1000) : null;
    },
  };
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(
    atob(base64 + "=".repeat((4 - base64.length % 4) % 4)),
    (char) => char.charCodeAt(0),
  );
}
