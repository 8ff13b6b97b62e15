import { MAX_SCANNED_CHARS, salientItems, salientSignature } from './semantic-guard';

const same = (a: string, b: string): void => expect(salientSignature(a)).toBe(salientSignature(b));
const differ = (a: string, b: string): void => expect(salientSignature(a)).not.toBe(salientSignature(b));

describe('salientSignature', () => {
  it('is a sorted JSON list of items; text with nothing salient is []', () => {
    expect(salientSignature('Send $2,500 to Alice by Friday, not later than 5pm.')).toBe(
      JSON.stringify(['!not', 'by>@friday', 'n:2500$', 'than>n:5pm', 'to>@alice', '~send0', '~when1']),
    );
    expect(salientSignature('Summarize the report.')).toBe('[]');
    expect(salientSignature('')).toBe('[]');
  });

  describe('numbers', () => {
    it.each([
      ['Is 97 a prime number?', 'Is 91 a prime number?'],
      ['What is 15% of 80?', 'What is 15% of 60?'],
      ['How much is 3 times 4?', 'How much is three times five?'],
      ['Give me the first 10 Fibonacci numbers.', 'Give me the first twenty Fibonacci numbers.'],
      ['Book a table at 7pm.', 'Book a table at 8 pm.'],
      ['Convert 5 miles to km.', 'Convert 5 kilometers to km.'],
      ['The price fell by 4.5%.', 'The price fell by -4.5%.'],
      ['Handles 1.5 million requests.', 'Handles 2.5 million requests.'],
      ['Write a 500-word essay.', 'Write a 300-word essay.'],
      ['the first item', 'the second item'],
      ['Release 1.2.3 notes', 'Release 1.2.4 notes'],
      ['Meet on 2024-03-01', 'Meet on 2024-03-02'],
    ])('%s ≠ %s', differ);

    it.each([
      ['Convert 20 dollars to euros.', 'How much is $20 in euros?'],
      ['Budget: $2,500', 'budget of 2500 USD'],
      ['1.5 million', '1,500,000'],
      ['twenty-one days', '21 days'],
      ['two hundred and five', '205'],
      ['a dozen eggs', '12 eggs'],
      ['at 7pm', 'at 7 p.m.'],
      ['5kg of flour', '5 kilograms of flour'],
      ['the 1st place', 'first place'],
      ['Give me three ideas', 'Suggest 3 ideas'],
      ['1.50', '1.5'],
    ])('%s = %s', same);

    it('reads "one" as a pronoun after which/the/second, and "no one" as a negation', () => {
      expect(salientItems('Which one is better?')).toEqual([]);
      expect(salientItems('And the second one?')).toEqual(['n:2ord']);
      expect(salientItems('No one knows.')).toEqual(['!not']);
      expect(salientItems('Pick one.')).toEqual(['n:1']);
    });
  });

  describe('negations', () => {
    it.each([
      ['List the countries that use the euro.', "List the countries that don't use the euro."],
      ['Which foods are safe?', 'Which foods are not safe?'],
      ['flights with a layover', 'flights without a layover'],
      ['customers who placed an order', 'customers who have never placed an order'],
      ['the list has duplicates', 'the list has no duplicates'],
      ['Is it possible to cancel?', 'Is it impossible to cancel?'],
      ['Both dates work.', 'Neither date works.'],
      ['all files', 'all files except logs'],
      ['Why should I?', "Why shouldn't I?"],
      ['I can go', "I can't go"],
    ])('%s ≠ %s', differ);

    it.each([
      ["Don't include personal data.", 'Do not include personal data.'],
      ["I can't log in", 'I cannot log in'],
      ["Why doesn't this work?", 'Why does this not work?'],
    ])('%s = %s', same);
  });

  describe('names and identifiers', () => {
    it.each([
      ["What's the weather like in Paris today?", "What's the weather like in Lyon today?"],
      ['Who is the CEO of Microsoft?', 'Who is the CEO of Apple?'],
      ['Summarize invoice INV-2041.', 'Summarize invoice INV-2014.'],
      ['Compare the iPhone 15 with the Pixel 8.', 'Compare the iPhone 15 with the Galaxy S24.'],
      ['Email Mr. Thompson about it.', 'Email Mr. Henderson about it.'],
      ['Paris is lovely in spring.', 'London is lovely in spring.'],
      ["Ask O'Brien.", "Ask O'Neil."],
      ['Is github.com/acme/widgets public?', 'Is github.com/acme/gadgets public?'],
      ['Forward it to john.smith@example.com', 'Forward it to jane.smith@example.com'],
      ['Open https://example.com/a', 'Open https://example.com/b'],
      ['Read config.yaml', 'Read config.json'],
      ['Call getUserName here', 'Call getUserId here'],
      ['What is my balance?', 'What is her balance?'],
      ['What did he say?', 'What did she say?'],
      ['When was Google founded?', 'Where was Google founded?'],
    ])('%s ≠ %s', differ);

    it.each([
      ["What's the difference between TCP and UDP?", 'Explain the difference between UDP and TCP.'],
      ['Summarize the plot of Hamlet.', "Give me a summary of Hamlet's plot."],
      ['HOW DO I RESET MY PASSWORD', 'how do i reset my password?'],
      ['What Is The Capital Of France', 'what is the capital of france'],
      ['List the planets of the solar system.', 'Can you list the planets in our solar system?'],
    ])('%s = %s', same);

    it('takes sentence-start capitals for names only when the word is not a common opener', () => {
      expect(salientItems('Summarize the report. Then email it.')).toEqual([]);
      expect(salientItems('Mr. Smith met Dr. Jones.')).toEqual(['@dr', '@jones', '@mr', '@smith']);
      expect(salientItems('- Paris\n- London\nThanks')).toEqual(['@london', '@paris']);
    });

    it('takes who/when/where where a question starts, not as a relative pronoun', () => {
      expect(salientItems('Tell me when the store opens')).toEqual(['?when', '~open0']);
      expect(salientItems('a story about a dragon who is afraid of fire')).toEqual([]);
    });

    it('misses rather than guesses: a name written in lower case is no name', () => {
      differ('how do i parse json in python', 'How do I parse JSON in Python?');
    });
  });

  describe('quoted strings', () => {
    it('keeps what is quoted, whatever the quotes', () => {
      same("Translate 'good morning' into Spanish.", 'Translate “good morning” to Spanish.');
      differ('Translate "good morning" into Spanish.', 'Translate "good night" into Spanish.');
      differ('Grep for `ERROR` in the log', 'Grep for `WARN` in the log');
      expect(salientItems("It's the users' 'settings' page")).toEqual(['q:settings']);
    });
  });

  describe('oppositions and roles', () => {
    it.each([
      ['Should I buy Tesla stock?', 'Should I sell Tesla stock?'],
      ['Sort in ascending order.', 'Sort in descending order.'],
      ['Take it before meals.', 'Take it after meals.'],
      ['if rates increase', 'if rates decrease'],
      ['if rates increased', 'if rates are decreasing'],
      ['the maximum dose', 'the minimum dose'],
      ['Is 7 greater than 12?', 'Is 7 less than 12?'],
      ['upload the backups', 'download the backups'],
      ['install Node', 'uninstall Node'],
      ['start the server', 'stop the server'],
      ['Find flights from Paris to London.', 'Find flights from London to Paris.'],
      ['Convert 5 USD to EUR', 'Convert 5 EUR to USD'],
      ['Is 7 greater than 12?', 'Is 12 greater than 7?'],
      ['Subtract 3 from 10', 'Subtract 10 from 3'],
      ['the weather today', 'the weather tomorrow'],
    ])('%s ≠ %s', differ);

    it('reads each side of a slash', () => {
      expect(salientItems('Should I buy/sell Tesla and/or Apple?')).toEqual(['@apple', '@tesla', '~trade0', '~trade1']);
    });

    it('lets a role reach past articles only', () => {
      expect(salientItems('copy it to the S3 bucket')).toEqual(['to>@s3']);
      expect(salientItems('go to bed with Alice')).toEqual(['@alice']);
    });
  });

  it('treats words that are also Object.prototype keys as words', () => {
    expect(() => salientSignature('constructor toString __proto__ hasOwnProperty valueOf')).not.toThrow();
    expect(salientItems('the constructor of a class')).toEqual([]);
  });

  it('matches a prompt past MAX_SCANNED_CHARS only with itself, and stays cheap', () => {
    const long = 'Alice sent 12 invoices to Bob. '.repeat(Math.ceil(MAX_SCANNED_CHARS / 31) + 1);
    expect(long.length).toBeGreaterThan(MAX_SCANNED_CHARS);
    expect(salientSignature(long)).toBe(salientSignature(long));
    expect(salientSignature(long)).not.toBe(salientSignature(`${long} `));
    expect(salientSignature(long)).toMatch(/^\["exact:/);
    const prompt = 'Please draft a polite email to Mr. Thompson explaining that the delivery of order 7781 will be delayed because of the storm.';
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) salientSignature(prompt);
    // About 20 µs a call on an idle core; the bound leaves room for a loaded test machine.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    const justUnder = 'word '.repeat(MAX_SCANNED_CHARS / 5 - 1);
    const t0 = process.hrtime.bigint();
    salientSignature(justUnder);
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(500);
  });
});
