import { Metadata, Server as GrpcServer, ServerCredentials, status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall } from '@grpc/grpc-js';
import type { DecideCallMsg, DecideRequestMsg, DecideResponseMsg, DecideResultMsg } from '@switchyard/contracts/router';
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
  /**
   * Unary methods (by rpc name) answered straight from grpc-js, skipping Nest's per-call
   * pipeline (a copy of the call, context creation, an Observable). Decide is on the path of
   * every request a gateway routes; set these before `listen()`. They get the call's metadata as
   * Nest handlers do (a traced gateway's trace context rides in it).
   */
  readonly direct = new Map<string, (request: unknown, metadata: Metadata) => unknown>();
  onDirectError?: (method: string, err: unknown) => void;
  /** Answers DecideStream (a gateway's long-lived Decide stream) message by message, straight from grpc-js. */
  decideStream?: (request: DecideRequestMsg) => DecideResponseMsg;
  private readonly decideCalls = new Set<ServerDuplexStream<DecideCallMsg, DecideResultMsg>>();

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
      server.bindAsync(this.url, (this.grpcOptions.credentials as ServerCredentials | undefined) ?? ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    return server;
  }

  // Nest types this hook with `Function`; the handler's name is the rpc name.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  override createUnaryServiceMethod(methodHandler: Function): Function {
    const method = methodHandler.name;
    const direct = this.direct.get(method);
    if (!direct) return super.createUnaryServiceMethod(methodHandler);
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
      let response: unknown;
      try {
        response = direct(call.request, call.metadata);
      } catch (err) {
        this.onDirectError?.(method, err);
        callback({ code: status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
        return;
      }
      callback(null, response);
    };
  }

  // Nest binds only the methods its controllers declare; DecideStream is added here, unwrapped.
  override async createService(grpcService: { service?: Record<string, unknown> }, name: string): Promise<Record<string, unknown>> {
    const service = (await super.createService(grpcService, name)) as Record<string, unknown>;
    if (this.decideStream && grpcService.service && 'DecideStream' in grpcService.service) service.DecideStream = this.serveDecideStream;
    return service;
  }

  private readonly serveDecideStream = (call: ServerDuplexStream<DecideCallMsg, DecideResultMsg>): void => {
    this.decideCalls.add(call);
    // Headers at once: the gateway starts using the stream when it sees them.
    call.sendMetadata(new Metadata());
    const decide = this.decideStream!;
    call.on('data', (m: DecideCallMsg) => {
      let result: DecideResultMsg;
      try {
        result = { id: m.id, response: decide(m.request), error: '' };
      } catch (err) {
        this.onDirectError?.('DecideStream', err);
        result = { id: m.id, response: null, error: err instanceof Error ? err.message : String(err) };
      }
      call.write(result);
    });
    const done = (): void => {
      if (this.decideCalls.delete(call)) call.end();
    };
    call.on('end', done);
    call.on('error', done); // the gateway went away or cancelled
  };

  override async close(): Promise<void> {
    // Open Decide streams never end on their own: end them first so the drain below is about real work.
    for (const call of this.decideCalls) call.end();
    this.decideCalls.clear();
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
