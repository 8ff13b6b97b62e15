import type { ChatCompletionChunk, UpstreamError, Usage } from '@switchyard/contracts';
import type { ChatRelay, RelayOptions, RelayOutput } from '../adapter';
import { eachSseEvent, SseFramer } from '../http/sse-framer';
import type { StreamListener, UpstreamStream } from '../http/upstream-stream';

/** Relayed bytes held while nothing writes them yet (before `pipe`), past which the upstream pauses. */
const HIGH_WATER = 64 * 1024;
const NULL_USAGE = '"usage":null';

/** How the adapter reads an event it must look into; throws the UpstreamError of a failure event or a bad one. */
export type ChunkParser = (data: string) => ChatCompletionChunk;

/**
 * An OpenAI-compatible backend's stream relayed to an OpenAI-dialect client as it came: each
 * upstream read's whole events leave in one write, unparsed unless they carry usage, an error or no
 * choices. `"usage":null` (sent on every chunk once usage is asked for) is cut out, and the usage
 * chunk left out, when the client did not ask for usage — what the parsing relay does too.
 */
export class OpenAIStreamRelay implements ChatRelay, StreamListener {
  readonly first: Promise<void>;
  usage: Usage | undefined;
  chunks = 0;
  private readonly framer: SseFramer;
  private firstCame = false;
  private resolveFirst!: () => void;
  private rejectFirst!: (err: UpstreamError) => void;
  /** What came before `pipe`. */
  private pending: (Buffer | string)[] = [];
  private pendingBytes = 0;
  private out: RelayOutput | undefined;
  private settleEnd: ((err?: UpstreamError) => void) | undefined;
  /** `[DONE]` came: the rest is read (for the pooled connection) and dropped. */
  private done = false;
  private failure: UpstreamError | undefined;
  /** The failure an event of the last read carried (an error event, or one that cannot be read). */
  private failedEvent: UpstreamError | undefined;
  private readonly unhold = (): void => this.stream.unhold();

  constructor(
    private readonly stream: UpstreamStream,
    private readonly options: RelayOptions,
    maxEventBytes: number,
    tooLarge: () => UpstreamError,
    private readonly parse: ChunkParser,
    /** The error of a stream that ended before `[DONE]`. */
    private readonly cutOff: () => UpstreamError,
  ) {
    this.framer = new SseFramer(maxEventBytes, tooLarge);
    this.first = new Promise<void>((resolve, reject) => {
      this.resolveFirst = resolve;
      this.rejectFirst = reject;
    });
    this.first.catch(() => undefined);
    stream.listen(this);
  }

  pipe(out: RelayOutput): Promise<void> {
    this.out = out;
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const piece of pending) this.emit(piece);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.done || out.closed) return Promise.resolve();
    this.stream.unhold();
    return new Promise<void>((resolve, reject) => {
      this.settleEnd = (err) => (err === undefined ? resolve() : reject(err));
    });
  }

  stop(): void {
    this.stream.stop();
  }

  data(chunk: Buffer): void {
    if (this.done || this.failure !== undefined) return;
    let whole: Buffer | undefined;
    try {
      whole = this.framer.push(chunk);
    } catch (err) {
      this.fail(err as UpstreamError);
      return;
    }
    if (whole === undefined) return;
    const piece = this.relayed(whole);
    if (piece.length > 0) this.emit(piece);
    if (!this.firstCame && (this.chunks > 0 || this.done)) {
      this.firstCame = true;
      this.resolveFirst();
    }
    // What came before a failing event is relayed; the failure then ends the stream.
    const failed = this.failedEvent;
    if (failed !== undefined) this.fail(failed);
    else if (this.done) this.finish();
  }

  end(): void {
    if (this.done || this.failure !== undefined) return;
    // A stream that stops short of [DONE] was cut off, whatever it sent (nothing, HTML, half an event).
    this.fail(this.cutOff());
  }

  fail(err: UpstreamError): void {
    if (this.done || this.failure !== undefined) return;
    this.failure = err;
    this.stream.stop();
    if (!this.firstCame) this.rejectFirst(err);
    const settle = this.settleEnd;
    this.settleEnd = undefined;
    settle?.(err);
  }

  private finish(): void {
    const settle = this.settleEnd;
    this.settleEnd = undefined;
    settle?.();
  }

  /** Writes `piece` to the client, or keeps it until `pipe`; holds the upstream while the client is behind. */
  private emit(piece: Buffer | string): void {
    const out = this.out;
    if (out === undefined) {
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      if (this.pendingBytes > HIGH_WATER) this.stream.hold();
      return;
    }
    if (out.closed) return this.leave();
    if (!out.write(piece)) {
      if (out.closed) return this.leave();
      this.stream.hold();
      out.onDrain(this.unhold);
    }
  }

  /** The client left: the upstream call stops and the relay ends quietly. */
  private leave(): void {
    this.stream.stop();
    this.finish();
  }

  /**
   * The bytes to send for a run of whole events: `whole` itself when every event goes as it came,
   * else the text with events changed, dropped or cut at `[DONE]` or at a failing event (then
   * `failedEvent` says why).
   */
  private relayed(whole: Buffer): Buffer | string {
    const text = whole.toString('utf8');
    let out = '';
    let copied = 0;
    let changed = false;
    eachSseEvent(text, (data, start, end, plain) => {
      if (data === '[DONE]') {
        this.done = true;
        out += text.slice(copied, start);
        copied = text.length;
        changed = true;
        return false;
      }
      let sent: string | undefined;
      if (data !== undefined) {
        try {
          sent = this.check(data);
        } catch (err) {
          this.failedEvent = err as UpstreamError;
          out += text.slice(copied, start);
          copied = text.length;
          changed = true;
          return false;
        }
        this.chunks++;
        this.options.meter?.pushJson(data);
      }
      if (plain && sent === data) return;
      out += text.slice(copied, start);
      if (sent !== undefined) out += `data: ${sent}\n\n`;
      copied = end;
      changed = true;
    });
    if (!changed) return whole;
    return copied < text.length ? out + text.slice(copied) : out;
  }

  /** The data to send for one event (itself when unchanged), undefined to leave it out. */
  private check(data: string): string | undefined {
    const at = data.indexOf('"usage"');
    const nullUsage = at >= 0 && data.startsWith(NULL_USAGE, at);
    const look =
      (at >= 0 && !nullUsage) ||
      data.includes('"error"') ||
      !data.includes('"choices"') ||
      data.charCodeAt(0) !== 123 ||
      data.charCodeAt(data.length - 1) !== 125;
    if (!look) {
      if (!nullUsage || this.options.includeUsage) return data;
      if (data.charCodeAt(at - 1) === 44) return data.slice(0, at - 1) + data.slice(at + NULL_USAGE.length);
      if (data.charCodeAt(at + NULL_USAGE.length) === 44) return data.slice(0, at) + data.slice(at + NULL_USAGE.length + 1);
    }
    const chunk = this.parse(data);
    if (chunk.usage) this.usage = chunk.usage;
    if (this.options.includeUsage) return data;
    if (chunk.choices.length === 0) return undefined;
    if (chunk.usage === undefined) return data;
    delete chunk.usage;
    return JSON.stringify(chunk);
  }
}
