import { SwitchyardError } from '@switchyard/contracts';

/** An unknown tenant or key id: 404. */
export class AdminNotFoundError extends SwitchyardError {
  constructor(message: string, code: string) {
    super({ status: 404, type: 'not_found_error', message, code });
  }

  /** A tenant or key id that names nothing. */
  static id(what: 'tenant' | 'key', id: string): AdminNotFoundError {
    return new AdminNotFoundError(`No ${what} with id ${id}.`, `${what}_not_found`);
  }
}

/** A name already taken, or a change the target's state does not allow: 409. */
export class AdminConflictError extends SwitchyardError {
  constructor(message: string, code: string) {
    super({ status: 409, type: 'invalid_request_error', message, code });
  }
}

/** Not the admin key, or the built-in admin tenant and key, which only the gateway's start manages: 403. */
export class AdminForbiddenError extends SwitchyardError {
  constructor(message: string, code: string) {
    super({ status: 403, type: 'permission_error', message, code });
  }
}

/** The gateway runs without a database, so there are no tenants to manage: 503. */
export class AdminUnavailableError extends SwitchyardError {
  constructor() {
    super({
      status: 503,
      type: 'service_unavailable',
      message: 'The admin API needs a database: this gateway runs without one (start it with DATABASE_URL, or with a data dir for embedded PGlite).',
      code: 'database_unavailable',
    });
  }
}
