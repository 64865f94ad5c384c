import type { WriteOutcomeResult, WritePreviewResult } from '../write-result.js';
import { excerpt, expiry, fmtCount, htmlToText, shortStamp } from './format.js';

/** A tool result as the bridge hands it over (CallToolResult, loosely). */
export interface ToolResultLike { content?: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown>; isError?: boolean }

export const WRITE_TOOLS = ['create_campaign', 'send_to_users', 'set_campaign_status'] as const;
export type WriteTool = (typeof WRITE_TOOLS)[number];

/** What a write tool's result says, for the card. */
export type Reading =
  | { kind: 'preview'; preview: WritePreviewResult }
  | { kind: 'outcome'; outcome: WriteOutcomeResult; text: string }
  | { kind: 'expired'; text: string }
  | { kind: 'error'; text: string };

/** The text blocks of a result, joined. */
export function resultText(r: ToolResultLike): string {
  return (r.content ?? []).filter((c) => c.type === 'text' && typeof c.text === 'string').map((c) => c.text).join('\n');
}

/** Classify a result: a preview, an outcome, an expired token (a refusal that wrote nothing), or another error. */
export function readResult(r: ToolResultLike): Reading {
  const s = r.structuredContent;
  const text = resultText(r);
  if (s && s.status === 'confirmation_required' && typeof s.confirm === 'string' && s.preview) return { kind: 'preview', preview: s as unknown as WritePreviewResult };
  if (s && typeof s.status === 'string' && s.counts) return { kind: 'outcome', outcome: s as unknown as WriteOutcomeResult, text };
  if (/confirm token expired/i.test(text)) return { kind: 'expired', text };
  return { kind: 'error', text: text || 'The tool answered without a preview or an outcome.' };
}

/** The write tool to call back: the host's word for it when it names one of ours, else what the arguments show. */
export function toolNameFor(args: Record<string, unknown>, hinted?: string): WriteTool {
  if (hinted && (WRITE_TOOLS as readonly string[]).includes(hinted)) return hinted as WriteTool;
  if (args.recipients !== undefined || args.recipients_file !== undefined) return 'send_to_users';
  if (typeof args.action === 'string' && args.id !== undefined) return 'set_campaign_status';
  return 'create_campaign';
}

/** The arguments the preview was made from, without any confirm (the card adds the token itself). */
export function baseArgs(args: Record<string, unknown>): Record<string, unknown> {
  const { confirm: _c, ...rest } = args;
  return rest;
}

/** The message as its channel shows it; all plain text (an email's HTML is reduced to text, never rendered). */
export type MessageView =
  | { kind: 'push'; title?: string; body: string; link?: string; image?: string }
  | { kind: 'email'; subject?: string; sender?: string; text: string }
  | { kind: 'sms'; body: string }
  | { kind: 'text'; body: string };

const BODY_MAX = 400;
const EMAIL_MAX = 320;

export function messageOf(args: Record<string, unknown>, p: WritePreviewResult['preview']): MessageView | undefined {
  const c = args.content as { title?: string; body?: string; subject?: string; sender_name?: string; deep_link?: string; image_url?: string } | undefined;
  const channel = (typeof args.channel === 'string' ? args.channel : p.channel) ?? 'other';
  if (!c || typeof c.body !== 'string') return p.content ? { kind: 'text', body: excerpt(htmlToText(p.content), BODY_MAX) } : undefined;
  // What the vendor will not send is not shown as sent: its preview names it (vendors/write-input.ts unusedContent).
  const unused = (field: string) => (p.notes ?? []).some((n) => n.startsWith('Not used for ') && n.split(': ')[1]?.replace(/\.$/, '').split(', ').includes(field));
  if (channel === 'email') return { kind: 'email', subject: c.subject, sender: unused('sender_name') ? undefined : c.sender_name, text: excerpt(htmlToText(c.body), EMAIL_MAX) };
  if (channel === 'sms' || channel === 'whatsapp') return { kind: 'sms', body: excerpt(c.body, BODY_MAX) };
  if (channel === 'push' || channel === 'webpush' || channel === 'inapp') {
    return { kind: 'push', title: c.title, body: excerpt(htmlToText(c.body), BODY_MAX), link: unused('deep_link') ? undefined : c.deep_link, image: unused('image_url') ? undefined : c.image_url };
  }
  return { kind: 'text', body: excerpt(htmlToText(c.body), BODY_MAX) };
}

/** The Confirm button says what it does. */
export function confirmLabel(tool: WriteTool, args: Record<string, unknown>, p: WritePreviewResult['preview'], locale?: string): string {
  if (tool === 'send_to_users') return p.counts ? `Send to ${fmtCount(p.counts.recipients, locale)}` : 'Send';
  if (tool === 'set_campaign_status') {
    const a = String(args.action ?? 'change');
    return `${a.charAt(0).toUpperCase()}${a.slice(1)} campaign`;
  }
  return p.schedule && p.schedule !== 'now' ? 'Create and schedule' : 'Create campaign';
}

/** The card's state: one write, from its preview to its outcome. */
export type CardState =
  | { phase: 'waiting' }
  | { phase: 'ready'; preview: WritePreviewResult; notice?: string }
  | { phase: 'expired'; preview: WritePreviewResult; notice: string }
  | { phase: 'confirming'; preview: WritePreviewResult }
  | { phase: 'refreshing'; notice: string }
  | { phase: 'done'; outcome: WriteOutcomeResult; text: string; preview?: WritePreviewResult }
  | { phase: 'cancelled'; preview: WritePreviewResult }
  | { phase: 'failed'; notice: string; canRefresh: boolean };

export type CardEvent =
  | { type: 'result'; result: ToolResultLike }
  | { type: 'call-failed'; message: string }
  | { type: 'confirm' } | { type: 'cancel' } | { type: 'refresh' } | { type: 'tick' };

/** What the card asks the bridge to do: call the tool (with the token, or without for a fresh preview), or tell the model. */
export type Effect = { type: 'call'; confirm?: string } | { type: 'message'; text: string } | { type: 'context'; text: string };

const NOTHING_SENT = 'Nothing was sent.';

function expiredNotice(p: WritePreviewResult): string {
  return `This preview expired at ${shortStamp(p.expires_at)}. ${NOTHING_SENT}`;
}

/** The one transition function: every click and every answer goes through it, so a token is sent at most once per click and never once expired. */
export function step(state: CardState, event: CardEvent, now: number): { state: CardState; effects: Effect[] } {
  const stay = { state, effects: [] as Effect[] };
  if (state.phase === 'done' || state.phase === 'cancelled') return stay;
  const refresh = (notice: string) => ({ state: { phase: 'refreshing', notice } as CardState, effects: [{ type: 'call' } as Effect] });
  switch (event.type) {
    case 'result': {
      const r = readResult(event.result);
      if (r.kind === 'outcome') {
        // Only a confirmation made in the card is news to the model; the outcome of its own confirmed call it has already.
        const mine = state.phase === 'confirming';
        return { state: { phase: 'done', outcome: r.outcome, text: r.text, ...(mine ? { preview: state.preview } : {}) }, effects: mine ? [{ type: 'context', text: `Confirmed in the card. ${r.text}` }] : [] };
      }
      if (r.kind === 'preview') {
        const notice = state.phase === 'refreshing' ? `Fresh preview: the earlier one expired and nothing was sent. Check it and confirm again.` : state.phase === 'ready' ? state.notice : undefined;
        if (expiry(r.preview.expires_at, now).expired) return { state: { phase: 'expired', preview: r.preview, notice: expiredNotice(r.preview) }, effects: [] };
        return { state: { phase: 'ready', preview: r.preview, ...(notice ? { notice } : {}) }, effects: [] };
      }
      if (r.kind === 'expired' && state.phase === 'confirming') return refresh(`The confirmation token expired before the write; ${NOTHING_SENT} Getting a fresh preview…`);
      const hadPreview = state.phase === 'confirming' || state.phase === 'refreshing' || state.phase === 'ready' || state.phase === 'expired';
      return { state: { phase: 'failed', notice: r.text, canRefresh: hadPreview }, effects: [] };
    }
    case 'call-failed':
      if (state.phase !== 'confirming' && state.phase !== 'refreshing') return stay;
      return { state: { phase: 'failed', notice: `The host did not complete the call: ${event.message}. Check the conversation before trying again.`, canRefresh: true }, effects: [] };
    case 'confirm':
      if (state.phase === 'expired') return refresh(`${state.notice} Getting a fresh preview…`);
      if (state.phase !== 'ready') return stay;
      if (expiry(state.preview.expires_at, now).expired) return refresh(`${expiredNotice(state.preview)} Getting a fresh preview…`);
      return { state: { phase: 'confirming', preview: state.preview }, effects: [{ type: 'call', confirm: state.preview.confirm }] };
    case 'refresh':
      if (state.phase === 'expired' || (state.phase === 'failed' && state.canRefresh)) return refresh('Getting a fresh preview…');
      return stay;
    case 'cancel': {
      if (state.phase !== 'ready' && state.phase !== 'expired') return stay;
      const p = state.preview.preview;
      return { state: { phase: 'cancelled', preview: state.preview }, effects: [{ type: 'message', text: `I cancelled this in the preview card: do not ${p.operation} on ${p.vendor}/${p.account}. ${NOTHING_SENT}` }] };
    }
    case 'tick':
      if (state.phase === 'ready' && expiry(state.preview.expires_at, now).expired) return { state: { phase: 'expired', preview: state.preview, notice: expiredNotice(state.preview) }, effects: [] };
      return stay;
  }
}
