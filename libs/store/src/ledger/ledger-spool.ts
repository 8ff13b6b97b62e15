import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestOutcome } from '@switchyard/contracts';

interface Segment {
  name: string;
  /** Complete lines in it. */
  records: number;
  bytes: number;
}

/** A run of spooled records handed out for replay; `consumed` once they are in the database. */
export interface SpoolChunk {
  readonly records: readonly RequestOutcome[];
}

/** A line that could not be read back (a line torn by a crash mid-append): skipped, and said so. */
export type UnreadableLine = (segment: string, line: number) => void;

/**
 * Records the database could not take, kept on disk until it can: append-only ndjson segment
 * files under `dir`, one record per line, each append fsynced. New records go to the active
 * segment; replay reads the oldest segment whole (sealing the active one when it is the only one
 * left, so appends move on to a new file) and deletes it once all its records are in. A crash
 * between the two replays the segment again, which the ledger's primary key makes harmless.
 * Segment names start with `prefix`, so sinks of different databases may share a directory.
 */
export class LedgerSpool {
  /** Oldest first; the last one may be the active segment. */
  private readonly segments: Segment[] = [];
  private active?: { segment: Segment; file: FileHandle };
  private reading?: { segment: Segment; records: RequestOutcome[]; offset: number; chunk: number };
  private seq = 0;

  constructor(
    readonly dir: string,
    private readonly prefix: string,
    private readonly onUnreadable: UnreadableLine,
    private readonly maxSegmentRecords = 10_000,
  ) {}

  /** Finds the segments an earlier run left behind. The directory is made only when something is spooled. */
  async open(): Promise<void> {
    const all = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    const names = all.filter((n) => n.startsWith(`${this.prefix}-`) && n.endsWith('.ndjson')).sort();
    for (const name of names) {
      const text = await readFile(join(this.dir, name), 'utf8');
      this.segments.push({ name, records: countLines(text), bytes: Buffer.byteLength(text) });
    }
  }

  get empty(): boolean {
    return this.segments.length === 0;
  }

  /** Records on disk not yet replayed. */
  get records(): number {
    return this.segments.reduce((n, s) => n + s.records, 0) - (this.reading?.offset ?? 0);
  }

  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  /** Appends records as lines and fsyncs; on a failed write the segment is sealed, so a torn line stays last in its file. */
  async append(records: readonly RequestOutcome[]): Promise<void> {
    if (records.length === 0) return;
    if (this.active !== undefined && this.active.segment.records >= this.maxSegmentRecords) await this.seal();
    const active = this.active ?? (await this.startSegment());
    const text = records.map((r) => JSON.stringify(spoolable(r))).join('\n') + '\n';
    try {
      await active.file.appendFile(text, 'utf8');
      await active.file.sync();
    } catch (err) {
      await this.seal();
      throw err;
    }
    active.segment.records += records.length;
    active.segment.bytes += Buffer.byteLength(text);
  }

  /** The next records to replay (at most `max`), oldest first; undefined when the spool is empty. */
  async next(max: number): Promise<SpoolChunk | undefined> {
    if (this.reading === undefined) {
      const segment = this.segments[0];
      if (segment === undefined) return undefined;
      if (this.active?.segment === segment) await this.seal();
      const text = await readFile(join(this.dir, segment.name), 'utf8');
      this.reading = { segment, records: this.parse(segment.name, text), offset: 0, chunk: 0 };
      // What was counted at start may include a torn line: count what is there.
      segment.records = this.reading.records.length;
    }
    const { records, offset } = this.reading;
    const chunk = records.slice(offset, offset + max);
    this.reading.chunk = chunk.length;
    return { records: chunk };
  }

  /** The last chunk `next` gave is in the database: move on, deleting the segment when it is done. */
  async consumed(): Promise<void> {
    const reading = this.reading;
    if (reading === undefined) return;
    reading.offset += reading.chunk;
    reading.chunk = 0;
    if (reading.offset < reading.records.length) return;
    await unlink(join(this.dir, reading.segment.name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    this.segments.splice(this.segments.indexOf(reading.segment), 1);
    this.reading = undefined;
  }

  async close(): Promise<void> {
    await this.seal();
  }

  private async startSegment(): Promise<{ segment: Segment; file: FileHandle }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stamp = String(Date.now()).padStart(15, '0');
    const name = `${this.prefix}-${stamp}-${String(this.seq++).padStart(6, '0')}-${process.pid}.ndjson`;
    const file = await open(join(this.dir, name), 'a', 0o600);
    const segment: Segment = { name, records: 0, bytes: 0 };
    this.segments.push(segment);
    this.active = { segment, file };
    return this.active;
  }

  private async seal(): Promise<void> {
    const active = this.active;
    this.active = undefined;
    await active?.file.close();
  }

  private parse(name: string, text: string): RequestOutcome[] {
    const lines = text.split('\n');
    // Only newline-terminated lines are whole; a last line without one was torn.
    const last = lines.pop();
    if (last !== undefined && last.length > 0) this.onUnreadable(name, lines.length + 1);
    const records: RequestOutcome[] = [];
    lines.forEach((line, i) => {
      if (line.length === 0) return;
      try {
        records.push(JSON.parse(line) as RequestOutcome);
      } catch {
        this.onUnreadable(name, i + 1);
      }
    });
    return records;
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** What the ledger keeps of a principal (its grants are the tenant's settings, not the request's). */
function spoolable(o: RequestOutcome): RequestOutcome {
  const p = o.principal;
  return p === undefined ? o : { ...o, principal: { tenantId: p.tenantId, keyId: p.keyId, scopes: p.scopes } };
}
