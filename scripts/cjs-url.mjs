// Injected into the CommonJS server bundle: what `import.meta.url` meant in the sources (the bundle's own URL).
import { pathToFileURL } from 'node:url';

export const __campaignMcpUrl = pathToFileURL(__filename).href;
