import type * as http from 'node:http';
import type { Fault } from './types';

export const FAULT_MODES: ReadonlySet<string> = new Set(['none', 'error', 'timeout', 'reset', 'midstream', 'stall', 'raw']);

/** The fault armed for the coming requests, and how many of them it still applies to. */
export class FaultSlot {
  private fault: Fault | undefined;
  private remaining = Infinity;

  get current(): Fault | undefined {
    return this.fault;
  }

  set(fault: Fault | undefined): void {
    if (fault === undefined || fault === null || fault.mode === 'none' || (fault.times !== undefined && fault.times <= 0)) {
      this.fault = undefined;
      this.remaining = Infinity;
      return;
    }
    if (!FAULT_MODES.has(fault.mode)) throw new Error(`fake-llm: unknown fault mode ${JSON.stringify(fault.mode)}`);
    this.fault = { ...fault };
    this.remaining = fault.times ?? Infinity;
  }

  /** The fault for this request, counting it against `times`. */
  take(): Fault | undefined {
    const f = this.fault;
    if (f === undefined) return undefined;
    if (--this.remaining <= 0) {
      this.fault = undefined;
      this.remaining = Infinity;
    }
    return f;
  }
}

/** The key a request presented: `x-api-key`, else the token of `Authorization: Bearer`. */
export function presentedKey(h: http.IncomingHttpHeaders): string {
  const apiKey = h['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  return (h.authorization ?? '').replace(/^Bearer\s+/i, '');
}
