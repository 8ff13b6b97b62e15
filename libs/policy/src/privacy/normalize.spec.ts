import { originalSpan, scanView } from './normalize';

describe('scanView', () => {
  it.each([
    ['plain ASCII is its own view', 'mail jane@example.com', 'mail jane@example.com'],
    ['zero-width and soft hyphen are dropped', 'jane\u200b.doe@exa\u00admple.com', 'jane.doe@example.com'],
    ['bidi controls are dropped', 'jane\u202e@\u2066example.com', 'jane@example.com'],
    ['full-width forms fold (NFKC)', 'ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'jane@example.com'],
    ['Cyrillic homoglyphs read as Latin', 'j\u0430ne@\u0435x\u0430mple.com', 'jane@example.com'],
    ['IDN letters keep the shape of a word', 'jane@bücher.de', 'jane@bucher.de'],
    ['a composed letter is one cluster', 'jane@bu\u0308cher.de', 'jane@bucher.de'],
    ['digits of any script read as their value', '٤١٥ ٥٥٥ ٢٦٧١', '415 555 2671'],
    ['dashes and no-break spaces fold', '4111\u20111111\u20131111\u00a01111', '4111-1111-1111 1111'],
    ['ideographic full stop is a dot', 'jane@example\u3002com', 'jane@example.com'],
  ])('%s', (_what, input, view) => {
    expect(scanView(input).text).toBe(view);
  });

  it('other scripts keep the shape of an address', () => {
    expect(scanView('иван@почта.рф').text).toMatch(/^[A-Za-z0-9]{4}@[A-Za-z0-9]{5}\.[A-Za-z0-9]{2}$/);
  });

  it('maps a span of the view back to the original, invisible characters included', () => {
    const original = 'to: ja\u200bne@ex\u00adample.com!';
    const view = scanView(original);
    const at = view.text.indexOf('jane');
    const [s, e] = originalSpan(view, at, at + 'jane@example.com'.length);
    expect(original.slice(s, e)).toBe('ja\u200bne@ex\u00adample.com');
  });
});
