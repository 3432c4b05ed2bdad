/**
 * Reads an operator call's type from a JSON body (`{"type": "GET_STATE"}`). The operator
 * API is served in JSON only: a protobuf body is answered 415 saying so.
 */
import { HttpError } from '../../shared/http/errors.js';
import { formatOf } from './codec.js';

/** The call's type, or the HttpError to answer. */
export function decodeMessageJsonType(
  contentType: string | undefined,
  body: unknown,
): string | HttpError {
  if (formatOf(contentType) !== 'json')
    return new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'the operator API (/api/v1) is served in application/json',
    );
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return new HttpError(400, 'BAD_REQUEST', 'an operator call is a JSON object');
  const type = 'type' in body ? body.type : undefined;
  if (typeof type !== 'string' || type === '')
    return new HttpError(400, 'BAD_REQUEST', "an operator call needs 'type' (e.g. GET_STATE)");
  return type;
}
