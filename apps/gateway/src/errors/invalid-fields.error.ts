import { InvalidRequestError } from '@switchyard/contracts';

/** One field a body got wrong: its path (`limits.rpm`) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/** A body with one or more bad fields, every one named (problem details list them in `errors`). */
export class InvalidFieldsError extends InvalidRequestError {
  constructor(readonly fields: readonly FieldError[]) {
    super(
      fields.length === 1
        ? `Invalid value for '${fields[0].field}': ${fields[0].message}.`
        : `Invalid values for ${fields.map((f) => `'${f.field}'`).join(', ')}.`,
      fields[0]?.field ?? null,
      'validation_failed',
    );
  }
}
