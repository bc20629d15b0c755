// Pure functions of a text that run on every command or tick of every room (a kubeconfig's
// certificate dates, a Corefile's parse): remembered per text for the whole process, up to a
// bounded number of characters (then forgotten all at once). Callers must not mutate what
// they get back: it is shared.
export function memoByText<T>(compute: (text: string) => T, maxChars = 4 << 20): (text: string) => T {
  const known = new Map<string, T>();
  let chars = 0;
  return (text) => {
    if (known.has(text)) return known.get(text) as T;
    const value = compute(text);
    if (chars + text.length > maxChars) {
      known.clear();
      chars = 0;
    }
    known.set(text, value);
    chars += text.length;
    return value;
  };
}
