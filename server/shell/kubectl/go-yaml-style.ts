// Which quotes kubectl's YAML puts around a one-line string: sigs.k8s.io/yaml's go-yaml v2
// (goyaml.v2/encode.go stringv, resolve.go resolve, emitterc.go yaml_emitter_analyze_scalar).
// A string that would read back as another type (a bool, a number, null, a timestamp, a
// base-60 float) is double-quoted; one with a character the emitter cannot print as it is
// (a tab, a control character, one outside the Basic Multilingual Plane) too, escaped; any other
// string that cannot be plain is single-quoted ('{}', 'a: [b]').

/** resolve.go's resolveMap: the words that read as a bool, null or a special float. */
const RESOLVED_WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF',
  '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
]);

/** strconv.ParseInt(s, 0, 64) syntax (out of range still reads as an int: resolve's big.Int). */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
/** resolve.go yamlStyleFloat. */
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** resolve.go allowedTimestampFormats, as time.Parse reads them (1–2 digit fields). */
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?$/;
/** encode.go base60float. */
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
/** Characters emitterc.go is_printable refuses (besides a line break): the string is double-quoted. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]/;

/** Whether go-yaml's resolve reads the plain string as something else than a string. */
function resolvesToOther(s: string): boolean {
  const hint = s[0];
  if (hint === undefined) return true;
  if (RESOLVED_WORDS.has(s)) return true;
  if (hint === '.') return YAML_FLOAT.test(s);
  if (!/[-+0-9]/.test(hint)) return false;
  if (TIMESTAMP.test(s)) return true;
  const plain = s.replaceAll('_', '');
  return GO_INT.test(plain) || YAML_FLOAT.test(plain);
}

/**
 * The quoting go-yaml forces on a one-line string: `double`, or undefined (plain when it can be,
 * else single-quoted). Bounded by the string's length (regular expressions without backtracking).
 */
export function goYamlDoubleQuoted(s: string): boolean {
  return resolvesToOther(s) || (/^[-+0-9]/.test(s) && s.includes(':') && BASE60_FLOAT.test(s)) || UNPRINTABLE.test(s);
}
