/**
 * The protocol-free core of fake-llm: a plain `node:http` server that reads and records each
 * request, applies the armed fault, runs the auth and JSON checks, and dispatches to the routes its
 * WireProtocol registered. Benchmarks use it as the throughput floor, so the hot path allocates
 * little beyond what the response itself needs.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Exchange } from './exchange';
import { FAULT_MODES, FaultSlot, presentedKey } from './faults';
import type { FakeCore, FakeSettings, Handler, Route, WireProtocol } from './protocol';
import { RequestLog } from './request-log';
import { Responder } from './responder';
import { isObject } from './simulation';
import type { FakeLlm, FakeLlmOptions, FakeLlmStats, FakeProtocol, Fault, RecordedRequest } from './types';

export class FakeLlmServer implements FakeLlm, FakeCore {
  readonly protocol: FakeProtocol;
  readonly requests: RecordedRequest[];
  port = 0;
  origin = '';
  baseUrl = '';
  readonly settings: FakeSettings;
  readonly send: Responder;

  private readonly server: http.Server;
  private readonly host: string;
  private readonly requireApiKey: string | undefined;
  private readonly log: RequestLog;
  private readonly faults = new FaultSlot();
  private readonly routes: readonly Route[];
  private seq = 0;
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly wire: WireProtocol,
    opts: FakeLlmOptions,
  ) {
    this.protocol = wire.name;
    this.host = opts.host ?? '127.0.0.1';
    this.requireApiKey = opts.requireApiKey;
    this.log = new RequestLog(opts.maxRecordedRequests !== undefined && opts.maxRecordedRequests >= 0 ? opts.maxRecordedRequests : Infinity);
    this.requests = this.log.requests;
    const models = opts.models && opts.models.length > 0 ? [...opts.models] : ['fake-model'];
    this.settings = {
      models,
      modelSet: new Set(models),
      latencyMs: opts.latencyMs ?? 0,
      ttftMs: opts.ttftMs ?? 0,
      interChunkMs: opts.interChunkMs ?? 0,
      reply: opts.reply,
      singleChoice: opts.singleChoice === true,
    };
    this.send = new Responder(wire, this.settings, () => this.seq);
    this.setFault(opts.fault);
    this.routes = wire.routes(this);
    this.server = http.createServer((req, res) => this.onRequest(req, res));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.removeListener('error', onError);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.port = addr.port;
    let h = this.host;
    if (h === '0.0.0.0' || h === '' || h === '::') h = '127.0.0.1';
    else if (h.includes(':')) h = `[${h}]`;
    this.origin = `http://${h}:${this.port}`;
    this.baseUrl = `${this.origin}${this.wire.basePath}`;
  }

  // ---- public API ----------------------------------------------------------------------------

  get stats(): FakeLlmStats {
    return this.log.stats;
  }

  setFault(fault: Fault | undefined): void {
    this.faults.set(fault);
  }

  setOptions(patch: Partial<Pick<FakeLlmOptions, 'latencyMs' | 'ttftMs' | 'interChunkMs' | 'reply' | 'models'>>): void {
    const s = this.settings;
    if (patch.latencyMs !== undefined) s.latencyMs = patch.latencyMs;
    if (patch.ttftMs !== undefined) s.ttftMs = patch.ttftMs;
    if (patch.interChunkMs !== undefined) s.interChunkMs = patch.interChunkMs;
    if ('reply' in patch) s.reply = patch.reply;
    if (patch.models !== undefined && patch.models.length > 0) {
      s.models = [...patch.models];
      s.modelSet = new Set(s.models);
    }
  }

  waitForAbort(timeoutMs = 5000): Promise<void> {
    return this.log.waitForAbort(timeoutMs);
  }

  reset(): void {
    this.log.reset();
    this.setFault(undefined);
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.log.rejectWaiters();
    this.closed = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closed;
  }

  // ---- what protocols use (FakeCore) ---------------------------------------------------------

  nextId(): number {
    return ++this.seq;
  }

  hasModel(model: string): boolean {
    const known = this.settings.modelSet;
    if (known.has(model)) return true;
    const alias = this.wire.modelAlias?.(model);
    return alias !== undefined && known.has(alias);
  }

  checkModel(ex: Exchange, body: Record<string, unknown>): string | undefined {
    const model = body.model;
    if (typeof model !== 'string' || model === '') {
      void this.send.error(ex, 400, this.wire.missingModelMessage, undefined, 'model');
      return undefined;
    }
    if (!this.hasModel(model)) {
      void this.unknownModel(ex, model);
      return undefined;
    }
    return model;
  }

  unknownModel(ex: Exchange, model: string): Promise<void> {
    const { message, code } = this.wire.unknownModel(model);
    return this.send.error(ex, 404, message, code, 'model');
  }

  // ---- request entry -------------------------------------------------------------------------

  /** Bound once: counts a (non-control) exchange's end. */
  private readonly exchangeEnded = (ex: Exchange): void => this.log.ended(ex, this.closing);

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const at = Date.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const control = path === '/_fake' || path.startsWith('/_fake/');
    const ex = new Exchange(req, res, control ? undefined : this.exchangeEnded);
    if (!control) this.log.started();
    res.once('close', ex.onClose);

    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      let body: unknown;
      let badJson = false;
      let raw: string | undefined;
      if (chunks.length > 0) {
        raw = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
        if (raw.trim() !== '') {
          try {
            body = JSON.parse(raw);
          } catch {
            badJson = true;
          }
        }
      }
      this.log.record(req, path, body, raw, at);
      const done = control ? this.handleControl(ex, path, body, badJson) : this.handle(ex, path, body, badJson);
      done.catch((e: unknown) => this.internalError(ex, e));
    });
  }

  private internalError(ex: Exchange, e: unknown): void {
    if (ex.closed) return;
    if (ex.res.headersSent) {
      ex.kill(false);
      return;
    }
    void this.send.error(ex, 500, `fake-llm internal error: ${e instanceof Error ? e.message : String(e)}`);
  }

  // ---- control API ---------------------------------------------------------------------------

  private async handleControl(ex: Exchange, path: string, body: unknown, badJson: boolean): Promise<void> {
    const method = ex.req.method;
    const send = this.send;
    if (method === 'GET' && path === '/_fake/stats') return send.json(ex, 200, this.stats);
    if (method === 'GET' && path === '/_fake/requests') return send.json(ex, 200, this.requests);
    if (method === 'GET' && path === '/_fake/fault') return send.json(ex, 200, this.faults.current ?? { mode: 'none' });
    if (method === 'POST' && path === '/_fake/reset') {
      this.reset();
      return send.json(ex, 200, { ok: true });
    }
    if (method === 'POST' && path === '/_fake/fault') {
      if (badJson || !isObject(body) || typeof body.mode !== 'string' || !FAULT_MODES.has(body.mode)) {
        return send.json(ex, 400, { error: `invalid fault; mode must be one of ${[...FAULT_MODES].join(', ')}` });
      }
      this.setFault(body as unknown as Fault);
      return send.json(ex, 200, { ok: true, fault: this.faults.current ?? { mode: 'none' } });
    }
    if (method === 'POST' && path === '/_fake/options') {
      if (badJson || !isObject(body)) return send.json(ex, 400, { error: 'invalid options' });
      this.setOptions(body);
      return send.json(ex, 200, { ok: true });
    }
    return send.json(ex, 404, { error: `unknown control endpoint ${method} ${path}` });
  }

  // ---- protocol dispatch ---------------------------------------------------------------------

  private async handle(ex: Exchange, path: string, body: unknown, badJson: boolean): Promise<void> {
    const fault = this.faults.take();
    if (fault !== undefined) {
      switch (fault.mode) {
        case 'error': {
          const status = fault.status ?? 500;
          const message = fault.message ?? `Simulated ${status} error from fake-llm`;
          return this.send.error(ex, status, fault.echoKey ? `${message} (key: ${presentedKey(ex.req.headers)})` : message, undefined, undefined, fault);
        }
        case 'timeout':
          return; // never answer; the exchange ends when the client leaves or the server closes
        case 'reset':
          return ex.kill(true);
        case 'raw':
          return this.send.raw(ex, fault);
        default:
          break; // midstream / stall are applied by the response writers
      }
    }
    const method = ex.req.method;
    for (const route of this.routes) {
      if (route.method !== method) continue;
      if (route.prefix === undefined) {
        if (route.path === path) return this.guarded(ex, body, route.json && badJson, fault, route.handle);
      } else if (path.startsWith(route.prefix)) {
        return this.guarded(ex, path.slice(route.prefix.length), false, fault, route.handle);
      }
    }
    return this.send.error(ex, 404, this.wire.notFoundMessage(method, path));
  }

  /** Auth + JSON checks common to every route, then the handler. */
  private guarded<T>(ex: Exchange, arg: T, badJson: boolean, fault: Fault | undefined, handler: Handler<T>): Promise<void> | void {
    const key = this.requireApiKey;
    if (key !== undefined) {
      const refused = this.wire.authFailure(ex.req.headers, key);
      if (refused !== undefined) return this.send.error(ex, 401, refused.message, refused.code);
    }
    if (badJson) return this.send.error(ex, 400, this.wire.badJsonMessage);
    return handler(ex, arg, fault);
  }
}
