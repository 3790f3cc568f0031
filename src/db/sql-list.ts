/**
 * Lists from TypeScript written into SQL text as literals, e.g. `status not in ('succeeded', …)`.
 * Literals rather than parameters keep a statement's plan fixed (a partial index matches only a
 * constant condition); the values are our own constants, and anything but lower-case words is refused.
 */
export function sqlList(values: readonly string[]): string {
  return `(${literals(values)})`;
}

/** The same as a text array: `array['a', 'b']::text[]`. */
export function sqlArray(values: readonly string[]): string {
  return `array[${literals(values)}]::text[]`;
}

function literals(values: readonly string[]): string {
  for (const v of values) {
    if (!/^[a-z_]+$/.test(v))
      throw new Error(`sql-list: ${JSON.stringify(v)} is not a plain lower-case word`);
  }
  return values.map((v) => `'${v}'`).join(', ');
}
