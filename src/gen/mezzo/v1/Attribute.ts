// Original file: proto/mezzo/v1/common.proto


/**
 * A key/value pair describing an agent (rack, zone, hostname, gpu model...).
 */
export interface Attribute {
  'name'?: (string);
  'text'?: (string);
}

/**
 * A key/value pair describing an agent (rack, zone, hostname, gpu model...).
 */
export interface Attribute__Output {
  'name': (string);
  'text': (string);
}
