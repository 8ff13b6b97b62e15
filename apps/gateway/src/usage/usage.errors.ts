import { SwitchyardError } from '@switchyard/contracts';

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
export class RequestNotFoundError extends SwitchyardError {
  constructor(id: string) {
    super({ status: 404, type: 'not_found_error', message: `No request with id ${id} in the ledger.`, code: 'request_not_found' });
  }
}

/** A `tenant` that is neither a tenant's id nor its name: 404. */
export class TenantRefNotFoundError extends SwitchyardError {
  constructor(ref: string) {
    super({ status: 404, type: 'not_found_error', message: `No tenant with id or name ${JSON.stringify(ref)}.`, code: 'tenant_not_found' });
  }
}
