// Helpers for health-code tests: identity numbers with valid check digits,
// and tokens crafted with the server's own keys (read from its data folder)
// or with foreign ones, exactly as docs/health-code-token.md describes them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** A valid 18-character identity number from 17 digits. */
export function idNumber(first17) {
  const sum = WEIGHTS.reduce((s, w, i) => s + w * Number(first17[i]), 0);
  return first17 + '10X98765432'[sum % 11];
}
let serial = 100;
/** A fresh valid identity number born in Yuci on a given date. */
export function newIdNumber(birth = '19900101') {
  serial += 1;
  return idNumber(`140702${birth}${String(serial).padStart(3, '0').slice(-3)}`);
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** Ed25519 private key object from libsodium's 64-byte secret key (seed ‖ public). */
export function sodiumKey(secret64) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), secret64.subarray(0, 32)]);
  return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}
export function serverKey(dataDir, kid = 1) {
  return sodiumKey(fs.readFileSync(path.join(dataDir, 'keys', `signing-${kid}.key`)));
}
export function foreignKey() {
  return crypto.generateKeyPairSync('ed25519').privateKey;
}

/** The pseudonym the server would put in a token for person id. */
export function pseudonym(dataDir, personId) {
  const key = fs.readFileSync(path.join(dataDir, 'keys', 'pii-hmac.key'));
  const nonce = crypto.randomBytes(8);
  const mask = crypto.createHmac('sha256', key).update(Buffer.concat([Buffer.from('pseudonym'), nonce])).digest();
  const id = Buffer.alloc(8);
  id.writeBigUInt64BE(BigInt(personId));
  for (let i = 0; i < 8; i++) id[i] ^= mask[i];
  return Buffer.concat([nonce, id]);
}

/** A token: payload as documented, signed with `key`. */
export function makeToken({ kid = 1, pseudo = crypto.randomBytes(16), color = 0, issuedAt, expiresAt, version = 1 }, key) {
  const p = Buffer.alloc(35);
  p[0] = version;
  p[1] = kid;
  pseudo.copy(p, 2);
  p[18] = color;
  p.writeBigUInt64BE(BigInt(issuedAt), 19);
  p.writeBigUInt64BE(BigInt(expiresAt), 27);
  const sig = crypto.sign(null, p, key);
  return b64url(Buffer.concat([p, sig]));
}
