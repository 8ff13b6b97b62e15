import { Injectable } from '@nestjs/common';
import { BehaviorSubject, defer, distinctUntilChanged, filter, map, of, type Observable } from 'rxjs';
import { ROUTER_SERVICE, type ServingStatus } from '@switchyard/contracts/router';

/** Services grpc.health.v1 answers for: '' is the server as a whole. */
const KNOWN_SERVICES: ReadonlySet<string> = new Set(['', ROUTER_SERVICE]);

/**
 * The router's serving status. It turns NOT_SERVING when shutdown begins, before the gRPC server
 * stops accepting calls, so probes and load balancers take the replica out while it drains; at the
 * same moment `stopping` ends every long-lived stream so the drain does not wait on them.
 */
@Injectable()
export class HealthService {
  private readonly status$ = new BehaviorSubject<ServingStatus>('SERVING');
  private readonly stopping$ = new BehaviorSubject(false);

  knows(service: string): boolean {
    return KNOWN_SERVICES.has(service);
  }

  get status(): ServingStatus {
    return this.status$.value;
  }

  /** The current status, then every change; completes when shutdown begins (after NOT_SERVING). */
  get statusChanges(): Observable<ServingStatus> {
    // A completed BehaviorSubject replays nothing: a late watcher still hears the last status.
    return defer(() => (this.stopping$.value ? of(this.status$.value) : this.status$.asObservable()));
  }

  /** Watch's stream for `service`: the status now and on every change; SERVICE_UNKNOWN for a service it does not know. */
  watch(service: string): Observable<ServingStatus> {
    const known = this.knows(service);
    return this.statusChanges.pipe(
      map((status) => (known ? status : 'SERVICE_UNKNOWN')),
      distinctUntilChanged(),
    );
  }

  /** Emits once, when shutdown begins (at once for a late subscriber). */
  get stopping(): Observable<void> {
    return this.stopping$.pipe(
      filter(Boolean),
      map(() => undefined),
    );
  }

  beginShutdown(): void {
    if (this.stopping$.value) return;
    this.status$.next('NOT_SERVING');
    this.stopping$.next(true);
    this.status$.complete();
  }
}
