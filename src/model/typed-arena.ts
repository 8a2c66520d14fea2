/**
 * The typed arrays of one model, carved out of one buffer. A model is made of some forty small
 * typed arrays (rings, sketches, scores); each of its own is an ArrayBuffer object, a backing
 * store V8 keeps a record of, and a malloc: 54 KiB of resident memory per model for 31 KiB of
 * data and objects (1,000 models measured). Views into one buffer share all of that, and the
 * buffer goes when the model does.
 *
 * Ambient while a model is made (`inArena`), so that the forty constructors need no parameter;
 * outside one, the functions allocate as `new` would. Arrays are zeroed, like new ones.
 */
class TypedArena {
  private buffer: ArrayBuffer | null = null;
  private used = 0;
  /** Bytes this arena handed out. */
  total = 0;

  constructor(private readonly firstBytes: number) {}

  take(bytes: number): [ArrayBuffer, number] {
    const need = (bytes + 7) & ~7; // every view 8-byte aligned
    if (!this.buffer || this.used + need > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max(need, this.buffer ? MIN_MORE : this.firstBytes));
      this.used = 0;
    }
    const offset = this.used;
    this.used += need;
    this.total += need;
    return [this.buffer, offset];
  }
}

/** A later buffer of an arena that outgrew its first. */
const MIN_MORE = 4096;
let current: TypedArena | null = null;
/** What the last arena took: models are alike, so the next one's first buffer fits it whole. */
let lastTotal = 16 * 1024;

/** Runs `make` (a model's construction) with its typed arrays in one arena. */
export function inArena<T>(make: () => T): T {
  const outer = current;
  const arena = new TypedArena(lastTotal);
  current = arena;
  try {
    return make();
  } finally {
    current = outer;
    lastTotal = Math.max(MIN_MORE, arena.total);
  }
}

export function f64(length: number): Float64Array {
  if (!current) return new Float64Array(length);
  const [buffer, offset] = current.take(length * 8);
  return new Float64Array(buffer, offset, length);
}

export function f32(length: number): Float32Array {
  if (!current) return new Float32Array(length);
  const [buffer, offset] = current.take(length * 4);
  return new Float32Array(buffer, offset, length);
}

export function u32(length: number): Uint32Array {
  if (!current) return new Uint32Array(length);
  const [buffer, offset] = current.take(length * 4);
  return new Uint32Array(buffer, offset, length);
}

/** `slots` 64-bit slots seen as 64- and 32-bit floats (forecaster state: see StateBlock). */
export function stateBlock(slots: number): { f64: Float64Array; f32: Float32Array } {
  const f64v = f64(slots);
  return { f64: f64v, f32: new Float32Array(f64v.buffer, f64v.byteOffset, slots * 2) };
}
