// The browser terminal's line editing, history and completion rules (pure, no DOM).
import { describe, expect, it } from 'vitest';
import { LineEditor, columns, commonPrefix, completionEdit, redrawSequence, visibleLength } from '../../client/src/terminal/line-editor.js';
import { editLine } from '../../server/shell/parse.js';

describe('LineEditor', () => {
  it('edits at the cursor: insert, ←/→, Home/End, Backspace, Delete, Ctrl-U, Ctrl-W', () => {
    const e = new LineEditor();
    e.insert('kubectl get po');
    e.left();
    e.left();
    e.insert('X');
    expect([e.buffer, e.cursor]).toEqual(['kubectl get Xpo', 13]);
    e.backspace();
    e.home();
    e.delete();
    expect([e.buffer, e.cursor]).toEqual(['ubectl get po', 0]);
    e.left();
    e.backspace();
    expect([e.buffer, e.cursor]).toEqual(['ubectl get po', 0]);
    e.end();
    e.right();
    expect(e.cursor).toBe(13);
    e.killWord();
    expect(e.buffer).toBe('ubectl get ');
    e.left();
    e.killToStart();
    expect([e.buffer, e.cursor]).toEqual([' ', 0]);
  });

  it('browses history with ↑/↓ and keeps the unfinished line, like bash', () => {
    const e = new LineEditor(['kubectl get nodes', '', 'df -h']);
    e.insert('etcd');
    e.up();
    expect(e.buffer).toBe('df -h');
    e.up();
    expect(e.buffer).toBe('kubectl get nodes');
    e.up();
    expect(e.buffer).toBe('kubectl get nodes');
    e.down();
    e.down();
    expect([e.buffer, e.cursor]).toEqual(['etcd', 4]);
    expect(e.submit()).toBe('etcd');
    e.up();
    expect(e.buffer).toBe('etcd');
    e.reset();
    expect(e.buffer).toBe('');
  });

  it('does not record blank lines or immediate repeats', () => {
    const e = new LineEditor();
    for (const line of ['ls', 'ls', '  ']) {
      e.insert(line);
      e.submit();
    }
    e.up();
    e.up();
    expect(e.buffer).toBe('ls');
  });

  it('replaces the word being completed', () => {
    const e = new LineEditor();
    e.insert('kubectl get po -n kube');
    e.replace(18, 'kube-system ');
    expect([e.buffer, e.cursor]).toEqual(['kubectl get po -n kube-system ', 30]);
  });
});

describe('completion', () => {
  it('completes a single candidate with a space, except after / or =', () => {
    expect(completionEdit('dep', ['deployments'])).toEqual({ insert: 'deployments ' });
    expect(completionEdit('/etc/ku', ['/etc/kubernetes/'])).toEqual({ insert: '/etc/kubernetes/' });
    expect(completionEdit('--out', ['--output='])).toEqual({ insert: '--output=' });
    expect(completionEdit('x', [])).toEqual({});
  });

  it('extends to the common prefix and lists several candidates', () => {
    expect(completionEdit('d', ['describe', 'delete'])).toEqual({ insert: 'de', list: ['describe', 'delete'] });
    expect(completionEdit('de', ['describe', 'delete'])).toEqual({ list: ['describe', 'delete'] });
    expect(commonPrefix(['etcd-0', 'etcd-1', 'etcdctl'])).toBe('etcd');
  });

  it('lays candidates out in columns, down then across', () => {
    expect(columns(['a', 'bb', 'c', 'd', 'e'], 12)).toEqual(['a   c   e', 'bb  d']);
    expect(columns(['only'], 3)).toEqual(['only']);
  });
});

describe('redraw', () => {
  it('measures prompts without their colour escapes', () => {
    expect(visibleLength('\x1b[32mroot@cp-1\x1b[0m:~# ')).toBe(13);
  });

  it('redraws in place and puts the cursor back', () => {
    expect(redrawSequence('$ ', 'abc', 1, 80, 0)).toEqual({ data: '\r\x1b[J$ abc\r\x1b[3C', cursorRow: 0 });
  });

  it('handles lines that wrap past the terminal width', () => {
    // 2 + 10 = 12 cells on a 5-column terminal: rows 0..2; cursor at cell 4 (row 0).
    const { data, cursorRow } = redrawSequence('$ ', 'abcdefghij', 2, 5, 1);
    expect(data).toBe('\x1b[1A\r\x1b[J$ abcdefghij\x1b[2A\r\x1b[4C');
    expect(cursorRow).toBe(0);
    // Exactly filling a row: the pending wrap is made real so the cursor lands on the next row.
    expect(redrawSequence('$ ', 'abc', 3, 5, 0)).toEqual({ data: '\r\x1b[J$ abc\r\n\r', cursorRow: 1 });
  });
});

describe('saving an edit', () => {
  it('runs the save command with the text as a quoted here-document whose delimiter no line equals', () => {
    expect(editLine('vi x.yaml', "a: 'b' $HOME\n")).toBe("vi x.yaml <<'KUBEDRILL_EDIT'\na: 'b' $HOME\nKUBEDRILL_EDIT");
    expect(editLine('vi x', 'KUBEDRILL_EDIT\nno newline')).toBe("vi x <<'KUBEDRILL_EDIT_'\nKUBEDRILL_EDIT\nno newline\nKUBEDRILL_EDIT_");
  });
});
