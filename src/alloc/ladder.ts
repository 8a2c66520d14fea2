/**
 * Reservation sizes come from a ladder, as ext4's mballoc rounds requests (16 KiB ... 1 MiB, then
 * 2, 4, 8 MiB): few distinct sizes keep tmpfs's page allocation regular and the accounting
 * readable. Above the top rung, whole multiples of it. Both ladders start at one page rather
 * than ext4's 16 KiB: log streams are often a few hundred bytes a second, and a 16 KiB floor
 * released unused at the end of every burst measured as several times the bytes such a stream
 * writes (bench/shadow-replay.ts).
 */
export const FINE_LADDER = [4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024].map((k) => k * 1024);
export const COARSE_LADDER = [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192].map((k) => k * 1024);
const TOP = 8 * 1024 * 1024;

export function roundUpToLadder(bytes: number, ladder: readonly number[]): number {
  if (!(bytes > 0)) return 0;
  for (const rung of ladder) if (bytes <= rung) return rung;
  return Math.ceil(bytes / TOP) * TOP;
}

export const PAGE = 4096;

export function pageUp(n: number): number {
  return Math.ceil(n / PAGE) * PAGE;
}

export function pageDown(n: number): number {
  return Math.floor(n / PAGE) * PAGE;
}
