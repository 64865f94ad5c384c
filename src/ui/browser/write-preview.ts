import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import type { WriteOutcomeResult, WritePreviewResult } from '../../write-result.js';
import { Bridge, applyHostContext, defaultTheme, initialize, reportSize } from './bridge.js';
import { h, mount } from './dom.js';
import { expiry, fmtCount, humanize, plural, scheduleText, vendorName } from '../format.js';
import { baseArgs, confirmLabel, messageOf, step, toolNameFor, type CardEvent, type CardState, type Effect, type MessageView, type ToolResultLike } from '../preview-model.js';

const root = document.getElementById('app')!;
const bridge = new Bridge();
defaultTheme();
let state: CardState = { phase: 'waiting' };
let args: Record<string, unknown> | undefined;
let hinted: string | undefined;
let locale: string | undefined;
let sandbox = false;

function dispatch(event: CardEvent): void {
  const next = step(state, event, Date.now());
  const changed = next.state !== state;
  state = next.state;
  if (changed) render();
  for (const e of next.effects) void run(e);
}

async function run(e: Effect): Promise<void> {
  const name = toolNameFor(args ?? {}, hinted);
  try {
    if (e.type === 'call') {
      const params = { ...baseArgs(args ?? {}), ...(e.confirm ? { confirm: e.confirm } : {}) };
      dispatch({ type: 'result', result: await bridge.request<ToolResultLike>('tools/call', { name, arguments: params }) });
    } else if (e.type === 'message') {
      await bridge.request('ui/message', { role: 'user', content: [{ type: 'text', text: e.text }] });
    } else {
      await bridge.request('ui/update-model-context', { content: [{ type: 'text', text: e.text }] });
    }
  } catch (err) {
    if (e.type === 'call') dispatch({ type: 'call-failed', message: (err as Error).message });
  }
}

function head(p: WritePreviewResult['preview'], title: string): HTMLElement {
  return h('header', { class: 'head' },
    h('div', { class: 'who' }, h('span', { class: 'vendor' }, vendorName(p.vendor)), h('span', { class: 'acct' }, `account ${p.account}`),
      sandbox ? h('span', { class: 'chip' }, 'Sandbox data') : null),
    h('h1', { tabindex: '-1' }, title));
}

function fact(label: string, value: string | undefined): HTMLElement | null {
  return value === undefined ? null : h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function messageBlock(m: MessageView | undefined): HTMLElement | null {
  if (!m) return null;
  let inner: HTMLElement;
  if (m.kind === 'push') {
    inner = h('div', { class: 'push', 'aria-label': 'Push notification preview' },
      h('div', { class: 'push-app' }, h('span', { class: 'push-icon', 'aria-hidden': 'true' }), h('span', {}, 'Your app'), h('span', { class: 'push-when' }, 'now')),
      m.title ? h('div', { class: 'push-title' }, m.title) : null,
      h('div', { class: 'push-body' }, m.body),
      m.image ? h('div', { class: 'meta-line' }, `Image: ${m.image}`) : null,
      m.link ? h('div', { class: 'meta-line' }, `Opens: ${m.link}`) : null);
  } else if (m.kind === 'email') {
    inner = h('div', { class: 'email', 'aria-label': 'Email preview' },
      m.sender ? h('div', { class: 'email-from' }, m.sender) : null,
      h('div', { class: 'email-subject' }, m.subject || '(no subject)'),
      h('div', { class: 'email-text' }, m.text),
      h('div', { class: 'meta-line' }, 'Text excerpt of the email body; its HTML is not rendered here.'));
  } else if (m.kind === 'sms') {
    inner = h('div', { class: 'sms', 'aria-label': 'Text message preview' }, h('div', { class: 'bubble' }, m.body));
  } else {
    inner = h('div', { class: 'plain' }, m.body);
  }
  return h('section', { class: 'message' }, h('h2', {}, 'Message'), inner);
}

function previewCard(pr: WritePreviewResult, notice: string | undefined, busy: boolean, expired: boolean): HTMLElement[] {
  const p = pr.preview;
  const a = args ?? {};
  const tool = toolNameFor(a, hinted);
  const c = p.counts;
  const title = humanize(p.operation) + (typeof a.name === 'string' && !p.operation.includes(a.name) ? `: ${a.name}` : '');
  const recipients = c ? `${plural(c.recipients, 'recipient', 'recipients', locale)} in ${plural(c.batches, 'batch', 'batches', locale)} of up to ${fmtCount(c.batch_size, locale)}${c.duplicates_removed ? ` (${fmtCount(c.duplicates_removed, locale)} duplicates removed)` : ''}` : undefined;
  const exp = expiry(pr.expires_at, Date.now());
  const actions = expired
    ? [h('button', { type: 'button', class: 'secondary', on: { click: () => dispatch({ type: 'cancel' }) } }, 'Cancel'),
      h('button', { type: 'button', class: 'primary', 'data-action': 'refresh', on: { click: () => dispatch({ type: 'refresh' }) } }, 'Get a fresh preview')]
    : [h('button', { type: 'button', class: 'secondary', disabled: busy, on: { click: () => dispatch({ type: 'cancel' }) } }, 'Cancel'),
      h('button', { type: 'button', class: 'primary', 'data-action': 'confirm', disabled: busy, on: { click: () => dispatch({ type: 'confirm' }) } }, busy ? 'Working…' : confirmLabel(tool, a, p, locale))];
  return [
    head(p, title),
    h('dl', { class: 'facts' },
      fact('Channel', p.channel),
      fact('Audience', p.audience),
      fact('Estimated reach', p.estimated_reach === undefined ? undefined : fmtCount(p.estimated_reach, locale)),
      fact('Recipients', recipients),
      fact('Schedule', scheduleText(p.schedule))),
    messageBlock(messageOf(a, p)),
    p.notes?.length ? h('ul', { class: 'notes' }, ...p.notes.map((n) => h('li', {}, n))) : null,
    notice ? h('p', { class: expired ? 'notice warn' : 'notice', role: 'status' }, notice) : null,
    h('footer', { class: 'actions' }, expired ? h('span', { class: 'expiry' }) : h('span', { class: 'expiry' }, `Confirmation ${exp.text}`), ...actions),
    h('p', { class: 'hint' }, 'Nothing is sent until you confirm. Esc cancels.'),
  ].filter((n): n is HTMLElement => n !== null);
}

const STATUS_WORDS: Record<WriteOutcomeResult['status'], string> = {
  succeeded: 'Done', partial: 'Partly done', failed: 'Failed', unknown: 'Outcome unknown',
};

function outcomeCard(o: WriteOutcomeResult, text: string, pr: WritePreviewResult | undefined): HTMLElement[] {
  const c = o.counts;
  const send = toolNameFor(args ?? {}, hinted) === 'send_to_users';
  const rows = (o.batches ?? []).filter((b) => b.state !== 'succeeded');
  const line = o.message ?? (send || o.status !== 'succeeded'
    ? `${fmtCount(c.succeeded, locale)} of ${plural(c.recipients, send ? 'recipient' : 'request', send ? 'recipients' : 'requests', locale)} accepted`
    : 'The vendor accepted it') + `${o.replayed ? ' (recorded outcome; nothing sent again)' : ''}${o.resumed ? ' (resumed)' : ''}.`;
  return [
    pr ? head(pr.preview, humanize(pr.preview.operation)) : h('header', { class: 'head' }, h('h1', { tabindex: '-1' }, 'Outcome')),
    h('p', { class: `status s-${o.status}`, role: 'status' }, `${o.approval ? (o.approval === 'declined' ? 'Declined' : 'Cancelled') : STATUS_WORDS[o.status] ?? o.status}: ${line}`),
    send || o.status !== 'succeeded' ? h('dl', { class: 'facts counts' }, fact('Accepted', fmtCount(c.succeeded, locale)), fact('Failed', fmtCount(c.failed, locale)), fact('Unknown', fmtCount(c.unknown, locale)), fact('Not sent', fmtCount(c.pending, locale))) : null,
    rows.length ? h('table', { class: 'batches' }, h('thead', {}, h('tr', {}, h('th', {}, 'Batch'), h('th', {}, 'Recipients'), h('th', {}, 'State'), h('th', {}, 'Detail'))),
      h('tbody', {}, ...rows.map((b) => h('tr', {}, h('td', {}, String(b.index)), h('td', {}, fmtCount(b.recipients, locale)), h('td', {}, b.state), h('td', {}, b.message ?? ''))))) : null,
    o.vendor_ref ? h('p', { class: 'meta-line' }, `Vendor reference: ${o.vendor_ref}`) : null,
    h('details', {}, h('summary', {}, 'As the model sees it'), h('pre', {}, text)),
  ].filter((n): n is HTMLElement => n !== null);
}

function render(): void {
  const hadFocus = root.contains(document.activeElement);
  const s = state;
  if (s.phase === 'waiting') mount(root, h('p', { class: 'muted' }, 'Waiting for the preview…'));
  else if (s.phase === 'ready') mount(root, ...previewCard(s.preview, s.notice, false, false));
  else if (s.phase === 'expired') mount(root, ...previewCard(s.preview, s.notice, false, true));
  else if (s.phase === 'confirming') mount(root, ...previewCard(s.preview, undefined, true, false));
  else if (s.phase === 'refreshing') mount(root, h('p', { class: 'notice warn', role: 'status' }, s.notice));
  else if (s.phase === 'done') mount(root, ...outcomeCard(s.outcome, s.text, s.preview));
  else if (s.phase === 'cancelled') mount(root, head(s.preview.preview, 'Cancelled'), h('p', { class: 'status', role: 'status' }, 'Cancelled. Nothing was sent; the model has been told.'));
  else mount(root, h('p', { class: 'notice warn', role: 'alert' }, s.notice),
    s.canRefresh ? h('footer', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-action': 'refresh', on: { click: () => dispatch({ type: 'refresh' }) } }, 'Get a fresh preview')) : null);
  root.dataset.phase = s.phase;
  if (hadFocus) (root.querySelector<HTMLElement>('button:not([disabled])') ?? root.querySelector<HTMLElement>('h1'))?.focus();
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') dispatch({ type: 'cancel' });
});
setInterval(() => {
  dispatch({ type: 'tick' });
  const el = root.querySelector('.expiry');
  if (el && state.phase === 'ready') el.textContent = `Confirmation ${expiry(state.preview.expires_at, Date.now()).text}`;
}, 1000);

function onContext(ctx: Partial<McpUiHostContext> | undefined): void {
  applyHostContext(ctx);
  if (ctx?.locale) locale = ctx.locale;
  if (ctx?.toolInfo?.tool?.name) hinted = ctx.toolInfo.tool.name;
}

bridge.on('ui/notifications/tool-input', (p) => {
  args ??= (p.arguments ?? {}) as Record<string, unknown>;
});
bridge.on('ui/notifications/tool-result', (p) => {
  if ((p as { structuredContent?: { sandbox?: unknown } }).structuredContent?.sandbox === true) sandbox = true;
  dispatch({ type: 'result', result: p as ToolResultLike });
});
bridge.on('ui/notifications/host-context-changed', (p) => onContext(p as Partial<McpUiHostContext>));
bridge.on('ui/notifications/tool-cancelled', () => {
  if (state.phase === 'waiting') mount(root, h('p', { class: 'muted' }, 'The tool call was cancelled; nothing was sent.'));
});
render();
reportSize(bridge);
initialize(bridge, 'campaign-mcp write preview').then((init) => onContext(init.hostContext), () => mount(root, h('p', { class: 'notice warn' }, 'This card needs an MCP Apps host.')));
