import { Inject, Injectable } from '@nestjs/common';
import {
  CAPTURE_STORE,
  InvalidCursorError,
  TENANT_STORE,
  USAGE_QUERY,
  type CaptureStore,
  type RequestSearch,
  type TenantStore,
  type UsageQuery,
} from '@switchyard/store';
import { InvalidFieldsError } from '../errors/invalid-fields.error';
import { RequestNotFoundError, TenantRefNotFoundError, UsageUnavailableError } from './usage.errors';
import { recordBody, usageBody, type RequestListBody, type RequestRecordBody, type UsageBody } from './usage.mapper';
import type { UsageParams } from './usage.params';

const TENANT_PAGE = 1000;

/** Reads the usage ledger for both doors (a tenant's /v1/usage, the admin API) and shapes what they answer. */
@Injectable()
export class UsageService {
  constructor(
    @Inject(USAGE_QUERY) private readonly query: UsageQuery | null,
    @Inject(TENANT_STORE) private readonly tenants: TenantStore | null,
    @Inject(CAPTURE_STORE) private readonly captures: CaptureStore | null,
  ) {}

  /** Usage in the window, grouped; one tenant's, or every tenant's when `tenantId` is unset. */
  async usage(params: UsageParams, tenantId?: string): Promise<UsageBody> {
    const report = await this.available().usage({ since: params.since, until: params.until, groupBy: params.groupBy, tenantId });
    return usageBody(report, params.groupBy, tenantId);
  }

  async request(id: string, tenantId?: string): Promise<RequestRecordBody> {
    const record = await this.available().request(id, tenantId);
    if (record === undefined) throw new RequestNotFoundError(id);
    const body = recordBody(record);
    const kept = await this.captures?.read(id, tenantId);
    // The capture of this very record: a client may have sent the same id before.
    body.capture = kept !== undefined && kept.startedAt === record.startedAt ? { request: kept.request, response: kept.response ?? null } : null;
    return body;
  }

  async requests(filter: RequestSearch): Promise<RequestListBody> {
    try {
      const page = await this.available().requests(filter);
      return { object: 'list', data: page.data.map(recordBody), next_cursor: page.nextCursor ?? null };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new InvalidFieldsError([{ field: 'cursor', message: 'must be the next_cursor of a previous page' }]);
      throw err;
    }
  }

  /** A tenant's id, from its id or its name. */
  async tenantId(ref: string): Promise<string> {
    const tenants = this.tenants;
    if (tenants === null) throw new UsageUnavailableError();
    if ((await tenants.get(ref)) !== undefined) return ref;
    // Tenants are few: their list is read a page at a time rather than adding a lookup by name to the store.
    for (let after: string | undefined; ;) {
      const page = await tenants.list({ limit: TENANT_PAGE, after });
      const named = page.find((t) => t.name === ref);
      if (named !== undefined) return named.id;
      if (page.length < TENANT_PAGE) throw new TenantRefNotFoundError(ref);
      after = page[page.length - 1].id;
    }
  }

  private available(): UsageQuery {
    if (this.query === null) throw new UsageUnavailableError();
    return this.query;
  }
}
