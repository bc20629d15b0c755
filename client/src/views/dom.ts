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

/** Replaces an element's children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
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
