import { confusablesMap } from 'confusables';

/**
 * The view of a text the detectors read, and where each of its characters came from.
 *
 * Detection only needs the SHAPE of a value, never the value, so the view is plain ASCII:
 * NFKC per cluster (full-width `＠`, `０`, ligatures), invisible characters dropped (zero-width,
 * soft hyphen, bidi controls, other format characters), decimal digits of any script read as
 * their value, confusables (Unicode TS #39 style, Cyrillic `а` -> `a`) mapped to their Latin
 * look-alike, letters of scripts written without spaces (Han, Kana, Hangul, Thai...) read as a
 * space, any other letter read as `x` (so `jane@bücher.de` and `иван@почта.рф` keep an
 * email's shape), dashes as `-`, dots as `.`, spaces as ` `, and every other symbol as `~`.
 */
export interface ScanView {
  text: string;
  /** starts[i]: index in the original of the character view char i came from; undefined when view === original. */
  starts?: Uint32Array;
  /** ends[i]: index in the original just past that character (its whole cluster). */
  ends?: Uint32Array;
}

/** Anything outside printable ASCII (and tab/newline) needs the slow path; the common case needs nothing. */
const NEEDS_VIEW = /[^\t\n\r\x20-\x7e]/;
const IS_MARK = /\p{M}/u;
const IS_FORMAT = /[\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0\u034F\uFE00-\uFE0F]/u;
const IS_DIGIT = /\p{Nd}/u;
const IS_LETTER = /\p{L}/u;
/** Scripts written without spaces: their letters end a value as a space would (`电话4155552671`). */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;
const IS_DASH = /\p{Pd}|\u2212/u;
const IS_SPACE = /\p{Zs}/u;
const DOTS = new Set(['\u3002', '\uFF61', '\u2024', '\uFE52', '\u0701', '\u0702', '\u2E2E']);
const ATS = new Set(['\uFE6B', '\uFF20']);

/** The view of `text`; when it is already plain ASCII, the text itself (no maps). */
export function scanView(text: string): ScanView {
  if (!NEEDS_VIEW.test(text)) return { text };
  const n = text.length;
  // NFKC can expand a character (`⑵` -> `(2)`): the maps grow when it does.
  // The view is ASCII by construction: one byte a character.
  let bytes: Uint8Array = new Uint8Array(n + 16);
  let starts: Uint32Array = new Uint32Array(n + 16);
  let ends: Uint32Array = new Uint32Array(n + 16);
  let length = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    // A cluster: one base and the combining marks after it (NFKC may compose them). Marks start at U+0300.
    let marks = false;
    while (i < n) {
      const next = text.codePointAt(i)!;
      if (next < 0x300 || !IS_MARK.test(String.fromCodePoint(next))) break;
      marks = true;
      i += next > 0xffff ? 2 : 1;
    }
    if (!marks && cp < 0x80) {
      if (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) continue;
      if (length === bytes.length) [bytes, starts, ends] = [growBytes(bytes, length + 1), grow(starts, length + 1), grow(ends, length + 1)];
      bytes[length] = cp;
      starts[length] = start;
      ends[length] = i;
      length++;
      continue;
    }
    let mapped: string;
    if (marks) mapped = viewOf(text.slice(start, i));
    else {
      const cached = VIEWS.get(cp);
      if (cached !== undefined) mapped = cached;
      else {
        mapped = viewOf(String.fromCodePoint(cp));
        if (VIEWS.size < MAX_CACHED_VIEWS) VIEWS.set(cp, mapped);
      }
    }
    if (mapped.length === 0) continue;
    if (length + mapped.length > bytes.length) {
      bytes = growBytes(bytes, length + mapped.length);
      starts = grow(starts, length + mapped.length);
      ends = grow(ends, length + mapped.length);
    }
    for (let k = 0; k < mapped.length; k++) {
      bytes[length] = mapped.charCodeAt(k);
      starts[length] = start;
      ends[length] = i;
      length++;
    }
  }
  return { text: Buffer.from(bytes.buffer, 0, length).toString('latin1'), starts: starts.subarray(0, length), ends: ends.subarray(0, length) };
}

/** The view of single code points already seen: a text reuses a small alphabet. Bounded. */
const VIEWS = new Map<number, string>();
const MAX_CACHED_VIEWS = 65_536;

function grow(array: Uint32Array, needed: number): Uint32Array {
  const bigger = new Uint32Array(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

function growBytes(array: Uint8Array, needed: number): Uint8Array {
  const bigger = new Uint8Array(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

/** One non-ASCII cluster, as ASCII characters (possibly none). */
function viewOf(cluster: string): string {
  let out = '';
  for (const ch of cluster.normalize('NFKC')) out += viewChar(ch);
  return out;
}

function viewChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return cp >= 0x20 || cp === 0x09 || cp === 0x0a || cp === 0x0d ? ch : '';
  if (IS_FORMAT.test(ch) || IS_MARK.test(ch)) return '';
  if (IS_DIGIT.test(ch)) return String(digitValue(cp));
  if (ATS.has(ch)) return '@';
  if (DOTS.has(ch)) return '.';
  if (IS_DASH.test(ch)) return '-';
  if (IS_SPACE.test(ch)) return ' ';
  if (UNSPACED.test(ch)) return ' ';
  const latin = confusablesMap.get(ch);
  if (latin !== undefined && latin.length === 1 && /[A-Za-z0-9@.]/.test(latin)) return latin;
  if (IS_LETTER.test(ch)) return 'x';
  return '~';
}

/** A decimal digit's value: digits come in contiguous runs of ten, zero first. */
function digitValue(cp: number): number {
  let k = 0;
  while (k < 9 && IS_DIGIT.test(String.fromCodePoint(cp - k - 1))) k++;
  return k % 10;
}

/** Maps a finding in the view back to the original's span. */
export function originalSpan(view: ScanView, start: number, end: number): [number, number] {
  if (view.starts === undefined) return [start, end];
  return [view.starts[start], view.ends![end - 1]];
}
