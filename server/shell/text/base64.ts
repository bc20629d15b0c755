// coreutils base64: encode (wrapped at 76 columns, -w N) or decode (-d), e.g. to read a Secret.
import type { ShellCommand } from '../types.js';
import { parseOptions, readInputs } from './common.js';

export const base64: ShellCommand = (ctx, argv) => {
  const parsed = parseOptions('base64', argv.slice(1), {
    flags: 'di',
    valued: 'w',
    long: { decode: { key: 'd', value: false }, 'ignore-garbage': { key: 'i', value: false }, wrap: { key: 'w', value: true } },
  });
  if (!parsed.ok) return parsed.error;
  const o = parsed.opts;
  const { inputs, errors } = readInputs(ctx, 'base64', o.operands.slice(0, 1));
  if (errors) return { stdout: '', stderr: errors, exitCode: 1 };
  const text = inputs[0]?.text ?? '';
  if (o.has('d')) {
    const compact = text.replace(/\s+/g, '');
    const valid = /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0;
    const decoded = Buffer.from(valid || o.has('i') ? compact.replace(/[^A-Za-z0-9+/=]/g, '') : compact.replace(/[^A-Za-z0-9+/=].*$/, ''), 'base64').toString('utf8');
    return valid ? { stdout: decoded, stderr: '', exitCode: 0 } : { stdout: decoded, stderr: 'base64: invalid input\n', exitCode: 1 };
  }
  const wrap = o.last('w');
  const width = wrap === undefined ? 76 : Number(wrap);
  if (!Number.isInteger(width) || width < 0) return { stdout: '', stderr: `base64: invalid wrap size: '${wrap}'\n`, exitCode: 1 };
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  if (encoded === '') return { stdout: '', stderr: '', exitCode: 0 };
  const lines = width === 0 ? [encoded] : (encoded.match(new RegExp(`.{1,${width}}`, 'g')) ?? []);
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 };
};
