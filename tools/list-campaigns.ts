import { defineTool } from '../src/tool.js';
import { listAcross, listFilters, listOutput, renderListing } from '../src/listing.js';

/** Every campaign in a date range and state, across all configured vendors at once. */
export default defineTool({
  name: 'list_campaigns',
  title: 'List campaigns',
  description:
    'Lists campaigns newest first, across every configured vendor at once unless `vendor` is given. ' +
    'Filter by dates (YYYY-MM-DD), normalized status and channel; page with `cursor`. ' +
    'A vendor that fails is reported in `errors` while the others still answer. Use search_campaigns to match names or tags.',
  kind: 'read',
  action: 'list campaigns',
  inputSchema: listFilters,
  outputSchema: listOutput,
  async handler(args, ctx, signal) {
    const { limit, cursor, ...filters } = args;
    const out = await listAcross(ctx, filters, limit, cursor, signal);
    return { structured: out, text: renderListing(out) };
  },
});
