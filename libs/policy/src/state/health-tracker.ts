/** Probe results with hysteresis: `failuresToDown` failures in a row mark down, `successesToUp` successes bring it back. */
export class HealthTracker {
  private up = true;
  private streak = 0;
  lastError?: string;

  constructor(
    private readonly failuresToDown: number,
    private readonly successesToUp: number,
  ) {}

  get healthy(): boolean {
    return this.up;
  }

  /** Returns true when the verdict changed. */
  record(success: boolean, error?: string): boolean {
    if (success === this.up) {
      this.streak = 0;
      // Up: the error is history. Down: keep the latest failure, not the one that tripped it.
      this.lastError = success ? undefined : (error ?? this.lastError);
      return false;
    }
    if (!success) this.lastError = error;
    this.streak++;
    if (this.streak >= (this.up ? this.failuresToDown : this.successesToUp)) {
      this.up = !this.up;
      this.streak = 0;
      return true;
    }
    return false;
  }
}
