/**
 * Counters for GET /__admin/stats: calls per operation, injected faults, and how often each caller
 * MISIdentifier was submitted per batch kind, so tests can prove every learner went to the LRS once.
 */
import type { BatchKind } from './batches.ts';
import { detach } from './xml.ts';

export class SimStats {
  readonly calls = new Map<string, number>();
  readonly injected = {
    latency: 0,
    timeouts: 0,
    errors: 0,
    maintenance: 0,
    outOfHours: 0,
    lostBatchJobs: 0,
    stuckBatchJobs: 0,
    faultDetails: 0,
  };
  readonly faults = new Map<string, number>();
  private readonly misIds: Record<BatchKind, Map<string, number>> = {
    registration: new Map(),
    verify: new Map(),
    achievement: new Map(),
  };
  private readonly misTotals: Record<BatchKind, number> = { registration: 0, verify: 0, achievement: 0 };

  constructor(private readonly trackMisIdentifiers: boolean) {}

  countCall(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
  }

  countFault(code: string): void {
    this.faults.set(code, (this.faults.get(code) ?? 0) + 1);
  }

  countSubmission(kind: BatchKind, misIdentifier: string | undefined): void {
    this.misTotals[kind]++;
    if (!this.trackMisIdentifiers || !misIdentifier) return;
    const m = this.misIds[kind];
    const n = m.get(misIdentifier);
    if (n === undefined) m.set(detach(misIdentifier), 1);
    else m.set(misIdentifier, n + 1);
  }

  /** Submission counts per MISIdentifier for one kind (only ids seen; empty when tracking is off). */
  submissionsOf(kind: BatchKind): Record<string, number> {
    return Object.fromEntries(this.misIds[kind]);
  }

  misIdentifierSummary(): Record<
    BatchKind,
    { records: number; distinct: number; repeated: number; repeatedSample: string[] }
  > {
    const summarise = (kind: BatchKind) => {
      const repeatedSample: string[] = [];
      let repeated = 0;
      for (const [id, n] of this.misIds[kind]) {
        if (n < 2) continue;
        repeated++;
        if (repeatedSample.length < 20) repeatedSample.push(id);
      }
      return { records: this.misTotals[kind], distinct: this.misIds[kind].size, repeated, repeatedSample };
    };
    return {
      registration: summarise('registration'),
      verify: summarise('verify'),
      achievement: summarise('achievement'),
    };
  }
}
