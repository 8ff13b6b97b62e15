import { Body, Controller, Delete, HttpCode, Inject, Injectable, Param, Put, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProperty, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { PolicyDeniedError, SwitchyardError } from '@switchyard/contracts';
import { PolicyRuntime } from '@switchyard/runtime';
import { CREDENTIALS, type CredentialStore, type ProviderCredential } from '@switchyard/store';
import { ApiKeyGuard } from '../auth/api-key.guard';
import '../auth/principal';

export class ProviderCredentialInputDto {
  @ApiProperty({ example: 'sk-proj-…', description: "The tenant's own API key for the backend. Stored encrypted; never shown again." })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  // It travels in an HTTP header: printable ASCII, no spaces or line breaks.
  @Matches(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' })
  apiKey!: string;
}

export class ProviderCredentialDto {
  @ApiProperty({ example: 'tnt_Jx3v9Qe2LmN8aB4c' }) tenantId!: string;
  @ApiProperty({ example: 'openai' }) backend!: string;
  @ApiProperty({ example: 'sk-proj-…abcd', description: 'The key masked: its scheme prefix and last four characters.' }) hint!: string;
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) updatedAt!: string;
}

/** Tenant keys authenticate, but only the admin key manages tenants: refused before the body is read. */
@Injectable()
class AdminOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<FastifyRequest>().principal?.scopes.includes('admin')) {
      throw new PolicyDeniedError('This API needs the admin key.', 'admin_only');
    }
    return true;
  }
}

/**
 * A tenant's own provider keys (bring your own key): its requests to that backend carry it instead
 * of the backend's configured key. Admin key only. A key is never returned, only its hint.
 */
@ApiTags('Admin')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('admin/v1/tenants/:id/credentials')
@UseGuards(ApiKeyGuard, AdminOnlyGuard)
export class CredentialsController {
  constructor(
    @Inject(CREDENTIALS) private readonly credentials: CredentialStore | null,
    private readonly policy: PolicyRuntime,
  ) {}

  @Put(':backend')
  @ApiOperation({ summary: "Set a tenant's provider key for a backend", description: 'Replaces any key set before. The answer shows only a masked hint.' })
  @ApiParam({ name: 'id', description: 'The tenant id.' })
  @ApiParam({ name: 'backend', description: 'A configured backend name.' })
  @ApiResponse({ status: 200, type: ProviderCredentialDto })
  @ApiResponse({ status: 400, description: 'The body is invalid.' })
  @ApiResponse({ status: 403, description: 'Not the admin key.' })
  @ApiResponse({ status: 404, description: 'No such tenant or backend.' })
  async set(@Param('id') id: string, @Param('backend') backend: string, @Body() body: ProviderCredentialInputDto): Promise<ProviderCredential> {
    this.knownBackend(backend);
    const stored = await this.credentials?.set(id, backend, body.apiKey);
    if (stored === undefined) throw notFound(`No tenant with id ${id}.`, 'tenant_not_found');
    return stored;
  }

  @Delete(':backend')
  @HttpCode(204)
  @ApiOperation({
    summary: "Clear a tenant's provider key for a backend",
    description: "The tenant's requests to that backend carry the backend's own key again.",
  })
  @ApiParam({ name: 'id', description: 'The tenant id.' })
  @ApiParam({ name: 'backend', description: 'A configured backend name.' })
  @ApiResponse({ status: 204, description: 'Cleared.' })
  @ApiResponse({ status: 403, description: 'Not the admin key.' })
  @ApiResponse({ status: 404, description: 'No such tenant, backend or key.' })
  async clear(@Param('id') id: string, @Param('backend') backend: string): Promise<void> {
    this.knownBackend(backend);
    if (!(await this.credentials?.delete(id, backend))) throw notFound(`Tenant ${id} has no provider key for backend ${backend}.`, 'credential_not_found');
  }

  private knownBackend(name: string): void {
    if (!this.policy.current.config.backends.some((b) => b.name === name)) throw notFound(`No backend named ${name} is configured.`, 'backend_not_found');
  }
}

function notFound(message: string, code: string): SwitchyardError {
  return new SwitchyardError({ status: 404, type: 'not_found_error', message, code });
}
