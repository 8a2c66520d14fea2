/**
 * Where a text stops being JSON, as a line and column a person can go to. V8's own messages quote
 * a fragment of the text cut at a fixed length (often mid-string, with the text's own newlines
 * in it) and give no position for most mistakes, so the text is scanned again here: a small
 * recursive descent over JSON's grammar that stops at the first character it cannot take.
 */
export interface JsonSyntaxError {
  line: number;
  column: number;
  /** What was found there: "the end of the file", or 'the character "n"'. */
  found: string;
}

class Stop {
  constructor(readonly at: number) {}
}

export function jsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  // A word that is not true, false or null is reported where it starts: `native` rather than its "a".
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (i >= text.length || !'"\\/bfnrt'.includes(text[i])) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail();
    i += m[0].length;
  };
  /** The rest of an object or array after its opening bracket: items split by commas. */
  const sequence = (close: string, item: () => void) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === close) return void i++;
      else fail();
    }
  };
  const member = () => {
    ws();
    string();
    ws();
    if (text[i] !== ':') fail();
    i++;
    value();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return sequence('}', member);
    if (c === '[') return sequence(']', value);
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return null;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return positionOf(text, e.at);
  }
}

function positionOf(text: string, at: number): JsonSyntaxError {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1) + 1;
  const found = at >= text.length ? 'the end of the file' : `the character ${JSON.stringify(text[at])}`;
  return { line, column, found };
}
