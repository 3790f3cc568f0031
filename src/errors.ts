/**
 * The text of anything thrown: an Error's message, or the value itself as a string (a library may throw a
 * string or an object). One helper instead of an inline instanceof-Error-else-String copy in every catch.
 * It depends on nothing, so every folder (the simulator and the LRS client included) may import it.
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
