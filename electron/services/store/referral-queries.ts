import type { Patient, PatientStage } from '../../../shared/domain/patients.js';
import type { ReferralBatch } from '../../../shared/domain/referrals.js';
import type { ConsultationRequest } from '../../../shared/domain/requests.js';
import type { BatchSummary, ReferralStatusRow } from '../../../shared/rpc/contract.js';
import type { LocalStore } from './local-store.js';

/**
 * The physician's status view: every patient they referred, with the stage the server computed,
 * and every row of their sent tables that has not become a patient yet (stage `sent`). Answered
 * from the local store, refreshed by sync like everything else.
 */
export function referralStatus(
  store: LocalStore,
  opts: { limit: number; offset: number; q?: string | undefined; stage?: PatientStage | undefined },
): { items: ReferralStatusRow[]; total: number; counts: Partial<Record<PatientStage, number>> } {
  const all: ReferralStatusRow[] = [];
  const linked = new Set<string>();
  const patients = store
    .sql(
      `SELECT p.data AS pdata, (SELECT r.data FROM requests r WHERE r.patient_id = p.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS rdata
       FROM patients p`,
    )
    .all() as { pdata: string; rdata: string | null }[];
  for (const row of patients) {
    const p = JSON.parse(row.pdata) as Patient;
    const r = row.rdata ? (JSON.parse(row.rdata) as ConsultationRequest) : null;
    if (p.batchId && p.batchRow !== null) linked.add(`${p.batchId}:${p.batchRow}`);
    all.push({
      key: `p:${p.id}`,
      patientId: p.id,
      batchId: p.batchId ?? null,
      batchRow: p.batchRow ?? null,
      fullName: [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' '),
      birthDate: p.birthDate,
      centre: r?.centre ?? null,
      profile: r?.profile ?? null,
      stage: p.stage ?? 'imported',
      updatedAt: r && r.updatedAt > p.updatedAt ? r.updatedAt : p.updatedAt,
    });
  }
  const batches = store.sql('SELECT data FROM batches').all() as { data: string }[];
  for (const b of batches.map((x) => JSON.parse(x.data) as ReferralBatch)) {
    if (b.status === 'rejected') continue;
    for (const r of b.rows) {
      if (linked.has(`${b.id}:${r.row}`)) continue;
      const f = r.fields;
      all.push({
        key: `b:${b.id}:${r.row}`,
        patientId: null,
        batchId: b.id,
        batchRow: r.row,
        fullName: [f.lastName, f.firstName, f.middleName].filter(Boolean).join(' '),
        birthDate: f.birthDate,
        centre: f.centre,
        profile: f.profile,
        stage: 'sent',
        updatedAt: b.updatedAt,
      });
    }
  }
  const q = opts.q?.toLocaleLowerCase('ru-RU').replace(/ё/g, 'е');
  const matching = q ? all.filter((r) => r.fullName.toLocaleLowerCase('ru-RU').replace(/ё/g, 'е').includes(q)) : all;
  const counts: Partial<Record<PatientStage, number>> = {};
  for (const r of matching) counts[r.stage] = (counts[r.stage] ?? 0) + 1;
  const filtered = opts.stage ? matching.filter((r) => r.stage === opts.stage) : matching;
  filtered.sort((a, b) => a.fullName.localeCompare(b.fullName, 'ru') || a.key.localeCompare(b.key));
  return { items: filtered.slice(opts.offset, opts.offset + opts.limit), total: filtered.length, counts };
}

export function listBatches(store: LocalStore): BatchSummary[] {
  const rows = store
    .sql(
      // Without the rows: a batch can hold megabytes of them, and the list needs none.
      `SELECT json_remove(b.data, '$.rows', '$.rejectedRows') AS data,
         COALESCE(json_array_length(b.data, '$.rejectedRows'), 0) AS rejected,
         EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'batch' AND o.entity_id = b.id) AS pending
       FROM batches b ORDER BY b.created_at DESC, b.id`,
    )
    .all() as { data: string; rejected: number; pending: number }[];
  return rows.map((r) => {
    // Batches stored before the intake fields existed lack them: the defaults are an app batch's.
    const b = JSON.parse(r.data) as Omit<ReferralBatch, 'rows' | 'rejectedRows'> & Partial<Pick<ReferralBatch, 'source' | 'region' | 'organization' | 'referrer' | 'receivedAt'>>;
    return {
      id: b.id,
      title: b.title,
      physicianName: b.physicianName,
      fileName: b.fileName,
      fileHash: b.fileHash,
      rowCount: b.rowCount,
      status: b.status,
      createdAt: b.createdAt,
      pending: r.pending === 1,
      source: b.source ?? 'app',
      region: b.region ?? null,
      organization: b.organization ?? null,
      referrer: b.referrer ?? null,
      receivedAt: b.receivedAt ?? null,
      rejectedCount: r.rejected,
    };
  });
}
