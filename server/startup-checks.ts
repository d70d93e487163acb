import type { AppContext } from './context.js';
import { verifyPassword } from './auth/passwords.js';
import { DEMO_PASSWORD } from './demo/seed.js';

/**
 * Production must never run with the published demo password on any account (demo accounts, or
 * a real account someone gave the demo password). Returns the offending logins.
 */
export async function accountsWithDemoPassword(ctx: AppContext): Promise<string[]> {
  const rows = await ctx.db.kysely
    .selectFrom('users')
    .select(['login', 'password_kind', 'password_hash', 'is_demo'])
    .where((eb) => eb.or([eb('is_demo', '=', 1), eb('role', '!=', 'patient')]))
    .execute();
  const bad: string[] = [];
  for (const r of rows) {
    if (Number(r.is_demo) === 1 || (await verifyPassword(r.password_kind, r.password_hash, DEMO_PASSWORD))) bad.push(r.login);
  }
  return bad;
}
