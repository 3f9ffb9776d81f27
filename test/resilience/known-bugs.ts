/**
 * Product bugs the resilience suite has found and that are not fixed yet, in one
 * place: a test that exposes one runs as `todo` with its reason here, so the suite
 * stays green and the report still shows it. Every bug found so far is fixed (header
 * names unchecked, invalid UTF-8 stored mangled, write-only header values quoted in
 * errors, U+0000 failing on PostgreSQL), so each reason is undefined and the tests
 * guard against a relapse. Set a reason again to mark a new known bug.
 */
export const HEADER_NAMES_UNCHECKED: string | undefined = undefined;
export const INVALID_UTF8_ACCEPTED: string | undefined = undefined;
export const HEADER_VALUE_QUOTED: string | undefined = undefined;
export const NUL_ON_POSTGRES: string | undefined = undefined;
