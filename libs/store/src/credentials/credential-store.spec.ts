import { credentialHint } from './credential-store';

describe('credentialHint', () => {
  it.each([
    ['sk-proj-0123456789abcdefWXYZ', 'sk-proj-…WXYZ'],
    ['sk-ant-api03-0123456789abcdefWXYZ', 'sk-ant-…WXYZ'],
    ['0123456789abcdef9876', '…9876'],
    ['short-key', '…'],
  ])('%s -> %s', (key, hint) => {
    expect(credentialHint(key)).toBe(hint);
  });
});
