import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';

/** grpc-js reads `code` and `message` (or `details`) from the error a handler fails with. */
export interface GrpcError {
  code: GrpcStatus;
  message: string;
}

/**
 * The router's one exception filter: an RpcException carries its gRPC status; anything else is a
 * bug here, answered INTERNAL (not grpc-js' UNKNOWN) and logged, never with a stack on the wire.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(GrpcExceptionFilter.name);

  catch(exception: unknown): Observable<never> {
    if (exception instanceof RpcException) {
      const err = exception.getError();
      if (typeof err === 'object' && err !== null && typeof (err as Partial<GrpcError>).code === 'number') return throwError(() => err);
      return throwError((): GrpcError => ({ code: GrpcStatus.UNKNOWN, message: String(typeof err === 'string' ? err : exception.message) }));
    }
    const message = exception instanceof Error ? exception.message : String(exception);
    this.logger.error(`unhandled error in a gRPC handler: ${message}`, exception instanceof Error ? exception.stack : undefined);
    return throwError((): GrpcError => ({ code: GrpcStatus.INTERNAL, message }));
  }
}
