// Where a failed load or run says what went wrong: a status code (assembly/status.ts) plus the index
// of the thing it concerns and the offending value, read by the host through ew_error_index/value.

export let errorIndex: i32 = 0;
export let errorValue: i32 = 0;

export function fail(status: i32, index: i32, value: i32): i32 {
  errorIndex = index;
  errorValue = value;
  return status;
}
