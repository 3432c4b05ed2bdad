/**
 * Mezzo's public library surface: shared plumbing for code that embeds Mezzo
 * components. The framework SDK and the allocator are exported as they land.
 */
export * from './shared/clock.js';
export * from './shared/errors.js';
export * from './shared/logger.js';
export * from './shared/metrics.js';
