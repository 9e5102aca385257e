// The end of an exhaustive switch: the compiler refuses a case left out, and a value from
// outside the types (a hostile payload) fails loudly instead of falling through.
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
