import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompress, brotliDecompressSync, constants, type BrotliOptions } from 'node:zlib';

/** The first byte of a stored value: how the rest is encoded. */
export const CacheValueFormat = { raw: 0, brotli: 1 } as const;

/** Values up to this size are stored as they are: compressing them saves too little to pay. */
export const COMPRESS_ABOVE_BYTES = 1024;

// Past this size (de)compression runs on libuv's pool instead of the event loop: a large answer
// takes milliseconds, which every other request would wait for. Below it, a thread hop costs more.
const OFF_LOOP_ABOVE_BYTES = 64 * 1024;

const compressAsync = promisify(brotliCompress);
const decompressAsync = promisify(brotliDecompress);

// Quality 4 of 11: JSON shrinks 5-10x at tens of MB/s; higher levels cost more than they save here.
const brotliOptions = (size: number): BrotliOptions => ({
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 4,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_SIZE_HINT]: size,
  },
});

/**
 * What a store keeps for `value`: one format byte, then the value, brotli-compressed when it is
 * larger than COMPRESS_ABOVE_BYTES and compressing made it smaller.
 */
export async function encodeCacheValue(value: Uint8Array): Promise<Uint8Array> {
  if (value.byteLength > COMPRESS_ABOVE_BYTES) {
    const options = brotliOptions(value.byteLength);
    const packed = value.byteLength > OFF_LOOP_ABOVE_BYTES ? await compressAsync(value, options) : brotliCompressSync(value, options);
    if (packed.byteLength < value.byteLength) return framed(CacheValueFormat.brotli, packed);
  }
  return framed(CacheValueFormat.raw, value);
}

/**
 * The value `encodeCacheValue` stored; undefined for bytes it cannot read (a format byte from a
 * newer Switchyard during a rolling upgrade, or a damaged entry): the caller sees a miss, and the
 * entry is left to whoever wrote it.
 */
export async function decodeCacheValue(stored: Uint8Array): Promise<Uint8Array | undefined> {
  if (stored.byteLength === 0) return undefined;
  const body = stored.subarray(1);
  switch (stored[0]) {
    case CacheValueFormat.raw:
      return view(body);
    case CacheValueFormat.brotli:
      try {
        // Compressed size stands in for the plain size (JSON shrinks ~8x) when choosing the pool.
        return view(body.byteLength > OFF_LOOP_ABOVE_BYTES / 8 ? await decompressAsync(body) : brotliDecompressSync(body));
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

/** A plain Uint8Array over the same bytes (a Buffer from Redis or zlib is one too, but prints and compares as a Buffer). */
function view(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function framed(format: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.byteLength + 1);
  out[0] = format;
  out.set(body, 1);
  return out;
}
