/** Conversions between allocator values and generated wire types. */
import type { Resources } from '../allocator/index.js';
import type { Resource } from '../gen/mezzo/v1/Resource.js';

/** Resources as the wire message. The shapes match; only the 64-bit int typing differs. */
export function toWire(r: Resources): Resource[] {
  return r.toProto();
}
