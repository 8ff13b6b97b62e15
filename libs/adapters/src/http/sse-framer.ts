/**
 * Cuts a byte stream of server-sent events into runs of whole events: each read gives back the
 * bytes of the events it completed (whole, as read) and carries the rest. An event that grows past
 * `maxBytes` before it ends throws `tooLarge()`: a backend that never ends one cannot make the
 * gateway buffer without limit. Lines end in LF or CRLF (what OpenAI-compatible servers send).
 */
export class SseFramer {
  private carry: Buffer | undefined;
  private started = false;

  constructor(
    private readonly maxBytes: number,
    private readonly tooLarge: () => Error,
  ) {}

  /** The whole events `chunk` completes, with what came before them; undefined when none ended yet. */
  push(chunk: Buffer): Buffer | undefined {
    if (!this.started) {
      this.started = true;
      // A byte-order mark may open the stream (the SSE spec skips it).
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    const carry = this.carry;
    // Only the new bytes are searched (and the seam): a long event is not scanned again per read.
    let end = lastBoundary(chunk);
    if (end < 0 && carry !== undefined) end = seamBoundary(carry, chunk);
    if (end < 0) {
      const size = (carry?.length ?? 0) + chunk.length;
      if (size > this.maxBytes) throw this.tooLarge();
      this.carry = carry === undefined ? chunk : Buffer.concat([carry, chunk], size);
      return undefined;
    }
    const rest = chunk.length - end;
    if (rest > this.maxBytes) throw this.tooLarge();
    this.carry = rest === 0 ? undefined : chunk.subarray(end);
    const head = rest === 0 ? chunk : chunk.subarray(0, end);
    return carry === undefined ? head : Buffer.concat([carry, head], carry.length + end);
  }
}

/** Where the last blank line in `buf` ends (`\n\n` or `\n\r\n`), or -1. */
function lastBoundary(buf: Buffer): number {
  const lf = buf.lastIndexOf('\n\n');
  const crlf = buf.lastIndexOf('\n\r\n');
  return Math.max(lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 3);
}

/** A blank line that begins at the end of `carry` and ends in `chunk`: where it ends in `chunk`, or -1. */
function seamBoundary(carry: Buffer, chunk: Buffer): number {
  const last = carry[carry.length - 1];
  if (last === 10) {
    if (chunk[0] === 10) return 1;
    if (chunk[0] === 13 && chunk[1] === 10) return 2;
  } else if (last === 13 && carry[carry.length - 2] === 10 && chunk[0] === 10) return 1;
  return -1;
}

/**
 * Called per event of a run of whole events: its data lines joined (undefined when it has none:
 * a comment, a keep-alive), where it lies in the text, and whether it is exactly one `data: …` line
 * ending in LF (so its bytes can go on as they came). Returning false stops the walk.
 */
export type SseEventVisitor = (data: string | undefined, start: number, end: number, plain: boolean) => boolean | void;

/** Walks the events of `text`, which holds whole events only (what SseFramer.push returned, decoded). */
export function eachSseEvent(text: string, visit: SseEventVisitor): void {
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    const start = pos;
    let data: string | undefined;
    let plain = true;
    let lines = 0;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = n;
      let lineEnd = nl;
      if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) {
        lineEnd--;
        plain = false;
      }
      const line = pos;
      pos = nl + 1;
      if (lineEnd === line) break;
      lines++;
      if (text.startsWith('data:', line)) {
        let from = line + 5;
        if (text.charCodeAt(from) === 32) from++;
        else plain = false;
        const value = text.slice(from, lineEnd);
        data = data === undefined ? value : `${data}\n${value}`;
      } else plain = false;
    }
    if (pos > n) pos = n;
    if (visit(data, start, pos, plain && lines === 1 && data !== undefined) === false) return;
  }
}
