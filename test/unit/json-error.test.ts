import { jsonSyntaxError } from '../../src/config/json-error';
import { mulberry32 } from '../helpers/random';

const parses = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

describe('where a config file stops being JSON', () => {
  test('the line and column of the first mistake, in words', () => {
    expect(jsonSyntaxError('{"size": "48M",\n "engine": native}')).toEqual({ line: 2, column: 12, found: 'the character "n"' });
    expect(jsonSyntaxError("{size: '48M'}")).toEqual({ line: 1, column: 2, found: 'the character "s"' });
    expect(jsonSyntaxError('{"a": 1,}')).toEqual({ line: 1, column: 9, found: 'the character "}"' });
    expect(jsonSyntaxError('{"a": "1"')).toEqual({ line: 1, column: 10, found: 'the end of the file' });
    expect(jsonSyntaxError('')).toEqual({ line: 1, column: 1, found: 'the end of the file' });
    expect(jsonSyntaxError('{"a": 1} x')).toEqual({ line: 1, column: 10, found: 'the character "x"' });
    expect(jsonSyntaxError(' {"a": [1, 2.5e3, -0, true, false, null, "\\u00e9\\n"], "b": {}}\n')).toBeNull();
  });

  test('agrees with JSON.parse on what is JSON, over thousands of damaged texts', () => {
    const rand = mulberry32(7);
    const good = JSON.stringify({ size: '48M', refresh: 250, profile: false, list: [1, -2.5e-3, null, 'a\\"b\u00e9'], nested: { x: [] } }, null, 1);
    const alphabet = '{}[]:,"\\ \n0123456789-+.eEtruefalsn';
    for (let n = 0; n < 5000; n++) {
      const chars = [...good];
      const edits = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rand() * chars.length);
        const op = rand();
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.8) chars.splice(at, 0, alphabet[Math.floor(rand() * alphabet.length)]);
        else chars[at] = alphabet[Math.floor(rand() * alphabet.length)];
      }
      const text = chars.join('');
      expect([text, jsonSyntaxError(text) === null]).toEqual([text, parses(text)]);
    }
  });
});
