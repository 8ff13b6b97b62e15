import { categoriesOfMask, categoryBit, type PiiCategory, type PiiFinding, type PiiScanner } from './detectors';
import { originalSpan, scanView } from './normalize';

/** Content no detector can read: it keeps a request local under a privacy policy (`privacy.unscannable`). */
export type UnscannableKind = 'image' | 'audio' | 'file' | 'token_ids';

/** One string of a JSON value (a value or an object key) and where it sits. */
export interface Slot {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  /** The string is the object key `key` itself, not its value. */
  isKey: boolean;
  text: string;
  /** Prompt text (message content, text parts, inputs): a value split across two of these is still found. */
  prose: boolean;
  /** JSON text (tool-call arguments): placeholders and originals are escaped for it. */
  json: boolean;
}

/** What a scan found: categories and unscannable kinds for policy, and where, for redaction. */
export interface ScanResult {
  categories: PiiCategory[];
  unscannable: UnscannableKind[];
  slots: Slot[];
  /** Findings per slot index, in the slot's own text, sorted and non-overlapping. */
  hits: Map<number, PiiFinding[]>;
  /** The extra strings scanned (client headers carried upstream). */
  extras: readonly string[];
  /** Findings in the extra strings, by index. */
  extraHits: Map<number, PiiFinding[]>;
}

const PROSE_KEYS: ReadonlySet<string> = new Set(['content', 'text', 'input', 'system', 'prompt', 'instructions', 'input_text']);
const IMAGE_TYPES: ReadonlySet<string> = new Set(['image_url', 'input_image', 'image']);
const AUDIO_TYPES: ReadonlySet<string> = new Set(['input_audio', 'audio']);
const FILE_TYPES: ReadonlySet<string> = new Set(['file', 'input_file', 'document']);
const DATA_URL = /^\s*data:/i;

/** A scan longer than this runs in slices, yielding to the event loop between them. */
const SYNC_CHARS = 256 * 1024;
/** One slice of a long string, with the context around it that a detector may look at. */
const SLICE = 64 * 1024;
const SLICE_BEFORE = 256;
const SLICE_AFTER = 16 * 1024;
/** Yield to the event loop when a scan has held it this long. */
const YIELD_AFTER_MS = 8;
/** How much of each side of a boundary between prose strings is scanned for a value split across it. */
const SPLIT_WINDOW = 128;

/** A stack entry of the walk: a value (or an object key, when isKey) with where it sits. */
type Entry = [value: unknown, holder: Slot['holder'] | undefined, key: string | number, isKey: boolean, proseContext: boolean];

/**
 * Every string of a JSON value, object keys included, in document order; iterative, so depth
 * costs no stack. Notes the content that cannot be read for personal data.
 */
export function collectSlots(root: unknown, unscannable: Set<UnscannableKind>): Slot[] {
  const slots: Slot[] = [];
  const stack: Entry[] = [[root, undefined, '', false, false]];
  while (stack.length > 0) {
    const [value, holder, key, isKey, proseContext] = stack.pop()!;
    if (typeof value === 'string') {
      if (holder === undefined) continue;
      if (isKey) {
        slots.push({ holder, key, isKey: true, text: value, prose: false, json: false });
        continue;
      }
      const dataUrl = DATA_URL.test(value);
      if (dataUrl) unscannable.add(dataKind(value));
      const prose = typeof key === 'string' ? PROSE_KEYS.has(key) : proseContext;
      // A data: URL's payload is an encoded file: only its header is text.
      const text = dataUrl ? value.slice(0, Math.max(0, value.indexOf(','))) : value;
      slots.push({ holder, key, isKey: false, text, prose, json: key === 'arguments' });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      const prose = typeof key === 'string' ? PROSE_KEYS.has(key) : proseContext;
      if ((key === 'input' || key === 'prompt') && value.length > 0 && isTokenIds(value)) unscannable.add('token_ids');
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], value, i, false, prose]);
      continue;
    }
    const object = value as Record<string, unknown>;
    const type = object.type;
    if (typeof type === 'string') noteType(type.toLowerCase(), unscannable);
    const keys = Object.keys(object);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      noteKey(k, unscannable);
      stack.push([object[k], object, k, false, false]);
      stack.push([k, object, k, true, false]);
    }
  }
  return slots;
}

function noteType(type: string, into: Set<UnscannableKind>): void {
  if (IMAGE_TYPES.has(type)) into.add('image');
  else if (AUDIO_TYPES.has(type)) into.add('audio');
  else if (FILE_TYPES.has(type)) into.add('file');
}

function noteKey(key: string, into: Set<UnscannableKind>): void {
  if (key === 'image_url') into.add('image');
  else if (key === 'input_audio') into.add('audio');
  else if (key === 'file_data' || key === 'file_id') into.add('file');
}

function dataKind(url: string): UnscannableKind {
  const mime = url.trimStart().slice(5, 11).toLowerCase();
  return mime.startsWith('image') ? 'image' : mime.startsWith('audio') ? 'audio' : 'file';
}

function isTokenIds(value: unknown[]): boolean {
  const first = value[0];
  return typeof first === 'number' || (Array.isArray(first) && typeof first[0] === 'number');
}

/**
 * Scans every string of `root` (and `extra` strings, such as client headers carried upstream):
 * each one on its own, then each boundary between prompt texts, joined as they are and with a
 * space, for a value split across them. Large payloads are scanned in slices that yield to the
 * event loop, so the result is then a promise.
 */
export function scanPayload(root: unknown, scanner: PiiScanner, extra: readonly string[] = [], known?: ReadonlySet<string>): ScanResult | Promise<ScanResult> {
  const kinds = new Set<UnscannableKind>();
  const slots = collectSlots(root, kinds);
  let total = 0;
  for (const s of slots) total += s.text.length;
  if (total <= SYNC_CHARS) {
    const hits = new Map<number, PiiFinding[]>();
    for (let i = 0; i < slots.length; i++) {
      const text = slots[i].text;
      if (cannotHold(text) || known?.has(text) === true) continue;
      const found = findIn(scanner, text);
      if (found !== undefined) hits.set(i, found);
    }
    return finish(scanner, slots, hits, kinds, extra, known);
  }
  return scanSliced(scanner, slots, kinds, extra, known);
}

/**
 * Strings no detector can find anything in: shorter than the shortest value (`a@b.io`), or
 * OpenAI field names and enum values, which fill every request's keys.
 */
function cannotHold(text: string): boolean {
  return text.length < 6 || WIRE_WORDS.has(text);
}
const WIRE_WORDS: ReadonlySet<string> = new Set([
  'messages', 'content', 'system', 'developer', 'assistant', 'function', 'tool_calls', 'tool_call_id', 'arguments', 'temperature',
  'max_tokens', 'max_completion_tokens', 'stream_options', 'include_usage', 'response_format', 'json_object', 'json_schema',
  'frequency_penalty', 'presence_penalty', 'parallel_tool_calls', 'tool_choice', 'logprobs', 'top_logprobs', 'metadata',
  'image_url', 'input_audio', 'encoding_format', 'dimensions', 'reasoning_effort', 'modalities', 'prediction', 'properties',
  'required', 'description', 'parameters', 'additionalProperties', 'object', 'string', 'number', 'integer', 'boolean', 'strict',
]); // prettier-ignore

/**
 * The strings of a scan that hold nothing: an egress check of the bytes built from them need
 * not read them again (the same text, the same detectors), only what a mapper or redaction added.
 */
export function cleanTexts(result: ScanResult): Set<string> {
  const clean = new Set<string>();
  for (let i = 0; i < result.slots.length; i++) if (!result.hits.has(i)) clean.add(result.slots[i].text);
  for (let i = 0; i < result.extras.length; i++) if (!result.extraHits.has(i)) clean.add(result.extras[i]);
  return clean;
}

async function scanSliced(
  scanner: PiiScanner,
  slots: Slot[],
  kinds: Set<UnscannableKind>,
  extra: readonly string[],
  known: ReadonlySet<string> | undefined,
): Promise<ScanResult> {
  const hits = new Map<number, PiiFinding[]>();
  let since = performance.now();
  for (let i = 0; i < slots.length; i++) {
    const text = slots[i].text;
    if (cannotHold(text) || known?.has(text) === true) continue;
    let found: PiiFinding[] | undefined;
    for (let from = 0; from < text.length || from === 0; from += SLICE) {
      const lo = Math.max(0, from - SLICE_BEFORE);
      const window = text.length <= SLICE ? text : text.slice(lo, Math.min(text.length, from + SLICE + SLICE_AFTER));
      const base = text.length <= SLICE ? 0 : lo;
      for (const f of findIn(scanner, window) ?? []) {
        const start = f.start + base;
        if (start < from || start >= from + SLICE) continue;
        const end = f.end + base;
        if (found !== undefined && found.length > 0 && start < found[found.length - 1].end) continue;
        (found ??= []).push({ category: f.category, start, end });
      }
      if (performance.now() - since > YIELD_AFTER_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        since = performance.now();
      }
      if (text.length <= SLICE) break;
    }
    if (found !== undefined) hits.set(i, found);
  }
  return finish(scanner, slots, hits, kinds, extra, known);
}

function finish(
  scanner: PiiScanner,
  slots: Slot[],
  hits: Map<number, PiiFinding[]>,
  kinds: Set<UnscannableKind>,
  extra: readonly string[],
  known?: ReadonlySet<string>,
): ScanResult {
  splitValues(scanner, slots, hits);
  const extraHits = new Map<number, PiiFinding[]>();
  for (let i = 0; i < extra.length; i++) {
    if (known?.has(extra[i]) === true) continue;
    const found = findInToken(scanner, extra[i]);
    if (found !== undefined) extraHits.set(i, found);
  }
  let mask = 0;
  for (const found of hits.values()) for (const f of found) mask |= categoryBit(f.category);
  for (const found of extraHits.values()) for (const f of found) mask |= categoryBit(f.category);
  return { categories: mask === 0 ? [] : categoriesOfMask(mask), unscannable: [...kinds].sort(), slots, hits, extras: extra, extraHits };
}

/** Findings in one string, in the string's own coordinates (the detectors read its normalised view). */
export function findIn(scanner: PiiScanner, text: string): PiiFinding[] | undefined {
  const view = scanView(text);
  const found = scanner.find(view.text);
  if (found === undefined || view.starts === undefined) return found;
  for (const f of found) [f.start, f.end] = originalSpan(view, f.start, f.end);
  return found;
}

/**
 * Findings in a header value such as a request id, where values sit between separators
 * (`req-123-45-6789`, `trace_sk_live_...`) that detectors otherwise read as part of a longer word:
 * the value is also scanned from just after each separator. Header values are short.
 */
function findInToken(scanner: PiiScanner, text: string): PiiFinding[] | undefined {
  let found = findIn(scanner, text);
  for (let i = 1; i < text.length && i < 1024; i++) {
    if (!TOKEN_SEPARATOR.test(text[i - 1]) || TOKEN_SEPARATOR.test(text[i])) continue;
    for (const f of findIn(scanner, text.slice(i)) ?? []) {
      const start = f.start + i;
      const end = f.end + i;
      if (found?.some((g) => g.start < end && g.end > start)) continue;
      (found ??= []).push({ category: f.category, start, end });
    }
  }
  return found?.sort((a, b) => a.start - b.start);
}
const TOKEN_SEPARATOR = /[-_:/.=;,+]/;

/** A piece of a boundary window: `length` characters of slot `slot` from `at`, placed at `offset` in the window. */
interface Piece {
  slot: number;
  at: number;
  offset: number;
  length: number;
}

/**
 * Values split across prompt texts (`jane.doe@` + `example.com` in two messages or parts): each
 * boundary is scanned with up to SPLIT_WINDOW characters either side, joined as is and with a
 * space, and a finding that crosses it is recorded in each slot it covers.
 */
function splitValues(scanner: PiiScanner, slots: Slot[], hits: Map<number, PiiFinding[]>): void {
  const prose: number[] = [];
  for (let i = 0; i < slots.length; i++) if (slots[i].prose && slots[i].text.length > 0) prose.push(i);
  for (let b = 1; b < prose.length; b++) {
    const left: Piece[] = [];
    let need = SPLIT_WINDOW;
    for (let k = b - 1; k >= 0 && need > 0; k--) {
      const text = slots[prose[k]].text;
      const length = Math.min(need, text.length);
      left.unshift({ slot: prose[k], at: text.length - length, offset: 0, length });
      need -= length;
    }
    const right: Piece[] = [];
    need = SPLIT_WINDOW;
    for (let k = b; k < prose.length && need > 0; k++) {
      const text = slots[prose[k]].text;
      const length = Math.min(need, text.length);
      right.push({ slot: prose[k], at: 0, offset: 0, length });
      need -= length;
    }
    const joints = jointsAt(slots[prose[b - 1]].text, slots[prose[b]].text);
    for (const joint of joints) crossing(scanner, slots, hits, left, right, joint);
  }
}

const NO_JOINT: readonly string[] = [];
const AS_IS: readonly string[] = [''];
const BOTH: readonly string[] = ['', ' '];

/**
 * How a boundary between two prompt texts may hide a split value: mid-token (`jane.doe@` +
 * `example.com`, `415 555` + `2671`) it is read as is and with a space; beside white space only
 * next to a digit, `@` or `+` (`4111 1111 ` + `1111 1111`); a sentence ending before a capital
 * or white space hides nothing.
 */
function jointsAt(left: string, right: string): readonly string[] {
  const l = left.charCodeAt(left.length - 1);
  const r = right.charCodeAt(0);
  if (isSpace(l) || isSpace(r)) return DIGIT_OR_AT.test(left.slice(-3)) || DIGIT_OR_AT.test(right.slice(0, 3)) ? AS_IS : NO_JOINT;
  if ((l === 46 || l === 33 || l === 63) && ((r >= 65 && r <= 90) || r === 34 || r === 39 || r === 40)) return NO_JOINT;
  return BOTH;
}
const DIGIT_OR_AT = /[0-9@+]/;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 160;
}

function crossing(scanner: PiiScanner, slots: Slot[], hits: Map<number, PiiFinding[]>, left: Piece[], right: Piece[], joint: string): void {
  let window = '';
  const pieces: Piece[] = [];
  for (const p of left) {
    pieces.push({ ...p, offset: window.length });
    window += slots[p.slot].text.slice(p.at, p.at + p.length);
  }
  const boundary = window.length;
  window += joint;
  for (const p of right) {
    pieces.push({ ...p, offset: window.length });
    window += slots[p.slot].text.slice(p.at, p.at + p.length);
  }
  const found = findIn(scanner, window);
  if (found === undefined) return;
  for (const f of found) {
    if (f.start >= boundary || f.end <= boundary + joint.length) continue;
    // A value whole on one side that merely runs on into the next text (`a@b.io` + `card`) is not a split one;
    // a value of another kind found in one piece (a phone inside a split IBAN) does not stop it.
    if (pieces.some((p) => overlapsHit(hits, p, f))) continue;
    for (const p of pieces) {
      const s = Math.max(f.start, p.offset);
      const e = Math.min(f.end, p.offset + p.length);
      if (s >= e) continue;
      addHit(hits, p.slot, { category: f.category, start: p.at + s - p.offset, end: p.at + e - p.offset });
    }
  }
}

/** Whether the part of `f` that falls in piece `p` overlaps a finding of the same category already made in that slot on its own. */
function overlapsHit(hits: Map<number, PiiFinding[]>, p: Piece, f: PiiFinding): boolean {
  const s = Math.max(f.start, p.offset);
  const e = Math.min(f.end, p.offset + p.length);
  if (s >= e) return false;
  const from = p.at + s - p.offset;
  const to = p.at + e - p.offset;
  return hits.get(p.slot)?.some((h) => h.category === f.category && h.start < to && h.end > from) === true;
}

/** Adds a finding to a slot's sorted, non-overlapping list, merging it with any it overlaps. */
function addHit(hits: Map<number, PiiFinding[]>, slot: number, finding: PiiFinding): void {
  const list = hits.get(slot);
  if (list === undefined) {
    hits.set(slot, [finding]);
    return;
  }
  const merged: PiiFinding[] = [];
  let f = finding;
  for (const h of list) {
    if (h.end <= f.start || h.start >= f.end) merged.push(h);
    else f = { category: h.end - h.start >= f.end - f.start ? h.category : f.category, start: Math.min(h.start, f.start), end: Math.max(h.end, f.end) };
  }
  merged.push(f);
  merged.sort((a, b) => a.start - b.start);
  hits.set(slot, merged);
}
