// A tiny element builder: h('button', { class: 'primary', onclick }, 'Start').
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value as EventListener);
    else if (key === 'class') el.className = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') (el as unknown as Record<string, unknown>)[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

/** A control's identity across redraws: its tag, attributes and text. */
const signature = (el: Element): string =>
  `${el.tagName} ${[...el.attributes].filter((a) => a.name !== 'class').map((a) => `${a.name}=${a.value}`).join(' ')} ${el.textContent}`;

/**
 * Replaces an element's children. Views redraw on every room event: a keyboard user focused
 * on a control inside stays on the same control in the new content (the one that looks the
 * same, else the one at the same place), not thrown back to the top of the page.
 */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  const active = document.activeElement;
  const kept = active instanceof HTMLElement && active !== el && el.contains(active)
    ? { sig: signature(active), index: [...el.querySelectorAll(FOCUSABLE)].indexOf(active) } : undefined;
  el.replaceChildren();
  append(el, children);
  if (!kept) return;
  // A control that became disabled cannot take the focus (it would fall to the page).
  const now = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((e) => !(e as HTMLButtonElement).disabled);
  const same = now.map((e, i) => ({ e, i })).filter(({ e }) => signature(e) === kept.sig)
    .sort((a, b) => Math.abs(a.i - kept.index) - Math.abs(b.i - kept.index))[0]?.e;
  (same ?? now[Math.min(kept.index, now.length - 1)])?.focus({ preventScroll: true });
}

/** The app's view contract: mount into `root`, return a cleanup. */
export type View = (root: HTMLElement) => (() => void) | void;

let bannerTimer: ReturnType<typeof setTimeout> | undefined;

/** The top banner: connection state (sticky) or a short notice. */
export function banner(text: string | undefined, kind: 'warn' | 'info' | 'error' = 'warn', ms?: number): void {
  const el = document.getElementById('banner');
  if (!el) return;
  clearTimeout(bannerTimer);
  el.hidden = !text;
  el.textContent = text ?? '';
  el.className = `banner ${kind}`;
  if (text && ms) bannerTimer = setTimeout(() => banner(undefined), ms);
}

export function toast(text: string, kind: 'info' | 'error' = 'info'): void {
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}
