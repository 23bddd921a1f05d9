// Resident identity numbers (GB 11643-1999): 17 digits and a mod-11 check
// character, 0-9 or X. The server validates them too; checking here tells the
// person at the keyboard at once which number is mistyped.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** Trims and upper-cases a typed or card-read number (x → X). */
export function normalizeIdNumber(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

/** The check character the first 17 digits call for. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (WEIGHTS[i] ?? 0) * Number(first17[i]);
  return CHECK[sum % 11] ?? '';
}

export type IdNumberProblem = 'length' | 'format' | 'checkDigit';

/** null for a valid number (after normalizeIdNumber), else what is wrong. */
export function idNumberProblem(value: string): IdNumberProblem | null {
  if (value.length !== 18) return 'length';
  if (!/^\d{17}[\dX]$/.test(value)) return 'format';
  return idCheckCharacter(value.slice(0, 17)) === value[17] ? null : 'checkDigit';
}
