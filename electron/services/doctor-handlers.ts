import type { EventBus } from './rpc/events.js';
import type { Router } from './rpc/router.js';
import type { SessionManager } from './session.js';

// TEMPORARY SCAFFOLD: being built (see the RPC contract's centre doctor section).
export function registerDoctorHandlers(_router: Router, _sessions: SessionManager, _bus: EventBus): void {}
