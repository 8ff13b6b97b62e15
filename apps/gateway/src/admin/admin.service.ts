import { Inject, Injectable } from '@nestjs/common';
import { ADMIN_PRINCIPAL, type Tenant, type TenantInput, type TenantPatch } from '@switchyard/contracts';
import {
  API_KEYS,
  AUDIT_LOG,
  KEY_STORE,
  TENANT_STORE,
  TenantConflictError,
  type ApiKeyInput,
  type ApiKeyRecord,
  type ApiKeys,
  type AuditEntry,
  type AuditLog,
  type AuditRecord,
  type IssuedKey,
  type KeyStore,
  type TenantStore,
} from '@switchyard/store';
import { KeyRevocations } from '../auth/key-revocations';
import { AdminConflictError, AdminForbiddenError, AdminNotFoundError, AdminUnavailableError } from './admin.errors';

/** A page of a list, and where the next one starts (null: this was the last). */
export interface Page<T> {
  data: T[];
  next: string | null;
}

interface Stores {
  tenants: TenantStore;
  keys: ApiKeys;
  audit: AuditLog;
}

/**
 * What the admin API does: tenants and their keys through the store ports, one audit entry per
 * change (never a secret in it), and the key guard's cache told at once when a key or tenant
 * stops being valid, so this replica refuses it from the next request on, and others as soon as
 * KeyRevocations reaches them (Redis pub/sub; without it, within ACCEPTED_KEY_TTL_MS). The
 * built-in admin tenant and key are the gateway's start's to manage.
 */
@Injectable()
export class AdminService {
  private readonly stores?: Stores;

  constructor(
    @Inject(TENANT_STORE) tenants: TenantStore | null,
    @Inject(API_KEYS) keys: ApiKeys | null,
    @Inject(AUDIT_LOG) audit: AuditLog | null,
    @Inject(KEY_STORE) private readonly keyStore: KeyStore,
    private readonly revocations: KeyRevocations,
  ) {
    if (tenants !== null && keys !== null && audit !== null) this.stores = { tenants, keys, audit };
  }

  async createTenant(actor: string, input: TenantInput): Promise<Tenant> {
    const { tenants } = this.available();
    const tenant = await tenants.create(input).catch(nameTaken);
    await this.audit(actor, { action: 'tenant.create', targetType: 'tenant', targetId: tenant.id, detail: { name: tenant.name } });
    return tenant;
  }

  async listTenants(limit: number, after?: string): Promise<Page<Tenant>> {
    const data = await this.available().tenants.list({ limit, after });
    return { data, next: data.length === limit ? data[data.length - 1].id : null };
  }

  async tenant(id: string): Promise<Tenant> {
    const tenant = await this.available().tenants.get(id);
    if (tenant === undefined) throw AdminNotFoundError.id('tenant', id);
    return tenant;
  }

  async updateTenant(actor: string, id: string, patch: TenantPatch): Promise<Tenant> {
    const { tenants } = this.available();
    notBuiltIn(id);
    const tenant = await tenants.update(id, patch).catch(nameTaken);
    if (tenant === undefined) throw AdminNotFoundError.id('tenant', id);
    // Its keys' cached grants (models, limits, privacy, status) are stale now, on every replica.
    this.revocations.tenantChanged(id);
    const detail: Record<string, unknown> = { fields: Object.keys(patch).sort() };
    if (patch.status !== undefined) detail.status = patch.status;
    await this.audit(actor, { action: 'tenant.update', targetType: 'tenant', targetId: id, detail });
    return tenant;
  }

  async deleteTenant(actor: string, id: string): Promise<void> {
    const { tenants } = this.available();
    notBuiltIn(id);
    const name = (await tenants.get(id))?.name;
    if (!(await tenants.delete(id))) throw AdminNotFoundError.id('tenant', id);
    this.revocations.tenantChanged(id);
    await this.audit(actor, { action: 'tenant.delete', targetType: 'tenant', targetId: id, detail: { name } });
  }

  async createKey(actor: string, tenantId: string, input: ApiKeyInput): Promise<IssuedKey> {
    const { keys } = this.available();
    notBuiltIn(tenantId);
    const live = (await this.keysOf(tenantId)).filter((k) => k.revokedAt === undefined);
    if (live.some((k) => k.name === input.name)) {
      throw new AdminConflictError(`The tenant already has a live key named "${input.name}".`, 'key_name_taken');
    }
    const issued = await keys.create(tenantId, input);
    if (issued === undefined) throw AdminNotFoundError.id('tenant', tenantId);
    await this.audit(actor, { action: 'key.create', targetType: 'key', targetId: issued.record.id, detail: { tenantId, name: input.name } });
    return issued;
  }

  /** The tenant's keys, revoked ones included; 404 for an unknown tenant. */
  async keysOf(tenantId: string): Promise<ApiKeyRecord[]> {
    const { tenants, keys } = this.available();
    const list = await keys.list(tenantId);
    if (list.length === 0 && (await tenants.get(tenantId)) === undefined) throw AdminNotFoundError.id('tenant', tenantId);
    return list;
  }

  async rotateKey(actor: string, id: string, graceSeconds: number): Promise<IssuedKey> {
    const { keys } = this.available();
    notBuiltInKey(id);
    const issued = await keys.rotate(id, graceSeconds * 1000);
    if (issued === undefined) throw await this.missingOrRevoked(id);
    // Without a grace the old secret stops now; with one, the cache's TTL ends it soon after the grace.
    if (graceSeconds === 0) this.revocations.keyChanged(id);
    await this.audit(actor, {
      action: 'key.rotate',
      targetType: 'key',
      targetId: id,
      detail: { tenantId: issued.record.tenantId, gracePeriodSeconds: graceSeconds },
    });
    return issued;
  }

  async revokeKey(actor: string, id: string): Promise<ApiKeyRecord> {
    const { keys } = this.available();
    notBuiltInKey(id);
    if (!(await this.keyStore.revoke(id))) throw await this.missingOrRevoked(id);
    this.revocations.keyChanged(id);
    const record = await keys.get(id);
    if (record === undefined) throw AdminNotFoundError.id('key', id);
    await this.audit(actor, { action: 'key.revoke', targetType: 'key', targetId: id, detail: { tenantId: record.tenantId } });
    return record;
  }

  async auditTrail(limit: number, before?: string): Promise<Page<AuditEntry>> {
    const data = await this.available().audit.list({ limit, before });
    return { data, next: data.length === limit ? data[data.length - 1].id : null };
  }

  /** Records a purge of the response cache, where there is an audit log (there is none without a database). */
  async cachePurged(actor: string, detail: { tenantId: string | null } & Record<string, unknown>): Promise<void> {
    if (this.stores !== undefined) await this.audit(actor, { action: 'cache.purge', targetType: 'cache', targetId: detail.tenantId ?? '*', detail });
  }

  private available(): Stores {
    if (this.stores === undefined) throw new AdminUnavailableError();
    return this.stores;
  }

  private async missingOrRevoked(id: string): Promise<Error> {
    const record = await this.available().keys.get(id);
    return record === undefined ? AdminNotFoundError.id('key', id) : new AdminConflictError(`The key ${id} is revoked.`, 'key_revoked');
  }

  private async audit(actor: string, entry: Omit<AuditRecord, 'actor'>): Promise<void> {
    await this.available().audit.record({ actor, ...entry });
  }
}

function nameTaken(err: unknown): never {
  if (err instanceof TenantConflictError) throw new AdminConflictError(err.message, 'tenant_name_taken');
  throw err;
}

function notBuiltIn(tenantId: string): void {
  if (tenantId === ADMIN_PRINCIPAL.tenantId) {
    throw new AdminForbiddenError('The built-in admin tenant belongs to the admin key and cannot be changed here.', 'builtin_tenant');
  }
}

function notBuiltInKey(keyId: string): void {
  if (keyId === ADMIN_PRINCIPAL.keyId) {
    throw new AdminForbiddenError('The admin key is set where the gateway starts (SWITCHYARD_ADMIN_KEY), not here.', 'builtin_key');
  }
}
