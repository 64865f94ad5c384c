
type Child = Node | string | number | null | undefined | false;
interface Props { class?: string; on?: Partial<Record<'click' | 'change' | 'keydown', (e: Event) => void>>; [attr: string]: unknown }

/** Build an element; strings become text nodes (never parsed as HTML), so vendor text cannot inject markup or script. */
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v as NonNullable<Props['on']>)) el.addEventListener(ev, fn as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'object' ? c : String(c));
  return el;
}

/** Replace everything in `root` with `nodes`. */
export function mount(root: HTMLElement, ...nodes: Child[]): void {
  root.replaceChildren(...nodes.filter((n): n is Node | string | number => n !== null && n !== undefined && n !== false).map((n) => (typeof n === 'object' ? n : String(n))));
}
