import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM under a key derived from the server secret with HKDF-SHA-256, so the secret itself
 * (which also keys API key digests) is never used as an encryption key. Each value gets a fresh
 * 96-bit IV; the tenant and backend are authenticated as associated data, so a ciphertext copied
 * to another row does not decrypt. Layout: version (1 byte) | IV (12) | tag (16) | ciphertext.
 */
export class CredentialCipher {
  private readonly key: Buffer;

  constructor(serverSecret: string | Uint8Array) {
    if (serverSecret.length === 0) throw new RangeError('The server secret for provider credentials cannot be empty.');
    const ikm = typeof serverSecret === 'string' ? Buffer.from(serverSecret, 'utf8') : serverSecret;
    this.key = Buffer.from(hkdfSync('sha256', ikm, 'switchyard', 'switchyard provider credentials v1', 32));
  }

  encrypt(plain: string, tenantId: string, backend: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad(tenantId, backend));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]);
  }

  /** Undefined when it does not decrypt (another secret, another row, altered bytes, unknown version). */
  decrypt(sealed: Uint8Array, tenantId: string, backend: string): string | undefined {
    const buf = Buffer.from(sealed);
    if (buf.length < 1 + IV_BYTES + TAG_BYTES || buf[0] !== VERSION) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, buf.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(aad(tenantId, backend));
      decipher.setAuthTag(buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

function aad(tenantId: string, backend: string): Buffer {
  return Buffer.from(`${tenantId}\u0000${backend}`, 'utf8');
}
