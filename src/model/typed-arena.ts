/**
 * The typed state of one model, in one buffer. A model is made of some forty small arrays (rings,
 * sketches, scores); each typed array of its own is an ArrayBuffer with a backing store V8 keeps a
 * record of, and a malloc, and each view of a shared buffer is still an object of about 100 bytes.
 * So an arena hands out *regions*: the buffer's one Float64Array (or Float32Array, Uint32Array)
 * and the index where a component's numbers start. A model's components share three views; the
 * buffer goes when the model does.
 *
 * Ambient while a model is made (`inArena`), so that the constructors need no parameter; outside
 * one, a region is an array of its own at index 0. Regions are zeroed, like new arrays.
 */
class TypedArena {
  private buffer: ArrayBuffer | null = null;
  private used = 0;
  /** Bytes this arena handed out. */
  total = 0;
  /** The current buffer's views. */
  f64 = EMPTY_F64;
  f32 = EMPTY_F32;
  u32 = EMPTY_U32;

  constructor(private readonly firstBytes: number) {}

  /** Byte offset of `bytes` more in the current buffer (a new buffer, and views, when it is full). */
  take(bytes: number): number {
    const need = (bytes + 7) & ~7; // every region 8-byte aligned
    if (!this.buffer || this.used + need > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max(need, this.buffer ? MIN_MORE : this.firstBytes));
      this.f64 = new Float64Array(this.buffer);
      this.f32 = new Float32Array(this.buffer);
      this.u32 = new Uint32Array(this.buffer);
      this.used = 0;
    }
    const offset = this.used;
    this.used += need;
    this.total += need;
    return offset;
  }
}

const EMPTY_F64 = new Float64Array(0);
const EMPTY_F32 = new Float32Array(0);
const EMPTY_U32 = new Uint32Array(0);
/** A later buffer of an arena that outgrew its first. */
const MIN_MORE = 4096;
let current: TypedArena | null = null;
/** What the last arena took: models are alike, so the next one's first buffer fits it whole. */
let lastTotal = 16 * 1024;

/** Runs `make` (a model's construction) with its typed state in one arena. */
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

/** `length` numbers: the array they are in and the index of the first. */
export function region64(length: number): [Float64Array, number] {
  if (!current) return [new Float64Array(length), 0];
  const at = current.take(length * 8) / 8;
  return [current.f64, at];
}

export function region32(length: number): [Float32Array, number] {
  if (!current) return [new Float32Array(length), 0];
  const at = current.take(length * 4) / 4;
  return [current.f32, at];
}

export function regionU32(length: number): [Uint32Array, number] {
  if (!current) return [new Uint32Array(length), 0];
  const at = current.take(length * 4) / 4;
  return [current.u32, at];
}

/** An array of its own (a view of the arena's buffer in one): for state handed to code that takes a whole array. */
export function f64(length: number): Float64Array {
  if (!current) return new Float64Array(length);
  const offset = current.take(length * 8);
  return new Float64Array(current.f64.buffer, offset, length);
}

/** `slots` 64-bit slots seen as 64- and 32-bit floats (forecaster state: see StateBlock), and the first slot. */
export function stateRegion(slots: number): [{ f64: Float64Array; f32: Float32Array }, number] {
  const [f64v, at] = region64(slots);
  return [{ f64: f64v, f32: current ? current.f32 : new Float32Array(f64v.buffer) }, at];
}
