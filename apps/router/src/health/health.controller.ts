import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { map, type Observable } from 'rxjs';
import type { HealthCheckRequestMsg, HealthCheckResponseMsg } from '@switchyard/contracts/router';
import { GrpcExceptionFilter } from '../errors/grpc-exception.filter';
import { HealthService } from './health.service';

/** grpc.health.v1 (https://github.com/grpc/grpc/blob/master/doc/health-checking.md): Kubernetes' gRPC probes, grpc_health_probe. */
@Controller()
@UseFilters(GrpcExceptionFilter)
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @GrpcMethod('Health', 'Check')
  check(req: HealthCheckRequestMsg): HealthCheckResponseMsg {
    // The protocol: an unknown service is the call's NOT_FOUND status, not a response.
    if (!this.health.knows(req.service)) throw new RpcException({ code: GrpcStatus.NOT_FOUND, message: `unknown service "${req.service}"` });
    return { status: this.health.status };
  }

  /** The status now and on every change; SERVICE_UNKNOWN for a service it does not know (the stream stays open). */
  @GrpcMethod('Health', 'Watch')
  watch(req: HealthCheckRequestMsg): Observable<HealthCheckResponseMsg> {
    return this.health.watch(req.service).pipe(map((status) => ({ status })));
  }
}
