// Original file: proto/mezzo/v1/common.proto


/**
 * A file the fetcher downloads into the sandbox before the task starts.
 */
export interface UriInfo {
  'value'?: (string);
  'executable'?: (boolean);
  'extract'?: (boolean);
  'cache'?: (boolean);
  /**
   * Name of the file in the sandbox; defaults to the URI's last path segment.
   */
  'output_file'?: (string);
}

/**
 * A file the fetcher downloads into the sandbox before the task starts.
 */
export interface UriInfo__Output {
  'value': (string);
  'executable': (boolean);
  'extract': (boolean);
  'cache': (boolean);
  /**
   * Name of the file in the sandbox; defaults to the URI's last path segment.
   */
  'output_file': (string);
}
