import type { Channel, Content } from '../domain.js';
import { InputError } from '../errors.js';

/** Content a channel needs, or a clear error naming what is missing. */
export function requireContent(channel: Channel, c: Content): void {
  const missing = channel === 'push' ? (['title', 'body'] as const).filter((k) => !c[k]?.trim())
    : channel === 'email' ? (['subject', 'body'] as const).filter((k) => !c[k]?.trim())
    : (['body'] as const).filter((k) => !c[k]?.trim());
  if (missing.length) throw new InputError(`a ${channel} message needs content.${missing.join(' and content.')}`);
}
