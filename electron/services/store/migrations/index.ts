import { migration0001 } from './0001_initial.js';
import { migration0002 } from './0002_referrals.js';
import { migration0003 } from './0003_documents.js';
import { migration0004 } from './0004_rejections.js';
import { migration0005 } from './0005_doctor_workspace.js';
import { migration0006 } from './0006_chat.js';
import type { Migration } from './types.js';

/** Every migration, in order; versions are 1, 2, 3, 4, 5 … without gaps. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006];

export const LATEST_VERSION = MIGRATIONS.length;
