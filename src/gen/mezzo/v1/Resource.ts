// Original file: proto/mezzo/v1/common.proto

import type { Range as _mezzo_v1_Range, Range__Output as _mezzo_v1_Range__Output } from '../../mezzo/v1/Range.js';
import type { Reservation as _mezzo_v1_Reservation, Reservation__Output as _mezzo_v1_Reservation__Output } from '../../mezzo/v1/Reservation.js';

// Original file: proto/mezzo/v1/common.proto

export const _mezzo_v1_Resource_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  SCALAR: 'SCALAR',
  RANGES: 'RANGES',
  SET: 'SET',
} as const;

export type _mezzo_v1_Resource_Type =
  | 'TYPE_UNSPECIFIED'
  | 0
  | 'SCALAR'
  | 1
  | 'RANGES'
  | 2
  | 'SET'
  | 3

export type _mezzo_v1_Resource_Type__Output = typeof _mezzo_v1_Resource_Type[keyof typeof _mezzo_v1_Resource_Type]

/**
 * A named quantity of one kind of resource.
 */
export interface Resource {
  'name'?: (string);
  'type'?: (_mezzo_v1_Resource_Type);
  /**
   * For SCALAR: the amount (cpus in cores, mem and disk in MiB). Fixed point, 3 decimals.
   */
  'scalar'?: (number | string);
  'ranges'?: (_mezzo_v1_Range)[];
  'set'?: (string)[];
  /**
   * Empty: unreserved ("*"). The last entry is the role the resource is reserved to.
   */
  'reservations'?: (_mezzo_v1_Reservation)[];
  /**
   * Revocable resources may be taken back at any time.
   */
  'revocable'?: (boolean);
}

/**
 * A named quantity of one kind of resource.
 */
export interface Resource__Output {
  'name': (string);
  'type': (_mezzo_v1_Resource_Type__Output);
  /**
   * For SCALAR: the amount (cpus in cores, mem and disk in MiB). Fixed point, 3 decimals.
   */
  'scalar': (number);
  'ranges': (_mezzo_v1_Range__Output)[];
  'set': (string)[];
  /**
   * Empty: unreserved ("*"). The last entry is the role the resource is reserved to.
   */
  'reservations': (_mezzo_v1_Reservation__Output)[];
  /**
   * Revocable resources may be taken back at any time.
   */
  'revocable': (boolean);
}
