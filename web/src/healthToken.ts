// Reading the public part of a health-code token (docs/health-code-token.md):
// 35 payload bytes then a 64-byte Ed25519 signature, base64url. The page
// uses it only to time refreshes, by the token's own lifetime, so a phone
// whose clock is wrong still refreshes its code before it expires.

function bytesOf(token: string): Uint8Array | null {
  try {
    const b64 = token.replace(/-/g, '+').replace(/_/g, '/');
    const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function u64(bytes: Uint8Array, offset: number): number {
  let n = 0;
  for (let i = 0; i < 8; i++) n = n * 256 + (bytes[offset + i] ?? 0);
  return n;
}

/** Seconds from issue to expiry, or null for a token this page cannot read. */
export function tokenLifetimeSeconds(token: string): number | null {
  const b = bytesOf(token);
  if (!b || b.length !== 99 || b[0] !== 1) return null;
  const lifetime = u64(b, 27) - u64(b, 19);
  return lifetime > 0 && lifetime < 86_400 ? lifetime : null;
}
