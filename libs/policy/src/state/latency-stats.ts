/** Exponentially weighted moving averages of time to first token and output speed. */
export class LatencyStats {
  ttftMs?: number;
  tokensPerSec?: number;

  constructor(private readonly alpha = 0.2) {}

  record(ttftMs: number | undefined, outputTokens: number | undefined, durationMs: number | undefined): void {
    if (ttftMs !== undefined && ttftMs >= 0) this.ttftMs = this.ttftMs === undefined ? ttftMs : this.ttftMs + this.alpha * (ttftMs - this.ttftMs);
    if (outputTokens && durationMs !== undefined && ttftMs !== undefined) {
      const genMs = durationMs - ttftMs;
      // Single-chunk answers say nothing about speed.
      if (genMs > 0 && outputTokens > 1) {
        const tps = (outputTokens / genMs) * 1000;
        this.tokensPerSec = this.tokensPerSec === undefined ? tps : this.tokensPerSec + this.alpha * (tps - this.tokensPerSec);
      }
    }
  }
}
