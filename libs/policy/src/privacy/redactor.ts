import type { ChatCompletion, ChatCompletionChunk, ChatCompletionChunkChoice, ChatCompletionRequest } from '@switchyard/contracts';
import { categoriesOfMask, categoryBit, type PiiCategory, type PiiFinding } from './detectors';
import type { ScanResult, Slot } from './scan';

export interface Redaction {
  /** A copy of the request with every finding replaced by a stable placeholder; the original request is NOT mutated. */
  request: ChatCompletionRequest;
  /** Categories found (no values). */
  categories: PiiCategory[];
  /** Number of distinct values replaced. */
  count: number;
  /** Restores placeholders in a whole answer (content, tool-call arguments), in place, returning it. */
  restoreCompletion(completion: ChatCompletion): ChatCompletion;
  /** A stateful restorer for a stream: feed each chunk in order; returns the chunk(s) to emit. */
  streamRestorer(): StreamRestorer;
}

export interface StreamRestorer {
  /**
   * Returns chunks with placeholders restored. A placeholder split across chunks is held back (the
   * held text is emitted with the next chunk) so the client never sees a partial placeholder.
   */
  push(chunk: ChatCompletionChunk): ChatCompletionChunk[];
  /**
   * Flushes held-back text at end of stream (as one extra chunk cloned from the last seen chunk's
   * id/model/created, with that choice's delta content), or [] if nothing is held. push() itself
   * flushes a choice's held text when it sees that choice's finish_reason.
   */
  flush(): ChatCompletionChunk[];
}

const LABELS: Record<PiiCategory, string> = {
  email: 'EMAIL',
  phone: 'PHONE',
  credit_card: 'CREDIT_CARD',
  iban: 'IBAN',
  us_ssn: 'US_SSN',
  ip_address: 'IP_ADDRESS',
  secret: 'SECRET',
};

/** Any placeholder this module can issue. Used to restore answers and to reserve look-alikes already in a request. */
const PLACEHOLDER = /\[(?:EMAIL|PHONE|CREDIT_CARD|IBAN|US_SSN|IP_ADDRESS|SECRET)_\d{1,9}\]/g;
/** Longest placeholder PLACEHOLDER admits: `[IP_ADDRESS_999999999]`. */
const MAX_PLACEHOLDER_LENGTH = 22;
/** Characters a value needs escaped to sit inside a JSON string (tool-call arguments). */
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f]/;

interface Original {
  /** The value as the user wrote it. */
  value: string;
  /** The same, escaped for the inside of a JSON string. */
  json: string;
}

/**
 * A copy of a request with every finding of `scan` (any string at any depth, object keys
 * included) replaced by a stable placeholder, and what restores an answer; undefined when the
 * scan found nothing, so the caller can skip all restoration work. The request is not mutated.
 */
export function redactRequest(request: ChatCompletionRequest, scan: ScanResult): Redaction | undefined {
  const redacted = redactPayload(request, scan);
  if (redacted === undefined) return undefined;
  const { value, book } = redacted;
  return new RequestRedaction(value, categoriesOfMask(book.mask), book.count, book.originals);
}

/**
 * A copy of any JSON value with the scan's findings replaced by placeholders (an embeddings
 * request, a chat request); undefined when nothing was found. `book` knows the originals.
 */
export function redactPayload<T>(root: T, scan: ScanResult): { value: T; book: PlaceholderBook } | undefined {
  if (scan.hits.size === 0) return undefined;
  let reserved: Set<string> | undefined;
  for (const slot of scan.slots) reserved = collectPlaceholders(slot.text, reserved);
  const book = new PlaceholderBook(reserved);
  const copies = new Map<object, Slot['holder']>();
  const value = deepCopy(root, copies);
  // Keys last: renaming a key rebuilds its object, and values were written into the copy by key.
  const renames: [Record<string, unknown>, string, string][] = [];
  for (const [index, findings] of scan.hits) {
    const slot = scan.slots[index];
    const holder = copies.get(slot.holder)!;
    const text = book.redact(slot.text, findings, slot.json);
    if (slot.isKey) renames.push([holder as Record<string, unknown>, slot.key as string, text]);
    else if (typeof slot.key === 'number') (holder as unknown[])[slot.key] = text;
    else (holder as Record<string, unknown>)[slot.key] = text;
  }
  for (const [holder, from, to] of renames) renameKey(holder, from, to);
  if (book.count === 0) return undefined; // every finding sat inside a JSON escape (see PlaceholderBook.redact)
  return { value, book };
}

/** A deep copy of plain JSON data, iterative; `copies` maps each original object or array to its copy. */
function deepCopy<T>(root: T, copies: Map<object, Slot['holder']>): T {
  if (root === null || typeof root !== 'object') return root;
  const top = (Array.isArray(root) ? new Array<unknown>(root.length) : {}) as Slot['holder'];
  copies.set(root, top);
  const stack: [object, Slot['holder']][] = [[root, top]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    const keys = Array.isArray(from) ? from.map((_v, i) => i) : Object.keys(from);
    for (const key of keys) {
      const v = (from as Record<string | number, unknown>)[key];
      if (v !== null && typeof v === 'object') {
        const copy = (Array.isArray(v) ? new Array<unknown>(v.length) : {}) as Slot['holder'];
        copies.set(v, copy);
        stack.push([v, copy]);
        (to as Record<string | number, unknown>)[key] = copy;
      } else (to as Record<string | number, unknown>)[key] = v;
    }
  }
  return top as T;
}

/** Renames a key in place, keeping the order of keys. */
function renameKey(object: Record<string, unknown>, from: string, to: string): void {
  if (from === to) return;
  const entries = Object.entries(object);
  for (const [k] of entries) delete object[k];
  for (const [k, v] of entries) object[k === from ? to : k] = v;
}

function collectPlaceholders(text: string, into: Set<string> | undefined): Set<string> | undefined {
  if (text.indexOf('[') === -1) return into;
  PLACEHOLDER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PLACEHOLDER.exec(text)) !== null) (into ??= new Set()).add(m[0]);
  return into;
}

/** Issues placeholders: one per distinct value, numbered per category from 1. */
export class PlaceholderBook {
  readonly originals = new Map<string, Original>();
  private readonly byValue = new Map<string, string>();
  private readonly counters = new Map<PiiCategory, number>();
  mask = 0;

  constructor(private readonly reserved: Set<string> | undefined) {}

  get count(): number {
    return this.byValue.size;
  }

  /**
   * `text` with each finding replaced by its placeholder. In JSON text (tool-call arguments) a
   * finding that begins right after an escape (`\n`, `\u00e9`) begins after the escape instead,
   * and the value recorded is the decoded one.
   */
  redact(text: string, findings: readonly PiiFinding[], json: boolean): string {
    let out = '';
    let pos = 0;
    for (const f of findings) {
      let start = f.start;
      if (json) start = afterEscape(text, start);
      if (start >= f.end) continue;
      let value = text.slice(start, f.end);
      if (json && value.indexOf('\\') !== -1) value = decodeJsonFragment(value);
      out += text.slice(pos, start) + this.placeholder(f.category, value);
      pos = f.end;
    }
    return out + text.slice(pos);
  }

  private placeholder(category: PiiCategory, value: string): string {
    const known = this.byValue.get(value);
    if (known !== undefined) return known;
    let n = this.counters.get(category) ?? 0;
    let placeholder: string;
    do placeholder = `[${LABELS[category]}_${++n}]`;
    while (this.reserved?.has(placeholder));
    this.counters.set(category, n);
    this.byValue.set(value, placeholder);
    this.originals.set(placeholder, { value, json: NEEDS_JSON_ESCAPE.test(value) ? JSON.stringify(value).slice(1, -1) : value });
    this.mask |= categoryBit(category);
    return placeholder;
  }
}

/** If `start` sits inside a JSON escape (after an odd run of backslashes), the index just past that escape. */
function afterEscape(text: string, start: number): number {
  let slashes = 0;
  while (start - slashes > 0 && text.charCodeAt(start - slashes - 1) === 92) slashes++;
  if (slashes % 2 === 0) return start;
  return start + (text.charCodeAt(start) === 117 /* u */ ? 5 : 1);
}

function decodeJsonFragment(fragment: string): string {
  try {
    const decoded: unknown = JSON.parse(`"${fragment}"`);
    return typeof decoded === 'string' ? decoded : fragment;
  } catch {
    return fragment;
  }
}

/** `text` with every known placeholder replaced by its original (JSON-escaped inside tool-call arguments). */
function restoreText(text: string, originals: ReadonlyMap<string, Original>, json: boolean): string {
  if (text.indexOf('[') === -1) return text;
  PLACEHOLDER.lastIndex = 0;
  let out: string | undefined;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = PLACEHOLDER.exec(text)) !== null) {
    const original = originals.get(m[0]);
    if (original === undefined) continue;
    out = (out ?? '') + text.slice(pos, m.index) + (json ? original.json : original.value);
    pos = m.index + m[0].length;
  }
  return out === undefined ? text : out + text.slice(pos);
}

class RequestRedaction implements Redaction {
  private prefixes: ReadonlySet<string> | undefined;

  constructor(
    readonly request: ChatCompletionRequest,
    readonly categories: PiiCategory[],
    readonly count: number,
    private readonly originals: ReadonlyMap<string, Original>,
  ) {}

  restoreCompletion(completion: ChatCompletion): ChatCompletion {
    const choices = completion.choices;
    if (!Array.isArray(choices)) return completion;
    for (const choice of choices) {
      const message = choice?.message;
      if (!message) continue;
      if (typeof message.content === 'string') message.content = restoreText(message.content, this.originals, false);
      if (typeof message.refusal === 'string') message.refusal = restoreText(message.refusal, this.originals, false);
      if (Array.isArray(message.tool_calls)) {
        for (const call of message.tool_calls) {
          const fn = call?.function;
          if (fn && typeof fn.arguments === 'string') fn.arguments = restoreText(fn.arguments, this.originals, true);
          if (fn && typeof fn.name === 'string') fn.name = restoreText(fn.name, this.originals, false);
        }
      }
    }
    return completion;
  }

  streamRestorer(): StreamRestorer {
    if (this.prefixes === undefined) {
      // Every proper prefix of every placeholder: the tails a stream may have to hold back.
      const prefixes = new Set<string>();
      for (const placeholder of this.originals.keys()) for (let k = 1; k < placeholder.length; k++) prefixes.add(placeholder.slice(0, k));
      this.prefixes = prefixes;
    }
    return new PlaceholderStreamRestorer(this.originals, this.prefixes);
  }
}

/**
 * Restores placeholders in streamed content and tool-call argument deltas, per choice and per
 * tool call. Text is held back only while the tail after its last `[` is a proper prefix of one of
 * this redaction's placeholders; anything else is emitted at once. Chunks are restored in place.
 */
class PlaceholderStreamRestorer implements StreamRestorer {
  /** Held content per choice index. */
  private content: Map<number, string> | undefined;
  /** Held arguments per choice index, per tool-call index. */
  private args: Map<number, Map<number, string>> | undefined;
  private id = '';
  private model = '';
  private created = 0;
  /** Set by restore(): the tail it held back ('' for none). */
  private held = '';

  constructor(
    private readonly originals: ReadonlyMap<string, Original>,
    private readonly prefixes: ReadonlySet<string>,
  ) {}

  push(chunk: ChatCompletionChunk): ChatCompletionChunk[] {
    this.id = chunk.id;
    this.model = chunk.model;
    this.created = chunk.created;
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return [chunk];
    let heldAll = choices.length > 0;
    for (const choice of choices) {
      if (!this.pushChoice(choice)) heldAll = false;
    }
    // Everything this chunk said is being held: nothing to emit yet.
    if (heldAll && chunk.usage == null) return [];
    return [chunk];
  }

  /** Restores one choice in place; true when its delta was left with nothing but held-back content. */
  private pushChoice(choice: ChatCompletionChunkChoice): boolean {
    const delta = choice?.delta;
    if (delta === null || typeof delta !== 'object') return false;
    const final = choice.finish_reason != null;
    let emptied = false;

    const content = delta.content;
    const heldContent = this.content?.get(choice.index);
    if (typeof content === 'string' || (final && heldContent !== undefined)) {
      if (heldContent !== undefined) this.content!.delete(choice.index);
      const text = heldContent === undefined ? (content as string) : heldContent + (content ?? '');
      delta.content = this.restore(text, final, false);
      if (this.held !== '') {
        (this.content ??= new Map()).set(choice.index, this.held);
        emptied = delta.content === '';
      }
    }

    const calls = delta.tool_calls;
    const heldCalls = this.args?.get(choice.index);
    if (Array.isArray(calls)) {
      for (const call of calls) {
        const fn = call?.function;
        const args = fn?.arguments;
        const heldArgs = heldCalls?.get(call.index);
        if (typeof args !== 'string' && !(final && heldArgs !== undefined)) continue;
        if (heldArgs !== undefined) heldCalls!.delete(call.index);
        const text = heldArgs === undefined ? (args as string) : heldArgs + (args ?? '');
        const restored = this.restore(text, final, true);
        if (fn) fn.arguments = restored;
        else call.function = { arguments: restored };
        if (this.held !== '') this.holdArgs(choice.index, call.index, this.held);
      }
    }
    if (final && heldCalls !== undefined && heldCalls.size > 0) {
      // Arguments still held for tool calls this final delta does not mention.
      const out = (delta.tool_calls ??= []);
      for (const [index, held] of heldCalls) out.push({ index, function: { arguments: held } });
      heldCalls.clear();
    }

    if (!emptied || final || choice.logprobs != null) return false;
    for (const key in delta) if (key !== 'content' && (delta as Record<string, unknown>)[key] != null) return false;
    return true;
  }

  flush(): ChatCompletionChunk[] {
    const indexes = new Set<number>();
    if (this.content) for (const index of this.content.keys()) indexes.add(index);
    if (this.args) for (const [index, calls] of this.args) if (calls.size > 0) indexes.add(index);
    if (indexes.size === 0) return [];
    const choices: ChatCompletionChunkChoice[] = [];
    for (const index of [...indexes].sort((a, b) => a - b)) {
      const delta: ChatCompletionChunkChoice['delta'] = {};
      const content = this.content?.get(index);
      if (content !== undefined) delta.content = content;
      const calls = this.args?.get(index);
      if (calls !== undefined && calls.size > 0) delta.tool_calls = [...calls].map(([call, held]) => ({ index: call, function: { arguments: held } }));
      choices.push({ index, delta, finish_reason: null });
    }
    this.content = undefined;
    this.args = undefined;
    return [{ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices }];
  }

  private holdArgs(choice: number, call: number, text: string): void {
    const byChoice = (this.args ??= new Map<number, Map<number, string>>());
    let calls = byChoice.get(choice);
    if (calls === undefined) byChoice.set(choice, (calls = new Map<number, string>()));
    calls.set(call, text);
  }

  /** Restores `text`, first holding back (into this.held) a tail that may still become a placeholder, unless `final`. */
  private restore(text: string, final: boolean, json: boolean): string {
    this.held = '';
    if (!final) {
      const bracket = text.lastIndexOf('[');
      if (bracket !== -1 && text.length - bracket < MAX_PLACEHOLDER_LENGTH && this.prefixes.has(text.slice(bracket))) {
        this.held = text.slice(bracket);
        text = text.slice(0, bracket);
      }
    }
    return restoreText(text, this.originals, json);
  }
}
