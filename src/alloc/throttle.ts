/**
 * Free space throttles reservations the way XFS throttles speculative preallocation: below 5%
 * free they are cut to a quarter, and halved again at each further percent (4, 3, 2, 1).
 */
export function throttleForFreeSpace(bytes: number, freeShare: number): number {
  if (freeShare >= 0.05) return bytes;
  let b = bytes / 4;
  for (const step of [0.04, 0.03, 0.02, 0.01]) if (freeShare < step) b /= 2;
  return b;
}
