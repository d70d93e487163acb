/** What every validator returns: the normalised value, or a stable code and a Russian hint. */
export type Validation<Code extends string> = { ok: true; value: string } | { ok: false; code: Code; message: string };
