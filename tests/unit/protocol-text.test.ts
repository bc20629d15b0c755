// Typed text at the protocol boundary: storable, and control characters shown, not obeyed.
import { describe, expect, it } from 'vitest';
import { ClientMessages, CreateRoomBody, isStorableText, showControls } from '../../server/protocol/index.js';

describe('showControls', () => {
  it('writes control characters in caret notation, as cat -v does', () => {
    expect(showControls('a\x1b[2Kb\rc\x7f\x07')).toBe('a^[[2Kb^Mc^?^G');
    expect(showControls('\x9b31m')).toBe('M-^[31m');
    expect(showControls('one\ntwo\tx')).toBe('one^Jtwo\tx');
    expect(showControls('one\ntwo\tx', true)).toBe('one\ntwo\tx');
    expect(showControls('plain ünïcödé 🚀')).toBe('plain ünïcödé 🚀');
    // Shown text has nothing left to show: applying it twice changes nothing.
    const shown = showControls('\x1b\r\n\x00\x85', true);
    expect(showControls(shown, true)).toBe(shown);
  });

  it('refuses NUL and lone surrogates, accepts surrogate pairs', () => {
    expect(isStorableText('ok 🚀')).toBe(true);
    for (const bad of ['\0', 'a\uD800', '\uDC00b', '\uDBFF\uDBFF\uDC00x\uDC00']) expect(isStorableText(bad), JSON.stringify(bad)).toBe(false);
  });

  it('applies to typed lines, names, notes and diagnoses at the schema', () => {
    const attack = 'kubectl delete ns prod #\r\x1b[2K0$ kubectl get pods';
    expect(ClientMessages['cmd:run'].parse({ line: attack }).line).toBe('kubectl delete ns prod #^M^[[2K0$ kubectl get pods');
    expect(ClientMessages['cmd:run'].parse({ line: 'cat <<EOF\n\tx\nEOF' }).line).toBe('cat <<EOF\n\tx\nEOF');
    expect(ClientMessages['room:join'].parse({ code: 'ABCDEFGH', name: 'Pat\x1b[8m\nX' })).toMatchObject({ name: 'Pat^[[8m^JX' });
    expect(CreateRoomBody.parse({ scenarioId: 'fake', mode: 'gameday', hostName: ' Da\rna\n ' }).hostName).toBe('Da^Mna');
    expect(ClientMessages['host:note'].parse({ text: 'line 1\nline 2\x1b]0;title\x07' }).text).toBe('line 1\nline 2^[]0;title^G');
    expect(ClientMessages['diagnosis:submit'].parse({ rootCause: 'b\x1b', text: 'why\nbecause\x08', evidence: ['e\r'] }))
      .toEqual({ rootCause: 'b^[', text: 'why\nbecause^H', evidence: ['e^M'] });
    expect(ClientMessages['host:adjust'].parse({ participantId: 'p', points: 1, reason: 'ok\n\x1b' }).reason).toBe('ok^J^[');
  });
});
