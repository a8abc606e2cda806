// Java's Properties.load format, which Kafka's server.properties uses: comments (# !), key/value
// separated by '=', ':' or whitespace, backslash line continuations and escapes.

/** Parses the text of a .properties file into key/value pairs, later keys overriding earlier. */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [key, value] = splitKeyValue(line);
    props.set(key, value);
  }
  return props;
}

const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\f';

/** Joins continued lines and drops blank and comment lines; escapes stay for splitKeyValue. */
function logicalLines(text: string): string[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let pending: string | null = null;
  for (const raw of natural) {
    let i = 0;
    while (i < raw.length && isBlank(raw[i])) i++;
    const line = raw.slice(i);
    if (pending === null && (line === '' || line[0] === '#' || line[0] === '!')) continue;
    let trailing = 0;
    for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) trailing++;
    const continued = trailing % 2 === 1;
    const body = continued ? line.slice(0, -1) : line;
    pending = pending === null ? body : pending + body;
    if (!continued) {
      out.push(pending);
      pending = null;
    }
  }
  if (pending !== null && pending !== '') out.push(pending);
  return out;
}

/** Splits one logical line at the first unescaped separator and unescapes both halves. */
function splitKeyValue(line: string): [string, string] {
  let i = 0;
  let key = '';
  while (i < line.length) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      key += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || isBlank(c)) break;
    key += c;
    i++;
  }
  while (i < line.length && isBlank(line[i])) i++;
  if (i < line.length && (line[i] === '=' || line[i] === ':')) i++;
  while (i < line.length && isBlank(line[i])) i++;
  return [unescape(key), unescape(line.slice(i))];
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[++i];
    if (next === undefined) break;
    if (next === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error(`Malformed \\uxxxx encoding: \\u${hex}`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += ESCAPES[next] ?? next;
    }
  }
  return out;
}
