import { SwitchyardError } from '@switchyard/contracts';
import { AdminNotFoundError } from '../admin/admin.errors';

/** The gateway runs without a database, so no ledger is kept to read: 503. */
export class UsageUnavailableError extends SwitchyardError {
  constructor() {
    super({
      status: 503,
      type: 'service_unavailable',
      message:
        'Usage is read from the ledger in the database: this gateway runs without one (start it with DATABASE_URL, or with a data dir for embedded PGlite).',
      code: 'database_unavailable',
    });
  }
}

/** No record of that request (or not in the caller's tenant): 404. */
export class RequestNotFoundError extends AdminNotFoundError {
  constructor(id: string) {
    super(`No request with id ${id} in the ledger.`, 'request_not_found');
  }
}

/** A `tenant` that is neither a tenant's id nor its name: 404. */
export class TenantRefNotFoundError extends AdminNotFoundError {
  constructor(ref: string) {
    super(`No tenant with id or name ${JSON.stringify(ref)}.`, 'tenant_not_found');
  }
}
