import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, type ApiName } from '../../shared/api/contract.js';
import { CONSENT_VERSION } from '../modules/consent.js';
import { call, loginAs, startTestServer, type TestServer } from './harness.js';
import { buildWorld, PASSWORD, patientInput, pdfBytes, referral, referralBatch, requestInput, uploadPath, type World, type WorldUser } from './world.js';

/**
 * For every route of the contract and every kind of caller, the allowed/denied outcome, the data
 * slice each caller sees, and (for patient-data routes) that an audit event was written.
 */
type Who = 'anon' | 'physicianA' | 'physicianB' | 'manager' | 'doctorBakulev' | 'doctorKulakov' | 'admin' | 'patientA' | 'patientB';
const EVERYONE: Who[] = ['anon', 'physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'admin', 'patientA', 'patientB'];

interface Case {
  status: number;
  code?: string;
  path?: string;
  body?: unknown;
  /** Raw bytes as the body (`application/octet-stream`), for uploads. */
  bytes?: Uint8Array;
  /** Use a freshly issued token (for routes that end the session). */
  freshToken?: boolean;
  check?: (body: any, w: World) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
}
type Plan = (w: World, who: Who) => Case;

const ids = (items: { id: string }[]) => items.map((i) => i.id);
const only = (status: number, allowed: Who[], ok: Omit<Case, 'status'> = {}): Plan => (_w, who) =>
  who === 'anon' ? { status: 401, code: 'UNAUTHENTICATED' } : allowed.includes(who) ? { status, ...ok } : { status: 403, code: 'FORBIDDEN' };

function sees(expected: Partial<Record<Who, (w: World) => { has: string[]; hasNot: string[] }>>, pick: (body: any) => string[]): Plan { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (_w, who) => {
    if (who === 'anon') return { status: 401 };
    const rule = expected[who];
    if (!rule) return { status: 403, code: 'FORBIDDEN' };
    return {
      status: 200,
      check: (body, w) => {
        const got = pick(body);
        const { has, hasNot } = rule(w);
        for (const id of has) expect(got, `${who} should see ${id}`).toContain(id);
        for (const id of hasNot) expect(got, `${who} must not see ${id}`).not.toContain(id);
      },
    };
  };
}

const byPatient = (w: World, own: 'A' | 'B' | 'both') =>
  own === 'both' ? { has: [w.pA.patientId, w.pB.patientId], hasNot: [] } : own === 'A' ? { has: [w.pA.patientId], hasNot: [w.pB.patientId] } : { has: [w.pB.patientId], hasNot: [w.pA.patientId] };
const byRequest = (w: World, own: 'A' | 'B' | 'both') =>
  own === 'both' ? { has: [w.pA.requestId, w.pB.requestId], hasNot: [] } : own === 'A' ? { has: [w.pA.requestId], hasNot: [w.pB.requestId] } : { has: [w.pB.requestId], hasNot: [w.pA.requestId] };

/** Single-record reads of patient A's data: who gets it, who gets a 404 (existence not leaked). */
function singleA(path: (w: World) => string, canSee: Who[], roleAllowed: Who[]): Plan {
  return (w, who) => {
    if (who === 'anon') return { status: 401 };
    if (!roleAllowed.includes(who)) return { status: 403, code: 'FORBIDDEN', path: path(w) };
    return canSee.includes(who) ? { status: 200, path: path(w) } : { status: 404, code: 'NOT_FOUND', path: path(w) };
  };
}

/** Made in beforeAll next to the world: a batch per physician, and a request to schedule. */
const extra = { batchA: '', batchB: '', toSchedule: '', docA: '' };
const inTwoDays = () => new Date(Date.now() + 2 * 86_400_000).toISOString();

const STAFF_SYNC: Who[] = ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov'];

const randomPhone = () => `+7916${String(1000000 + Math.floor(Math.random() * 8999999))}`;
/** A route on an upload session: the uploading roles get 404 for a session not theirs; others 403. */
function uploadSessionPlan(who: Who, path: (id: string) => string): Case {
  const p = path(crypto.randomUUID());
  if (who === 'anon') return { status: 401, path: p };
  return ['patientA', 'patientB', 'physicianA', 'physicianB', 'manager'].includes(who) ? { status: 404, code: 'NOT_FOUND', path: p } : { status: 403, code: 'FORBIDDEN', path: p };
}

const PLANS: Record<ApiName, Plan> = {
  health: () => ({ status: 200 }),
  openapi: () => ({ status: 200 }),
  login: (_w, who) => (who === 'anon' ? { status: 401, code: 'INVALID_CREDENTIALS', body: { login: 'nobody', password: 'x' } } : { status: 200, body: 'own-credentials' }),
  logout: only(200, EVERYONE.filter((w) => w !== 'anon'), { freshToken: true }),
  changePassword: (_w, who) =>
    who === 'anon' ? { status: 401, code: 'UNAUTHENTICATED' } : { status: 401, code: 'INVALID_CREDENTIALS', body: { currentPassword: 'wrong-password', newPassword: 'another-long-password' } },
  me: only(200, EVERYONE.filter((w) => w !== 'anon')),
  reference: only(200, EVERYONE.filter((w) => w !== 'anon')),
  listUsers: only(200, ['admin']),
  createUser: (_w, who) => ({
    ...only(200, ['admin'])(_w, who),
    body: { login: `u-${crypto.randomBytes(4).toString('hex')}`, password: 'a-long-enough-password', role: 'physician', fullName: 'Новый врач' },
  }),
  listPatients: sees(
    {
      physicianA: (w) => byPatient(w, 'A'),
      physicianB: (w) => byPatient(w, 'B'),
      manager: (w) => byPatient(w, 'both'),
      doctorBakulev: (w) => byPatient(w, 'A'),
      doctorKulakov: (w) => byPatient(w, 'B'),
    },
    (b) => ids(b.items),
  ),
  getPatient: singleA((w) => `/api/patients/${w.pA.patientId}`, ['physicianA', 'manager', 'doctorBakulev', 'patientA'], ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'patientA', 'patientB']),
  createPatient: (_w, who) => ({ ...only(200, ['physicianA', 'physicianB', 'manager'])(_w, who), body: patientInput() }),
  listRequests: sees(
    {
      physicianA: (w) => byRequest(w, 'A'),
      physicianB: (w) => byRequest(w, 'B'),
      manager: (w) => byRequest(w, 'both'),
      doctorBakulev: (w) => byRequest(w, 'A'),
      doctorKulakov: (w) => byRequest(w, 'B'),
      patientA: (w) => byRequest(w, 'A'),
      patientB: (w) => byRequest(w, 'B'),
    },
    (b) => ids(b.items),
  ),
  getRequest: singleA((w) => `/api/requests/${w.pA.requestId}`, ['physicianA', 'manager', 'doctorBakulev', 'patientA'], ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'patientA', 'patientB']),
  createRequest: (w, who) => {
    const body = requestInput(w.pA.patientId, 'bakulev');
    if (who === 'anon') return { status: 401, body };
    if (who === 'physicianA' || who === 'manager') return { status: 200, body };
    // Physician B cannot see patient A, so cannot refer them either.
    if (who === 'physicianB') return { status: 404, code: 'NOT_FOUND', body };
    return { status: 403, code: 'FORBIDDEN', body };
  },
  takeRequest: singleA((w) => `/api/requests/${w.pA.requestId}/take`, ['doctorBakulev'], ['doctorBakulev', 'doctorKulakov']),
  scheduleRequest: (w, who) => ({
    ...singleA(() => `/api/requests/${extra.toSchedule}/schedule`, ['doctorBakulev'], ['doctorBakulev', 'doctorKulakov'])(w, who),
    body: { startsAt: inTwoDays(), durationMinutes: 30 },
    ...(who === 'doctorBakulev' ? { check: (b: { status: string }) => expect(b.status).toBe('scheduled') } : {}),
  }),
  listReferralBatches: sees(
    {
      physicianA: () => ({ has: [extra.batchA], hasNot: [extra.batchB] }),
      physicianB: () => ({ has: [extra.batchB], hasNot: [extra.batchA] }),
      manager: () => ({ has: [extra.batchA, extra.batchB], hasNot: [] }),
    },
    (b) => ids(b.items),
  ),
  getReferralBatch: singleA(() => `/api/referral-batches/${extra.batchA}`, ['physicianA', 'manager'], ['physicianA', 'physicianB', 'manager']),
  // Bulk import: the manager only. Decisions and commit act on physician B's batch (its patients
  // are physician B's and Bakulev's, which the visibility checks above allow for).
  getBatchDuplicates: singleA(() => `/api/referral-batches/${extra.batchA}/duplicates`, ['manager'], ['manager']),
  saveBatchDecisions: (w, who) => ({
    ...singleA(() => `/api/referral-batches/${extra.batchB}/decisions`, ['manager'], ['manager'])(w, who),
    body: { decisions: [{ row: 2, decision: 'skip' }] },
  }),
  commitBatch: singleA(() => `/api/referral-batches/${extra.batchB}/commit`, ['manager'], ['manager']),
  getBatchImport: singleA(() => `/api/referral-batches/${extra.batchA}/import`, ['manager'], ['manager']),
  cancelBatchImport: singleA(() => `/api/referral-batches/${extra.batchA}/cancel`, ['manager'], ['manager']),
  getBatchReport: singleA(() => `/api/referral-batches/${extra.batchA}/report`, ['physicianA', 'manager'], ['physicianA', 'physicianB', 'manager']),
  pipelineSummary: only(200, ['manager']),
  pipelineList: only(200, ['manager']),
  // No such message: the manager is told so, everyone else is refused before the lookup.
  resendSms: (_w, who) => {
    const path = `/api/sms-outbox/${crypto.randomUUID()}/resend`;
    if (who === 'anon') return { status: 401, path };
    return who === 'manager' ? { status: 404, code: 'NOT_FOUND', path } : { status: 403, code: 'FORBIDDEN', path };
  },
  listSmsOutbox: only(200, ['manager']),
  listConsultations: only(200, ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'patientA', 'patientB']),
  // No such consultation: those who may cancel are told so; the rest are refused before the lookup.
  cancelConsultation: (_w, who) => {
    const path = `/api/consultations/${crypto.randomUUID()}/cancel`;
    const body = { reason: 'Не могу прийти' };
    if (who === 'anon') return { status: 401, path, body };
    return ['doctorBakulev', 'doctorKulakov', 'patientA', 'patientB'].includes(who) ? { status: 404, code: 'NOT_FOUND', path, body } : { status: 403, code: 'FORBIDDEN', path, body };
  },
  listConclusions: only(200, ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'patientA', 'patientB']),
  getConclusionPdf: (_w, who) => {
    const path = `/api/conclusions/${crypto.randomUUID()}/pdf`;
    if (who === 'anon') return { status: 401, path };
    return who === 'admin' ? { status: 403, code: 'FORBIDDEN', path } : { status: 404, code: 'NOT_FOUND', path };
  },
  // Public: anyone holding the paper may check it; an unknown code is simply not valid.
  verifyConclusionCode: () => ({ status: 200, path: `/api/conclusions/verify/${'0'.repeat(64)}`, check: (b) => expect(b.valid).toBe(false) }),
  verifyConclusionPdf: () => ({ status: 200, bytes: pdfBytes(), check: (b) => expect(b.valid).toBe(false) }),
  listNotifications: only(200, ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'admin', 'patientA', 'patientB']),
  markNotificationsRead: only(200, ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'admin', 'patientA', 'patientB'], { body: { ids: [crypto.randomUUID()] } }),
  listPatientDocuments: (w, who) => singleA(() => `/api/patients/${w.pA.patientId}/documents`, ['physicianA', 'manager', 'doctorBakulev', 'patientA'], ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'patientA', 'patientB'])(w, who),
  uploadDocument: (w, who) => {
    const path = uploadPath(w.pA.patientId);
    const bytes = pdfBytes();
    if (who === 'anon') return { status: 401, path, bytes };
    // The referring physician, the manager and the patient themself; another physician or patient: 403.
    if (who === 'physicianA' || who === 'manager' || who === 'patientA') {
      return { status: 200, path, bytes, check: (b: { patientId: string; uploadedByRole: string }) => expect(b.patientId).toBe(w.pA.patientId) };
    }
    return { status: 403, code: 'FORBIDDEN', path, bytes };
  },
  getDocumentContent: (w, who) => ({
    ...singleA(() => `/api/documents/${extra.docA}/content`, ['physicianA', 'manager', 'doctorBakulev', 'patientA'], ['physicianA', 'physicianB', 'manager', 'doctorBakulev', 'doctorKulakov', 'patientA', 'patientB'])(w, who),
    ...(['physicianA', 'manager', 'doctorBakulev', 'patientA'].includes(who) ? { check: (b: unknown) => expect(String(b)).toMatch(/^%PDF-/) } : {}),
  }),
  // The patient portal. Public code routes answer alike for everyone (no account enumeration);
  // confirming without a code sent is a wrong code.
  registerStart: () => ({ status: 200, body: { phone: randomPhone() }, check: (b) => expect(b.ok).toBe(true) }),
  registerConfirm: () => ({ status: 400, code: 'VALIDATION_FAILED', body: { phone: randomPhone(), code: '000000', lastName: 'Тестов', firstName: 'Тест', sex: 'male', birthDate: '1980-01-01', password: 'a-long-enough-password' } }),
  resetStart: () => ({ status: 200, body: { phone: randomPhone() }, check: (b) => expect(b.ok).toBe(true) }),
  resetConfirm: () => ({ status: 400, code: 'VALIDATION_FAILED', body: { phone: randomPhone(), code: '000000', newPassword: 'a-long-enough-password' } }),
  consentText: () => ({ status: 200, check: (b) => expect(b.version).toBe(CONSENT_VERSION) }),
  myConsent: only(200, ['patientA', 'patientB'], { check: (b) => expect(b.current).toBe(true) }),
  giveConsent: only(200, ['patientA', 'patientB'], { body: { version: CONSENT_VERSION, agree: true } }),
  // Patient A consented in beforeAll, so their physician may upload in chunks too; the rest as uploadDocument.
  startUpload: (w, who) => {
    const path = `/api/patients/${w.pA.patientId}/uploads`;
    const body = { id: crypto.randomUUID(), type: 'ecg', fileName: 'ЭКГ.pdf', size: 1000 };
    if (who === 'anon') return { status: 401, path, body };
    if (who === 'physicianA' || who === 'manager' || who === 'patientA') return { status: 200, path, body, check: (b: { received: number }) => expect(b.received).toBe(0) };
    return { status: 403, code: 'FORBIDDEN', path, body };
  },
  // Someone else's (here: no such) upload session looks missing to those who may upload at all.
  getUpload: (_w, who) => uploadSessionPlan(who, (id) => `/api/uploads/${id}`),
  uploadChunk: (_w, who) => ({ ...uploadSessionPlan(who, (id) => `/api/uploads/${id}?offset=0`), bytes: pdfBytes() }),
  completeUpload: (_w, who) => uploadSessionPlan(who, (id) => `/api/uploads/${id}/complete`),
  createApplication: (_w, who) => ({
    ...only(200, ['patientA', 'patientB'], { check: (b: { source: string }) => expect(b.source).toBe('self_application') })(_w, who),
    // Each patient applies to the centre that already sees them, so the sync slices below stay as they are.
    body:
      who === 'patientB'
        ? { id: crypto.randomUUID(), centre: 'kulakov', profile: 'breast_pathology', diagnosis: 'Фиброаденома', complaints: 'Уплотнение' }
        : { id: crypto.randomUUID(), centre: 'bakulev', profile: 'rhythm_disorders', diagnosis: 'Пароксизмальная тахикардия', complaints: 'Сердцебиение' },
  }),
  listDutySlots: only(200, ['doctorBakulev', 'doctorKulakov', 'patientA', 'patientB']),
  // The world's doctors are not on duty: the role passes, the duty check refuses.
  createDutySlots: (_w, who) => ({ ...only(200, [])(_w, who), body: { startsAt: inTwoDays(), durationMinutes: 30, count: 2 } }),
  bookDutySlot: (_w, who) => {
    const path = `/api/duty/slots/${crypto.randomUUID()}/book`;
    const body = { question: 'Как питаться после инфаркта?' };
    if (who === 'anon') return { status: 401, path, body };
    return who === 'patientA' || who === 'patientB' ? { status: 404, code: 'NOT_FOUND', path, body } : { status: 403, code: 'FORBIDDEN', path, body };
  },
  listMessages: singleA((w) => `/api/requests/${w.pA.requestId}/messages`, ['doctorBakulev', 'patientA'], ['doctorBakulev', 'doctorKulakov', 'patientA', 'patientB']),
  sendMessage: (w, who) => ({
    ...singleA((x) => `/api/requests/${x.pA.requestId}/messages`, ['doctorBakulev', 'patientA'], ['doctorBakulev', 'doctorKulakov', 'patientA', 'patientB'])(w, who),
    body: { id: crypto.randomUUID(), body: 'Здравствуйте! Вопрос по заявке.' },
  }),
  markMessagesRead: singleA((w) => `/api/requests/${w.pA.requestId}/messages/read`, ['doctorBakulev', 'patientA'], ['doctorBakulev', 'doctorKulakov', 'patientA', 'patientB']),
  syncPull: (w, who) => {
    if (who === 'anon') return { status: 401, body: { since: 0 } };
    if (!STAFF_SYNC.includes(who)) return { status: 403, code: 'FORBIDDEN', body: { since: 0 } };
    const own = who === 'manager' ? 'both' : who === 'physicianA' || who === 'doctorBakulev' ? 'A' : 'B';
    return {
      status: 200,
      body: { since: 0 },
      check: (b: { changes: { op: string; id: string }[] }) => {
        const got = b.changes.filter((c) => c.op === 'put').map((c) => c.id);
        const p = byPatient(w, own);
        const r = byRequest(w, own);
        for (const id of [...p.has, ...r.has]) expect(got).toContain(id);
        for (const id of [...p.hasNot, ...r.hasNot]) expect(got).not.toContain(id);
        // Batches: the sender and the manager only; doctors never.
        const batches = b.changes.filter((c) => c.op === 'put' && (c as { entity?: string }).entity === 'batch').map((c) => c.id);
        const expected = who === 'manager' ? [extra.batchA, extra.batchB] : who === 'physicianA' ? [extra.batchA] : who === 'physicianB' ? [extra.batchB] : [];
        expect(batches.sort()).toEqual(expected.sort());
        // Documents: whoever sees the patient.
        const docs = b.changes.filter((c) => c.op === 'put' && (c as { entity?: string }).entity === 'document').map((c) => c.id);
        if (own === 'B') expect(docs).not.toContain(extra.docA);
        else expect(docs).toContain(extra.docA);
      },
    };
  },
  syncPush: (_w, who) => {
    const body = { clientId: crypto.randomUUID(), mutations: [{ id: 1, name: 'patient.create', args: patientInput() }] };
    if (who === 'anon') return { status: 401, body };
    if (!STAFF_SYNC.includes(who)) return { status: 403, code: 'FORBIDDEN', body };
    return {
      status: 200,
      body,
      // Doctors may push, but creating a patient is not theirs to do: rejected with a reason.
      check: (b: { results: { status: string; error?: { code: string } }[] }) =>
        expect(b.results[0]?.status).toBe(who.startsWith('doctor') ? 'rejected' : 'applied'),
    };
  },
  // Calls: a consultation's own doctor and patient only (server/test/call-rooms.test.ts walks a real
  // one); here, no such consultation: those who may call are told so, the rest are refused first.
  callTicket: (_w, who) => {
    const path = `/api/consultations/${crypto.randomUUID()}/call`;
    if (who === 'anon') return { status: 401, path };
    return ['doctorBakulev', 'doctorKulakov', 'patientA', 'patientB'].includes(who) ? { status: 404, code: 'NOT_FOUND', path } : { status: 403, code: 'FORBIDDEN', path };
  },
  callProbeDown: only(200, ['doctorBakulev', 'doctorKulakov', 'patientA', 'patientB']),
  callProbeUp: (w, who) => ({ ...only(200, ['doctorBakulev', 'doctorKulakov', 'patientA', 'patientB'], { check: (b) => expect(b.bytes).toBe(pdfBytes().length) })(w, who), bytes: pdfBytes() }),
  listAudit: only(200, ['admin']),
  verifyAudit: only(200, ['admin'], { check: (b) => expect(b.ok).toBe(true) }),
};

describe('role × route matrix', () => {
  let server: TestServer;
  let world: World;

  beforeAll(async () => {
    server = await startTestServer();
    world = await buildWorld(server);
    extra.batchA = (await referralBatch(server, world.physicianA.actor)).id;
    extra.batchB = (await referralBatch(server, world.physicianB.actor)).id;
    extra.toSchedule = (await referral(server, world.physicianA.actor, 'bakulev')).requestId;
    const doc = await call<{ id: string }>(server.url, 'POST', uploadPath(world.pA.patientId), { token: world.physicianA.token, bytes: pdfBytes() });
    expect(doc.status).toBe(200);
    extra.docA = doc.body.id;
    // The portal: both patients have consented to processing (uploads and applications need it).
    for (const p of [world.patientA, world.patientB]) {
      expect((await call(server.url, 'POST', '/api/me/consent', { token: p.token, body: { version: CONSENT_VERSION, agree: true } })).status).toBe(200);
    }
  });
  afterAll(async () => server?.close());

  it('covers every route of the contract', () => {
    expect(Object.keys(PLANS).sort()).toEqual(Object.keys(API).sort());
  });

  const auditCount = async (actorId: string) =>
    Number(
      (
        await server.api.ctx.db.kysely
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('actor_id', '=', actorId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  for (const name of Object.keys(API) as ApiName[]) {
    const def = API[name];
    for (const who of EVERYONE) {
      it(`${def.method} ${def.path} as ${who}`, async () => {
        const plan = PLANS[name](world, who);
        const user: WorldUser | undefined = who === 'anon' ? undefined : world[who];
        let token = user?.token;
        if (plan.freshToken && user) token = await loginAs(server.url, user.login, PASSWORD);
        let body = plan.body;
        if (body === 'own-credentials' && user) body = { login: user.login, password: PASSWORD };
        const before = user ? await auditCount(user.id) : 0;
        const res = await call(server.url, def.method, plan.path ?? def.path.replace(':id', crypto.randomUUID()), {
          token,
          ...(body !== undefined ? { body } : {}),
          ...(plan.bytes ? { bytes: plan.bytes } : {}),
        });
        expect(res.status, JSON.stringify(res.body)).toBe(plan.status);
        if (plan.code) expect(res.body.error.code).toBe(plan.code);
        if (res.status >= 400) expect(typeof res.body.error.message).toBe('string');
        plan.check?.(res.body, world);
        if (def.patientData && user) {
          expect(await auditCount(user.id), 'patient-data access must be audited').toBeGreaterThan(before);
        }
      });
    }
  }
});
