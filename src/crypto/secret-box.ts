import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts secrets at rest (SMTP passwords, webhook secrets, endpoint credentials)
 * with AES-256-GCM. The key is derived from the operator's HERALD_SECRET_KEY; the
 * stored form is "v1.<iv>.<tag>.<ciphertext>" in base64url, so a wrong key fails
 * loudly on the auth tag instead of returning garbage.
 */
// Sealed values opened at most this many at once in memory; then forgotten, all.
const OPENED_LIMIT = 1024;

export class SecretBox {
  private readonly key: Buffer;
  /**
   * Each webhook attempt needs its endpoint's secrets: opening them every time was
   * a tenth of an attempt's cost. The plain text is in this process's memory for
   * the attempt anyway; here it stays for the next one.
   */
  private readonly opened = new Map<string, string>();

  constructor(secret: string) {
    if (secret.length < 16) {
      throw new Error('HERALD_SECRET_KEY must be at least 16 characters long');
    }
    this.key = createHash('sha256').update(secret, 'utf8').digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', iv, tag, body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    let plain = this.opened.get(sealed);
    if (plain === undefined) {
      plain = this.decrypt(sealed);
      if (this.opened.size >= OPENED_LIMIT) this.opened.clear();
      this.opened.set(sealed, plain);
    }
    return plain;
  }

  private decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) {
      throw new Error('stored secret is not in the v1 sealed format');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  }
}
