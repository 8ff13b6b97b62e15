import type { AdapterContext } from '@switchyard/adapters';
import { EgressBlockedError, PrivacyScanError, type ChatCompletionRequest, type PiiAction, type SwitchyardConfig } from '@switchyard/contracts';
import {
  cleanTexts,
  egressCategories,
  PiiScanner,
  redactPayload,
  redactRequest,
  scanPayload,
  type Redaction,
  type RouteCandidate,
  type ScanResult,
} from '@switchyard/policy';
import type { RequestContext } from './request-context';

/** The request id when the client sent it (the gateway echoes a safe one; otherwise it makes its own). */
export function clientRequestId(req: { id: string; headers: Record<string, string | string[] | undefined> }): string | undefined {
  const sent = req.headers['x-request-id'];
  return (Array.isArray(sent) ? sent[0] : sent) === req.id ? req.id : undefined;
}

/**
 * The privacy policy at the edge of the gateway: what a request's scan found, what each
 * candidate may be sent, and the egress check on the exact bytes that leave for the cloud. Built
 * once per config; a tenant's stance (`onPii`) replaces the config's per request, so nothing is
 * rebuilt per request.
 */
export class PrivacyScreen {
  /** The config's stance: what requests without a tenant stance of their own get. */
  readonly onPii: PiiAction;
  /** Some rule matches on PII: every request is scanned, whatever its stance. */
  private readonly piiRules: boolean;
  private readonly privacy: SwitchyardConfig['policy']['privacy'];
  private built?: PiiScanner;

  constructor(config: SwitchyardConfig) {
    this.privacy = config.policy.privacy;
    this.onPii = this.privacy.onPii;
    this.piiRules = config.policy.rules.some((r) => r.match.pii !== undefined);
    if (this.guarded(undefined) || this.piiRules) this.built = this.scanner;
  }

  /** Built with the config when its own stance scans; else on the first request whose tenant's stance does. */
  private get scanner(): PiiScanner {
    this.built ??= new PiiScanner(this.privacy.detectors, { phoneRegions: this.privacy.phoneRegions });
    return this.built;
  }

  /** Cloud calls under this stance carry what was scanned, redacted where asked, and pass the egress check. */
  guarded(onPii: PiiAction | undefined): boolean {
    return (onPii ?? this.onPii) !== 'allow';
  }

  /**
   * Scans every string of the request body (keys included) and the client's request id, when it
   * sent one: it travels upstream as `x-request-id`. A promise for very large bodies (scanned in
   * slices). Undefined when nothing looks at PII for this request (its stance allows it and no rule asks).
   */
  scan(body: unknown, clientRequestId: string | undefined, onPii?: PiiAction): ScanResult | Promise<ScanResult> | undefined {
    if (!this.guarded(onPii) && !this.piiRules) return undefined;
    try {
      const result = scanPayload(body, this.scanner, clientRequestId === undefined ? [] : [clientRequestId]);
      return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(new PrivacyScanError(err))) : result;
    } catch (err) {
      throw new PrivacyScanError(err);
    }
  }

  /** A copy of any JSON value with every finding of the detectors replaced by its placeholder (for capture; off the request's path). */
  async redacted<T>(value: T): Promise<T> {
    const scan = await scanPayload(value, this.scanner);
    return redactPayload(value, scan)?.value ?? value;
  }

  /**
   * What one candidate gets. Local candidates, and any candidate when the request's stance allows
   * PII, get the request as sent. A cloud candidate under a privacy policy gets the gateway's own copy of what
   * was scanned (redacted when the decision says so) and an egress check on the final bytes.
   */
  outbound<T extends object>(request: T, scan: ScanResult | undefined, candidate: RouteCandidate, ctx: RequestContext, restore: boolean): Outbound<T> {
    if (candidate.tier !== 'cloud' || !this.guarded(ctx.onPii)) return { request, ctx };
    const scanner = this.scanner;
    const shared = this.cloudCopy(request, scan, ctx.requestId);
    const egress = async (body: string, headers: Readonly<Record<string, string>>): Promise<void> => {
      let found: string[];
      try {
        found = await egressCategories(body, Object.values(headers), scanner, shared.known);
      } catch {
        found = ['unreadable']; // a check that cannot run fails closed
      }
      if (found.length > 0) throw new EgressBlockedError(candidate.backend, found);
    };
    if (candidate.redact && scan !== undefined) {
      if (shared.redacted === undefined) shared.redacted = redacted(request, scan, restore) ?? null;
      const call = cloudContext(ctx, shared.redactedId, egress);
      if (shared.redacted !== null) return { request: shared.redacted.request as T, redaction: shared.redacted.redaction, ctx: call };
      return { request: shared.copy as T, ctx: call };
    }
    return { request: shared.copy as T, ctx: cloudContext(ctx, ctx.requestId, egress) };
  }

  /** What a request's cloud calls share: computed on its first cloud candidate, reused by the rest of its chain. */
  private cloudCopy(request: object, scan: ScanResult | undefined, requestId: string): CloudCopy {
    let shared = scan === undefined ? undefined : this.copies.get(scan);
    if (shared !== undefined) return shared;
    const known = scan === undefined ? new Set<string>() : cleanTexts(scan);
    // An id the gateway made up carries nothing of the client's.
    if (scan === undefined || !scan.extras.includes(requestId)) known.add(requestId);
    const idHits = scan?.extraHits.get(0);
    // A copy carries no raw text: the client's bytes, whose duplicate keys another parser could read differently, never go.
    shared = { known, copy: { ...request }, redactedId: idHits === undefined ? requestId : redactedId(requestId, idHits) };
    if (scan !== undefined) this.copies.set(scan, shared);
    return shared;
  }

  private readonly copies = new WeakMap<ScanResult, CloudCopy>();
}

interface CloudCopy {
  /** Texts the request scan read clean: the egress check need not read them again. */
  known: Set<string>;
  copy: object;
  /** The request id as a redacted call carries it. */
  redactedId: string;
  /** The redacted request (and what restores its answer); null when there was nothing to redact; undefined until asked. */
  redacted?: { request: object; redaction?: Redaction } | null;
}

/** The request with the scan's findings replaced: restorable for a chat request, plain for an embeddings one. */
function redacted(request: object, scan: ScanResult, restore: boolean): { request: object; redaction?: Redaction } | undefined {
  if (restore) {
    const redaction = redactRequest(request as ChatCompletionRequest, scan);
    return redaction && { request: redaction.request, redaction };
  }
  const copy = redactPayload(request, scan);
  return copy && { request: copy.value };
}

export interface Outbound<T> {
  request: T;
  /** Restores the answer of a redacted chat request. */
  redaction?: Redaction;
  ctx: AdapterContext;
}

function cloudContext(ctx: RequestContext, requestId: string, egress: AdapterContext['egress']): AdapterContext {
  return { signal: ctx.signal, requestId, deadlineAt: ctx.deadlineAt, egress };
}

/** The request id with its findings replaced by the category, for a redacted cloud call. */
function redactedId(id: string, findings: readonly { category: string; start: number; end: number }[]): string {
  let out = '';
  let pos = 0;
  for (const f of findings) {
    out += id.slice(pos, f.start) + `[${f.category.toUpperCase()}]`;
    pos = f.end;
  }
  return out + id.slice(pos);
}
