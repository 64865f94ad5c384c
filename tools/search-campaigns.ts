import { z } from 'zod';
import { defineTool } from '../src/tool.js';
import { listAcross, listFilters, listOutput, renderListing } from '../src/listing.js';

/** Find campaigns by name or tag text, across vendors, with the listing filters. */
export default defineTool({
  name: 'search_campaigns',
  title: 'Search campaigns',
  description:
    'Finds campaigns whose name or tags contain `query` (case-insensitive), across every configured vendor unless `vendor` is given, ' +
    'with the same filters and paging as list_campaigns. Vendors without server-side search are filtered from their listing.',
  kind: 'read',
  action: 'search campaigns',
  inputSchema: {
    query: z.string().trim().min(1).max(200).optional().describe('text to find in campaign names or tags'),
    ...listFilters,
  },
  outputSchema: listOutput,
  async handler(args, ctx, signal) {
    const { limit, cursor, ...filters } = args;
    const out = await listAcross(ctx, filters, limit, cursor, signal);
    const what = filters.query ? `campaigns matching "${filters.query}"` : 'campaigns';
    return { structured: out, text: renderListing(out, what) };
  },
});
