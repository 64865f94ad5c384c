import { carriers, field } from './fields.js';
import { finding, type AuditItem, type Check, type Finding } from './types.js';

/** Other campaigns named in one finding's evidence; the rest are counted. */
const NAMED = 2;

/** A name reduced to what makes it the same campaign: case, punctuation, version and copy suffixes dropped. */
export function normalizeName(name: string): string {
  let s = name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  for (let before = ''; before !== s; ) {
    before = s;
    s = s.replace(/[\s\-–—_:|.]*[([]?\s*(v|ver|version)\s*\d+(\.\d+)*\s*[)\]]?\s*$/, '')
      .replace(/[\s\-–—_:|.]*[([]?\s*copy(\s*\d+)?\s*[)\]]?\s*$/, '')
      .replace(/[\s\-–—_:|.]*[([]\s*\d+\s*[)\]]\s*$/, '');
  }
  return s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Ids that name their kind (Altcraft `campaign-`/`mailing-`) are compared within that kind: a container is no mailing's duplicate. */
const kind = (id: string) => /^[a-z]+-/i.exec(id)?.[0] ?? '';
const groupKey = (i: AuditItem, rest: string) => [i.summary.vendor, i.summary.account ?? '', i.summary.channel, kind(i.summary.id), rest].join('\u0000');

function others(i: AuditItem, peers: readonly AuditItem[]): string {
  const rest = peers.filter((p) => p !== i);
  const named = rest.slice(0, NAMED).map((p) => `"${p.summary.name}" (${p.summary.id})`).join(', ');
  return rest.length > NAMED ? `${named} +${rest.length - NAMED} more` : named;
}

/**
 * Reads names from the listing: campaigns of one account and channel whose names are equal once
 * normalized (normalizeName). Limits: only among the audited statuses; different wording is not matched.
 */
export const duplicateName: Check = {
  id: 'duplicate_name', severity: 'low', needsDetail: false, vendors: { clevertap: true, moengage: true, batch: true, altcraft: true },
  reads: 'campaign names, per account and channel',
  unsupported: '',
  run(items) {
    const groups = new Map<string, AuditItem[]>();
    for (const i of items) {
      const k = groupKey(i, normalizeName(i.summary.name));
      groups.set(k, [...(groups.get(k) ?? []), i]);
    }
    const out: Finding[] = [];
    for (const g of groups.values()) {
      if (g.length < 2) continue;
      for (const i of g) {
        const same = g.every((p) => p.summary.name === i.summary.name);
        const peers = same ? g.filter((p) => p !== i).map((p) => p.summary.id) : undefined;
        const like = peers ? `same name as ${peers.slice(0, NAMED).join(', ')}${peers.length > NAMED ? ` +${peers.length - NAMED} more` : ''}` : `≈ ${others(i, g)}`;
        out.push(finding(this, i, `name: "${i.summary.name}" ${like}, ${i.summary.channel}`, 'Merge or rename them; stop the one that is not wanted.'));
      }
    }
    return out;
  },
};

/** A targeting line reduced for comparison; "all users" overlaps everything. */
export function audienceKey(audience: string): string {
  return audience.toLowerCase().replace(/\s+/g, ' ').trim();
}
const ALL = 'all users';

/**
 * Reads detail.audience of running campaigns: two on the same account and channel overlap when their
 * targeting is identical or one targets all users. Limits: partial overlaps of different filters are
 * not computed (no vendor API answers that); channel `other` (containers) is skipped.
 */
export const overlappingAudience: Check = {
  id: 'overlapping_audience', severity: 'medium', needsDetail: (s) => s.status === 'running' && s.channel !== 'other', vendors: carriers('audience'),
  reads: 'targeting of running campaigns, per account and channel',
  unsupported: "the vendor's campaign data has no targeting",
  run(items) {
    const running = items.filter((i) => i.summary.status === 'running' && i.summary.channel !== 'other' && i.detail?.audience);
    const byChannel = new Map<string, AuditItem[]>();
    for (const i of running) {
      const k = groupKey(i, '');
      byChannel.set(k, [...(byChannel.get(k) ?? []), i]);
    }
    const out: Finding[] = [];
    for (const g of byChannel.values()) {
      for (const i of g) {
        const key = audienceKey(i.detail!.audience!);
        const peers = g.filter((p) => p !== i && (key === ALL || audienceKey(p.detail!.audience!) === ALL || audienceKey(p.detail!.audience!) === key));
        if (!peers.length) continue;
        const v = i.summary.vendor;
        out.push(finding(this, i, `${field('audience', v)}: "${clip(i.detail!.audience!)}" overlaps ${others(i, [i, ...peers])}, all running ${i.summary.channel}`, 'Merge them, add mutual exclusions, or rely on frequency caps.'));
      }
    }
    return out;
  },
};

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}
