import { z } from 'zod';

/** Ids are UUIDs made by whoever creates the record (desktop clients too, for idempotent creates). */
export const Id = z.uuid();
export type Id = z.infer<typeof Id>;

/** Calendar date as YYYY-MM-DD, checked to be a real date. */
export const IsoDate = z.iso.date();
/** Instant as an ISO-8601 UTC string; stored as text on both databases so ordering is lexical. */
export const IsoDateTime = z.iso.datetime();
