import { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import { ServerGrpc, type GrpcOptions } from '@nestjs/microservices';

/**
 * Nest's gRPC transport with two things it lacks:
 * - the bound port: Nest drops what `bindAsync` reports, so a server on `:0` (tests) could not say where it is;
 * - a drain on close: `beforeClose` runs first (NOT_SERVING, long streams ended), then in-flight calls get
 *   `drainMs` to finish before the server is forced down. Nest's own close is only that last step.
 */
export class RouterGrpcServer extends ServerGrpc {
  private boundPort?: number;
  beforeClose?: () => void | Promise<void>;

  constructor(
    private readonly grpcOptions: GrpcOptions['options'],
    private readonly drainMs = 2_000,
  ) {
    super(grpcOptions);
  }

  /** The port the server listens on; known once `listen()` resolved. */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('the router gRPC server is not bound yet');
    return this.boundPort;
  }

  override async createClient(): Promise<GrpcServer> {
    const server = new GrpcServer(this.grpcOptions.channelOptions ?? {});
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.url, this.grpcOptions.credentials ?? ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return server;
  }

  override async close(): Promise<void> {
    try {
      await this.beforeClose?.();
    } finally {
      const server = this.grpcClient as GrpcServer | null | undefined;
      if (server) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.drainMs);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      await super.close(); // forceShutdown: whatever did not finish in time
    }
  }
}
