/**
 * Float64Arrays of the given lengths, views into one buffer. Small arrays of their own each cost a
 * buffer object, and past 64 bytes a backing store outside the heap (about 300 bytes apiece, per
 * stream and per file): views of one buffer share all of it.
 */
export function packedFloat64(...lengths: number[]): Float64Array[] {
  const all = new Float64Array(lengths.reduce((n, l) => n + l, 0));
  let at = 0;
  return lengths.map((l) => all.subarray(at, (at += l)));
}
