/** `campaign-mcp --help`: commands, every flag and every environment variable, one line each. */
export function usage(version: string): string {
  return `campaign-mcp ${version}: an MCP server for marketing campaigns on CleverTap, MoEngage, Batch and Altcraft.

Usage:
  campaign-mcp [flags]                       serve MCP over stdio (what an MCP client starts)
  campaign-mcp --http [--port <n>] [flags]   serve Streamable HTTP at http://127.0.0.1:3000/mcp
  campaign-mcp tools [flags]                 list the tools and their arguments
  campaign-mcp call <tool> ['<json>'] [--all] [flags]
                                             run one tool, print its text (exit 1 on a tool error)
  campaign-mcp --help | --version

Flags:
  --sandbox          simulated CleverTap, MoEngage, Batch and Altcraft on loopback with sample data; no credentials
  --read-only        register no write tool (or CAMPAIGN_MCP_READ_ONLY=true)
  --http             Streamable HTTP instead of stdio
  --host <addr>      HTTP bind address (default 127.0.0.1; beyond loopback CAMPAIGN_MCP_HTTP_TOKEN is required)
  --port <n>         HTTP port (default 3000; 0 picks a free one)
  --config <file>    JSON file with several accounts per vendor: {"accounts":[{"vendor":"clevertap","name":"india",...}]}
  --data-dir <dir>   where the write journal and token secret live (wins over CAMPAIGN_MCP_DATA_DIR)
  --log-level <lvl>  trace, debug, info, warn or error; logs go to stderr (or LOG_LEVEL)
  --all              with call: follow next_cursor to the last page and print every result
  -h, --help         this text
  -v, --version      the version

Environment (a vendor is enabled when its credentials are set):
  CleverTap   CLEVERTAP_ACCOUNT_ID, CLEVERTAP_PASSCODE, CLEVERTAP_REGION (in1 sg1 us1 aps3 mec1 eu1), CLEVERTAP_BASE_URL
  MoEngage    MOENGAGE_WORKSPACE_ID, MOENGAGE_API_KEY, MOENGAGE_DATA_CENTER (01-06, 101), MOENGAGE_BASE_URL,
              MOENGAGE_CREATED_BY (the dashboard user email MoEngage records as a campaign's creator)
  Batch       BATCH_API_KEY (app key), BATCH_REST_API_KEY, BATCH_BASE_URL
  Altcraft    ALTCRAFT_API_TOKEN, ALTCRAFT_BASE_URL
  each vendor CLEVERTAP_TIMEZONE, MOENGAGE_TIMEZONE, BATCH_TIMEZONE, ALTCRAFT_TIMEZONE: the account's IANA zone (default UTC)
  server      CAMPAIGN_MCP_READ_ONLY, CAMPAIGN_MCP_HTTP_TOKEN (Bearer token for --http), LOG_LEVEL,
              CAMPAIGN_MCP_DATA_DIR (default $XDG_STATE_HOME/campaign-mcp, else ~/.local/state/campaign-mcp),
              CAMPAIGN_MCP_SECRET (token and cursor signing key, 16+ characters; when unset, generated once into the data
              directory, or into Redis with CAMPAIGN_MCP_REDIS_URL: every instance sharing it must have the same one or none)
  instances   CAMPAIGN_MCP_REDIS_URL (redis[s]://[:password@]host:port[/db]: several instances share confirmations,
              the journal, send leases, vendor rate budgets and listing cursors; unreachable at start = exit 2)
  writes      CAMPAIGN_MCP_MAX_RECIPIENTS (cap per send, default 100000), CAMPAIGN_MCP_WRITE_VENDORS (e.g. clevertap,batch),
              CAMPAIGN_MCP_CONFIRM (always | auto | never: ask the person too), CAMPAIGN_MCP_CONFIRM_TTL_SECONDS (default 600),
              MOENGAGE_CREATED_BY (the dashboard user MoEngage records as a campaign's creator)
  limits      CAMPAIGN_MCP_DEADLINE_S (every call answers within it, default 45), CAMPAIGN_MCP_MAX_BODY_MB (default 16),
              CAMPAIGN_MCP_LIST_CACHE_S (reuse a finished listing this long, default 0)
  startup     CAMPAIGN_MCP_COMPILE_CACHE (folder for V8's code cache of the server, 0 = off;
              default $XDG_CACHE_HOME/campaign-mcp, else ~/.cache/campaign-mcp)

Examples:
  campaign-mcp --sandbox --http --port 0
  campaign-mcp call list_campaigns '{"status":"running","limit":50}' --sandbox --all
  campaign-mcp call get_campaign '{"vendor":"clevertap","id":"1712345678"}'
`;
}
