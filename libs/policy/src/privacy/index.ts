export { DEFAULT_PHONE_REGIONS, PII_CATEGORIES, PiiScanner } from './detectors';
export type { PiiCategory, PiiFinding, PiiScannerOptions } from './detectors';
export { egressCategories } from './egress';
export { scanView } from './normalize';
export { redactPayload, redactRequest } from './redactor';
export type { Redaction, StreamRestorer } from './redactor';
export { cleanTexts, findIn, scanPayload } from './scan';
export type { ScanResult, UnscannableKind } from './scan';
