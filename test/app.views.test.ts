import { describe, expect, it } from 'vitest';
import { VENDORS } from '../src/domain.js';
import { CHECK_IDS, type AuditResult } from '../src/audit/index.js';
import { excerpt, expiry, fmtCount, htmlToText, scheduleText } from '../src/ui/format.js';
import { confirmLabel, messageOf, readResult, step, toolNameFor, type CardState, type Effect } from '../src/ui/preview-model.js';
import { VENDOR_ORDER, emptyLine, filterFindings, groupByCheck, filterOptions, groupBySeverity, sortFindings, summaryLine, truncated, type Finding } from '../src/ui/audit-model.js';
import type { WritePreviewResult } from '../src/write-result.js';

const T0 = Date.parse('2026-11-22T12:00:00Z');
const preview = (over: Partial<WritePreviewResult> = {}): WritePreviewResult => ({
  status: 'confirmation_required', confirm: 'tok-1', expires_at: '2026-11-22T12:10:00.000Z',
  preview: { vendor: 'clevertap', account: 'default', operation: 'send', channel: 'push', counts: { recipients: 2500, duplicates_removed: 4, batches: 3, batch_size: 1000 } },
  ...over,
});
const asResult = (structuredContent: unknown, text = '', isError = false) => ({ structuredContent: structuredContent as Record<string, unknown>, content: [{ type: 'text', text }], isError });
const outcome = { status: 'succeeded', write_id: 'w1', counts: { recipients: 2500, succeeded: 2500, failed: 0, unknown: 0, pending: 0 } };
const EXPIRED_TEXT = 'Could not send the message on clevertap: this confirm token expired at 2026-11-22T12:10:00.000Z; nothing was written. Call again without confirm for a fresh preview';

/** Run events through the card from `state`, collecting every effect. */
function run(state: CardState, events: Array<Parameters<typeof step>[1]>, now = T0): { state: CardState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const e of events) {
    const r = step(state, e, now);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}
const ready: CardState = { phase: 'ready', preview: preview() };

describe('preview card transitions', () => {
  it('Confirm calls the tool once with the token, and a second click while it runs sends nothing', () => {
    const r = run(ready, [{ type: 'confirm' }, { type: 'confirm' }, { type: 'cancel' }]);
    expect(r.effects).toEqual([{ type: 'call', confirm: 'tok-1' }]);
    expect(r.state.phase).toBe('confirming');
  });

  it('the outcome ends the card and tells the model what happened', () => {
    const r = run(ready, [{ type: 'confirm' }, { type: 'result', result: asResult(outcome, 'SUCCEEDED: 2500 of 2500 accepted') }, { type: 'confirm' }]);
    expect(r.state).toMatchObject({ phase: 'done', preview: { confirm: 'tok-1' } });
    expect(r.effects).toEqual([{ type: 'call', confirm: 'tok-1' }, { type: 'context', text: 'Confirmed in the card. SUCCEEDED: 2500 of 2500 accepted' }]);
  });

  it('the outcome of the model\'s own confirmed call (the card shown for it) is shown, and not told to the model as confirmed in the card', () => {
    const r = run({ phase: 'waiting' }, [{ type: 'result', result: asResult(outcome, 'SUCCEEDED: 2500 of 2500 accepted') }]);
    expect(r.state.phase).toBe('done');
    expect(r.effects).toEqual([]);
  });

  it('Cancel tells the model and calls nothing; nothing after it acts', () => {
    const r = run(ready, [{ type: 'cancel' }, { type: 'confirm' }, { type: 'refresh' }]);
    expect(r.state.phase).toBe('cancelled');
    expect(r.effects).toEqual([{ type: 'message', text: 'I cancelled this in the preview card: do not send on clevertap/default. Nothing was sent.' }]);
  });

  it('a token past expires_at is never sent: Confirm asks for a fresh preview instead', () => {
    const r = run(ready, [{ type: 'confirm' }], Date.parse('2026-11-22T12:10:00Z'));
    expect(r.effects).toEqual([{ type: 'call' }]);
    expect(r.state).toMatchObject({ phase: 'refreshing', notice: expect.stringContaining('expired at 2026-11-22 12:10 UTC. Nothing was sent.') });
    const fresh = run(r.state, [{ type: 'result', result: asResult(preview({ confirm: 'tok-2', expires_at: '2026-11-22T12:25:00Z' })) }], Date.parse('2026-11-22T12:15:00Z'));
    expect(fresh.state).toMatchObject({ phase: 'ready', preview: { confirm: 'tok-2' }, notice: expect.stringContaining('Fresh preview') });
  });

  it('expiry noticed while open: a message, and Confirm becomes a fresh preview, never a write', () => {
    const later = Date.parse('2026-11-22T12:11:00Z');
    const r = run(ready, [{ type: 'tick' }, { type: 'confirm' }], later);
    expect(r.effects).toEqual([{ type: 'call' }]);
    expect(run(ready, [{ type: 'tick' }], later).state).toMatchObject({ phase: 'expired', notice: 'This preview expired at 2026-11-22 12:10 UTC. Nothing was sent.' });
    expect(run(ready, [{ type: 'tick' }], T0).state).toBe(ready);
  });

  it('the server answering "expired" to a confirm gets a fresh preview (a call without the token)', () => {
    const r = run(ready, [{ type: 'confirm' }, { type: 'result', result: asResult(undefined, EXPIRED_TEXT, true) }]);
    expect(r.effects).toEqual([{ type: 'call', confirm: 'tok-1' }, { type: 'call' }]);
    expect(r.state.phase).toBe('refreshing');
  });

  it('another refusal is shown as it is, with a way to a fresh preview; a host that refuses the call too', () => {
    const refused = run(ready, [{ type: 'confirm' }, { type: 'result', result: asResult(undefined, 'the arguments differ', true) }]);
    expect(refused.state).toEqual({ phase: 'failed', notice: 'the arguments differ', canRefresh: true });
    expect(run(refused.state, [{ type: 'refresh' }]).effects).toEqual([{ type: 'call' }]);
    expect(run(ready, [{ type: 'confirm' }, { type: 'call-failed', message: 'denied' }]).state).toMatchObject({ phase: 'failed', canRefresh: true });
    expect(run({ phase: 'waiting' }, [{ type: 'result', result: asResult(undefined, 'bad input', true) }]).state).toEqual({ phase: 'failed', notice: 'bad input', canRefresh: false });
  });

  it('a failed write (isError with an outcome) is an outcome, not a refusal', () => {
    expect(readResult(asResult({ ...outcome, status: 'failed' }, 'FAILED', true)).kind).toBe('outcome');
    expect(readResult(asResult(preview())).kind).toBe('preview');
  });
});

describe('preview card content', () => {
  it('names the tool from the host, else from the arguments', () => {
    expect(toolNameFor({}, 'send_to_users')).toBe('send_to_users');
    expect(toolNameFor({ recipients: { ids: ['a'] } }, 'list_campaigns')).toBe('send_to_users');
    expect(toolNameFor({ id: '1', action: 'stop' })).toBe('set_campaign_status');
    expect(toolNameFor({ name: 'x', audience: {} })).toBe('create_campaign');
  });

  it('renders each channel its own way, an email body as text only', () => {
    const p = preview().preview;
    expect(messageOf({ channel: 'push', content: { title: 'Back', body: 'In stock', deep_link: 'app://x' } }, p)).toEqual({ kind: 'push', title: 'Back', body: 'In stock', link: 'app://x', image: undefined });
    // An image (or link) the vendor will not send, as its preview says, is not shown as sent.
    const pushed = { channel: 'push', content: { title: 'Back', body: 'In stock', deep_link: 'app://x', image_url: 'https://cdn.example/i.png' } };
    expect(messageOf(pushed, p)).toMatchObject({ image: 'https://cdn.example/i.png', link: 'app://x' });
    expect(messageOf(pushed, { ...p, notes: ['Not used for push: image_url, sender_name.'] })).toMatchObject({ image: undefined, link: 'app://x' });
    expect(messageOf(pushed, { ...p, notes: ['Not used for push: deep_link.'] })).toMatchObject({ link: undefined });
    const mail = { channel: 'email', content: { subject: 'Hi', body: 'B', sender_name: 'Shop' } };
    expect(messageOf(mail, p)).toMatchObject({ sender: 'Shop' });
    expect(messageOf(mail, { ...p, notes: ['Not used for email: deep_link, image_url, sender_name.'] })).toMatchObject({ sender: undefined });
    const email = messageOf({ channel: 'email', content: { subject: 'Hi', body: '<style>p{}</style><p>Dear&nbsp;you &amp; <b>yours</b></p><script>alert(1)</script>' } }, p);
    expect(email).toEqual({ kind: 'email', subject: 'Hi', sender: undefined, text: 'Dear you & yours' });
    expect(messageOf({ channel: 'sms', content: { body: 'Code 1234' } }, p)).toEqual({ kind: 'sms', body: 'Code 1234' });
    expect(messageOf({}, { ...p, content: 'Back — In stock' })).toEqual({ kind: 'text', body: 'Back — In stock' });
    expect(messageOf({ id: '1', action: 'stop' }, { ...p, channel: undefined })).toBeUndefined();
  });

  it('says on the button what it does', () => {
    const p = preview().preview;
    expect(confirmLabel('send_to_users', {}, p)).toBe('Send to 2,500');
    expect(confirmLabel('send_to_users', {}, p, 'de-DE')).toBe('Send to 2.500');
    expect(confirmLabel('set_campaign_status', { action: 'pause' }, p)).toBe('Pause campaign');
    expect(confirmLabel('create_campaign', {}, { ...p, schedule: { local: '2026-11-23T10:00:00', utc: '2026-11-23T09:00:00Z', timezone: 'Europe/Paris' } })).toBe('Create and schedule');
  });

  it('formats counts, schedules, expiry and excerpts', () => {
    expect(fmtCount(2500)).toBe('2,500');
    expect(fmtCount(2500, 'not a locale')).toBe('2,500');
    expect(scheduleText('now')).toBe('Immediately, once confirmed');
    expect(scheduleText({ local: '2026-11-23T10:00:00', utc: '2026-11-23T09:00:00Z', timezone: 'Europe/Paris' })).toBe('2026-11-23 10:00 Europe/Paris (2026-11-23 09:00 UTC)');
    expect(expiry('2026-11-22T12:10:00Z', T0)).toEqual({ expired: false, text: 'valid for 10 more min' });
    expect(expiry('2026-11-22T12:00:30Z', T0)).toEqual({ expired: false, text: 'valid for 30 more s' });
    expect(expiry('2026-11-22T11:59:00Z', T0).expired).toBe(true);
    expect(excerpt('one two three four', 16)).toBe('one two three…');
    expect(excerpt('abcdefghij', 5)).toBe('abcd…');
    expect(htmlToText('a<br>b &#x263A; &#9731; &lt;tag&gt;')).toBe('a b ☺ ☃ <tag>');
  });
});

const finding = (check: Finding['check'], severity: Finding['severity'], vendor: Finding['vendor'], name: string): Finding => ({ check, severity, vendor, campaign_id: name.toLowerCase(), campaign_name: name, evidence: `${check} evidence`, fix: `${check} fix` });
const audit: AuditResult = {
  findings: [
    finding('frequency_cap_bypass', 'high', 'moengage', 'Zeta'), finding('frequency_cap_bypass', 'high', 'clevertap', 'Alpha'),
    finding('no_control_group', 'low', 'batch', 'Beta'), finding('stale_schedule', 'medium', 'clevertap', 'Gamma'),
  ],
  summary: {
    statuses: ['running', 'scheduled'], audited: [{ vendor: 'clevertap', campaigns: 10, detail_reads: 10, report_reads: 0 }, { vendor: 'moengage', campaigns: 5, detail_reads: 5, report_reads: 0 }],
    by_check: [{ check: 'frequency_cap_bypass', severity: 'high', findings: 2, shown: 2 }, { check: 'stale_schedule', severity: 'medium', findings: 3, shown: 1 }, { check: 'no_control_group', severity: 'low', findings: 1, shown: 1 }, { check: 'missing_utm', severity: 'low', findings: 0, shown: 0 }],
    by_severity: { high: 2, medium: 3, low: 1 }, not_checked: [],
  },
};

describe('audit report logic', () => {
  it('groups by severity, most severe first, empty groups left out', () => {
    expect(groupBySeverity(audit.findings).map((g) => [g.severity, g.findings.map((f) => f.campaign_name)])).toEqual([['high', ['Zeta', 'Alpha']], ['medium', ['Gamma']], ['low', ['Beta']]]);
    expect(groupBySeverity(filterFindings(audit.findings, { vendor: 'clevertap', check: '', sort: 'check' })).map((g) => g.severity)).toEqual(['high', 'medium']);
  });

  it('within a severity, groups by check with the fix they share', () => {
    const high = groupBySeverity(audit.findings)[0]!.findings;
    expect(groupByCheck(high).map((g) => [g.check, g.fix, g.findings.map((f) => f.campaign_name)])).toEqual([['frequency_cap_bypass', 'frequency_cap_bypass fix', ['Zeta', 'Alpha']]]);
    expect(groupByCheck(sortFindings(audit.findings, 'campaign', [])).map((g) => g.check)).toEqual(['frequency_cap_bypass', 'no_control_group', 'stale_schedule']);
  });

  it('filters by vendor and check together, and offers only choices that have findings', () => {
    expect(filterFindings(audit.findings, { vendor: 'clevertap', check: 'frequency_cap_bypass', sort: 'check' }).map((f) => f.campaign_name)).toEqual(['Alpha']);
    expect(filterFindings(audit.findings, { vendor: 'altcraft', check: '', sort: 'check' })).toEqual([]);
    expect(filterOptions(audit)).toEqual({ vendors: ['clevertap', 'moengage', 'batch'], checks: ['frequency_cap_bypass', 'stale_schedule', 'no_control_group'] });
  });

  it('sorts by check order, vendor order or campaign name, stably', () => {
    const order = audit.summary.by_check.map((c) => c.check);
    expect(sortFindings(audit.findings, 'vendor', order).map((f) => f.campaign_name)).toEqual(['Alpha', 'Gamma', 'Zeta', 'Beta']);
    expect(sortFindings(audit.findings, 'campaign', order).map((f) => f.campaign_name)).toEqual(['Alpha', 'Beta', 'Gamma', 'Zeta']);
    expect(sortFindings(audit.findings, 'check', order).map((f) => f.campaign_name)).toEqual(['Zeta', 'Alpha', 'Gamma', 'Beta']);
  });

  it('says what was audited and which checks listed fewer than they found', () => {
    expect(summaryLine(audit)).toBe('15 running/scheduled campaigns audited: 6 findings, 4 listed.');
    expect(truncated(audit)).toEqual([{ check: 'stale_schedule', shown: 1, findings: 3 }]);
  });

  it('says "every check passed" only when checks ran on every account and campaign', () => {
    const none = { ...audit, findings: [], summary: { ...audit.summary, by_check: audit.summary.by_check.map((c) => ({ ...c, findings: 0, shown: 0 })), errors: undefined, warnings: undefined, incomplete: undefined, not_checked: [], audited: audit.summary.audited.map((a) => ({ ...a, unread: 0, failed_reads: 0 })) } } as AuditResult;
    expect(emptyLine(none)).toBe('No findings: every check passed.');
    expect(emptyLine({ ...none, summary: { ...none.summary, warnings: [{ vendor: 'altcraft', message: 'scampaigns/list failed' }] } })).toMatch(/some was not \(below\)/);
    expect(emptyLine({ ...none, summary: { ...none.summary, errors: [{ vendor: 'moengage', message: 'HTTP 401' }] } as AuditResult['summary'] })).toMatch(/some was not/);
    expect(emptyLine({ ...none, summary: { ...none.summary, by_check: [] } })).toBe('No check could run on these campaigns (below).');
    expect(emptyLine({ ...none, summary: { ...none.summary, not_checked: [{ check: 'dnd_bypass', vendors: ['batch'], reason: 'no DND field' }] } })).toMatch(/some was not/);
    expect(emptyLine({ ...none, summary: { ...none.summary, audited: none.summary.audited.map((a) => ({ ...a, unread: 3 })) } })).toMatch(/some was not/);
  });

  it('keeps the view\'s vendor order equal to the domain\'s (copied to keep zod out of the view)', () => {
    expect(VENDOR_ORDER).toEqual(VENDORS);
    expect(CHECK_IDS.length).toBeGreaterThan(0);
  });
});
