// Original file: proto/mezzo/v1/common.proto


// Original file: proto/mezzo/v1/common.proto

export const _mezzo_v1_Reservation_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  /**
   * Made by the operator in the agent's --resources flag.
   */
  STATIC: 'STATIC',
  /**
   * Made at run time by a RESERVE operation.
   */
  DYNAMIC: 'DYNAMIC',
} as const;

export type _mezzo_v1_Reservation_Type =
  | 'TYPE_UNSPECIFIED'
  | 0
  /**
   * Made by the operator in the agent's --resources flag.
   */
  | 'STATIC'
  | 1
  /**
   * Made at run time by a RESERVE operation.
   */
  | 'DYNAMIC'
  | 2

export type _mezzo_v1_Reservation_Type__Output = typeof _mezzo_v1_Reservation_Type[keyof typeof _mezzo_v1_Reservation_Type]

/**
 * One reservation in a resource's reservation stack (Mesos' "refined reservations").
 */
export interface Reservation {
  'type'?: (_mezzo_v1_Reservation_Type);
  'role'?: (string);
  'principal'?: (string);
  'labels'?: ({[key: string]: string});
}

/**
 * One reservation in a resource's reservation stack (Mesos' "refined reservations").
 */
export interface Reservation__Output {
  'type': (_mezzo_v1_Reservation_Type__Output);
  'role': (string);
  'principal': (string);
  'labels': ({[key: string]: string});
}
