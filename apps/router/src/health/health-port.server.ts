import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type ServiceDefinition } from '@grpc/grpc-js';
import type { HealthCheckRequestMsg, HealthCheckResponseMsg } from '@switchyard/contracts/router';
import { loadRouterProto } from '@switchyard/runtime';
import type { HealthService } from './health.service';

/**
 * grpc.health.v1 alone, in plaintext, on its own port (`ROUTER_HEALTH_PORT`): kubelet's `grpc:`
 * probes do not speak TLS, so a router serving TLS answers them here. It reports the same
 * HealthService as the main port (NOT_SERVING as soon as shutdown begins) and serves nothing else:
 * Decide and the other router calls are UNIMPLEMENTED on it.
 */
export class HealthPortServer {
  private readonly server = new Server();
  private boundPort?: number;

  constructor(private readonly health: HealthService) {
    this.server.addService(loadRouterProto().health as unknown as ServiceDefinition, {
      Check: (call: ServerUnaryCall<HealthCheckRequestMsg, HealthCheckResponseMsg>, callback: sendUnaryData<HealthCheckResponseMsg>) => {
        const service = call.request.service;
        if (!this.health.knows(service)) callback({ code: status.NOT_FOUND, details: `unknown service "${service}"` });
        else callback(null, { status: this.health.status });
      },
      Watch: (call: ServerWritableStream<HealthCheckRequestMsg, HealthCheckResponseMsg>) => {
        const sub = this.health.watch(call.request.service).subscribe({
          next: (s) => call.write({ status: s }),
          complete: () => call.end(),
        });
        call.on('cancelled', () => sub.unsubscribe());
        call.on('error', () => sub.unsubscribe());
      },
    });
  }

  get port(): number {
    if (this.boundPort === undefined) throw new Error('the health port is not bound yet');
    return this.boundPort;
  }

  /** Binds `host:port` (port 0 picks a free one). */
  async listen(url: string): Promise<number> {
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(url, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return this.boundPort;
  }

  /** Lets calls in flight finish (briefly), then stops. Watch streams ended when shutdown began. */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 500);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
