// Original file: proto/mezzo/v1/scheduler.proto

import type { Resource as _mezzo_v1_Resource, Resource__Output as _mezzo_v1_Resource__Output } from '../../mezzo/v1/Resource.js';
import type { Attribute as _mezzo_v1_Attribute, Attribute__Output as _mezzo_v1_Attribute__Output } from '../../mezzo/v1/Attribute.js';

export interface Offer {
  'id'?: (string);
  'framework_id'?: (string);
  'agent_id'?: (string);
  'hostname'?: (string);
  'resources'?: (_mezzo_v1_Resource)[];
  'attributes'?: (_mezzo_v1_Attribute)[];
  /**
   * The role the resources are allocated to.
   */
  'allocation_role'?: (string);
}

export interface Offer__Output {
  'id': (string);
  'framework_id': (string);
  'agent_id': (string);
  'hostname': (string);
  'resources': (_mezzo_v1_Resource__Output)[];
  'attributes': (_mezzo_v1_Attribute__Output)[];
  /**
   * The role the resources are allocated to.
   */
  'allocation_role': (string);
}
