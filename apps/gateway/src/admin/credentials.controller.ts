import { Delete, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiProperty, ApiResponse } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { PolicyRuntime } from '@switchyard/runtime';
import { AUDIT_LOG, CREDENTIALS, type AuditLog, type CredentialStore, type ProviderCredential } from '@switchyard/store';
import { AdminBody } from './admin-body';
import { AdminController } from './admin.controller';
import { AdminNotFoundError, AdminUnavailableError } from './admin.errors';
import { Actor } from './admin-request';
import { ApiProblems } from './dto/problem.dto';

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

/**
 * A tenant's own provider keys (bring your own key): its requests to that backend carry it instead
 * of the backend's configured key. Admin key only. A key is never returned, only its hint; each
 * change is audited (never with the key).
 */
@AdminController('tenants/:id/credentials')
export class CredentialsController {
  constructor(
    @Inject(CREDENTIALS) private readonly credentials: CredentialStore | null,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog | null,
    private readonly policy: PolicyRuntime,
  ) {}

  @Put(':backend')
  @ApiOperation({ summary: "Set a tenant's provider key for a backend", description: 'Replaces any key set before. The answer shows only a masked hint.' })
  @ApiParam({ name: 'id', description: 'The tenant id.' })
  @ApiParam({ name: 'backend', description: 'A configured backend name.' })
  @ApiBody({ type: ProviderCredentialInputDto })
  @ApiResponse({ status: 200, type: ProviderCredentialDto })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async set(
    @Actor() actor: string,
    @Param('id') id: string,
    @Param('backend') backend: string,
    @AdminBody() body: ProviderCredentialInputDto,
  ): Promise<ProviderCredential> {
    const { credentials, audit } = this.stores();
    this.knownBackend(backend);
    const stored = await credentials.set(id, backend, body.apiKey);
    if (stored === undefined) throw AdminNotFoundError.id('tenant', id);
    await audit.record({ actor, action: 'credential.set', targetType: 'tenant', targetId: id, detail: { backend, hint: stored.hint } });
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
  @ApiProblems(401, 403, 404, 429, 503)
  async clear(@Actor() actor: string, @Param('id') id: string, @Param('backend') backend: string): Promise<void> {
    const { credentials, audit } = this.stores();
    this.knownBackend(backend);
    if (!(await credentials.delete(id, backend)))
      throw new AdminNotFoundError(`Tenant ${id} has no provider key for backend ${backend}.`, 'credential_not_found');
    await audit.record({ actor, action: 'credential.clear', targetType: 'tenant', targetId: id, detail: { backend } });
  }

  private stores(): { credentials: CredentialStore; audit: AuditLog } {
    if (this.credentials === null || this.audit === null) throw new AdminUnavailableError();
    return { credentials: this.credentials, audit: this.audit };
  }

  private knownBackend(name: string): void {
    if (!this.policy.current.config.backends.some((b) => b.name === name))
      throw new AdminNotFoundError(`No backend named ${name} is configured.`, 'backend_not_found');
  }
}
