// Original file: proto/mezzo/v1/common.proto

import type { UriInfo as _mezzo_v1_UriInfo, UriInfo__Output as _mezzo_v1_UriInfo__Output } from '../../mezzo/v1/UriInfo.js';

/**
 * The command a task runs: a shell string (shell=true) or an argv vector.
 */
export interface CommandInfo {
  'shell'?: (boolean);
  /**
   * With shell=true, run by /bin/sh -c. Otherwise the program (argv[0]).
   */
  'value'?: (string);
  /**
   * With shell=false, the arguments after the program (argv[1..]).
   */
  'arguments'?: (string)[];
  'environment'?: ({[key: string]: string});
  'uris'?: (_mezzo_v1_UriInfo)[];
  /**
   * Unix user to run as; empty means the agent's configured default.
   */
  'user'?: (string);
}

/**
 * The command a task runs: a shell string (shell=true) or an argv vector.
 */
export interface CommandInfo__Output {
  'shell': (boolean);
  /**
   * With shell=true, run by /bin/sh -c. Otherwise the program (argv[0]).
   */
  'value': (string);
  /**
   * With shell=false, the arguments after the program (argv[1..]).
   */
  'arguments': (string)[];
  'environment': ({[key: string]: string});
  'uris': (_mezzo_v1_UriInfo__Output)[];
  /**
   * Unix user to run as; empty means the agent's configured default.
   */
  'user': (string);
}
