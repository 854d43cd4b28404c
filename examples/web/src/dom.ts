/** A tiny DOM builder: the app needs no framework to show a few tables and forms. */

type Child = Node | string | null | undefined | false;

/** `h('td', { class: 'state', 'data-state': 'PENDING' }, 'PENDING')`. `on*` attributes take listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
  return element;
}

/** Replaces everything inside `parent`. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
}

/** `<select>` of `values`, the first one chosen. */
export function select(name: string, values: readonly string[]): HTMLSelectElement {
  return h('select', { name }, ...values.map((value) => h('option', { value }, value)));
}

/** A local time for a timestamp from the gateway (UTC ISO 8601). */
export function time(iso: string): string {
  return new Date(iso).toLocaleString();
}
