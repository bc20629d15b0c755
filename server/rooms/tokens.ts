// Join codes and participant tokens. Codes are short but random (31^8 ≈ 8.5e11); tokens are
// 32 random bytes and only their sha256 is stored, so a database leak gives no sessions.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { JOIN_CODE_ALPHABET } from '../protocol/index.js';

export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

export const newToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const newSeed = (): number => randomInt(0, 2 ** 32 - 1);
