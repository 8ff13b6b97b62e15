export { PII_CATEGORIES, PiiScanner } from './detectors';
export type { PiiCategory, PiiFinding } from './detectors';
export { redactRequest, redactTexts } from './redactor';
export type { Redaction, StreamRestorer } from './redactor';
