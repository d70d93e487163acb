import { z } from 'zod';
import { Id, IsoDate, IsoDateTime } from './ids.js';
import { PatientStage } from './patients.js';
import { CentreCode, RequestSource, RequestStatus } from './requests.js';

/**
 * The manager's pipeline dashboard: where the programme's patients are. Stage, region,
 * organisation and centre count **patients** (a patient counts in a centre when they have a
 * request to it); the trend and the overdue figure count **requests**. Every number comes with a
 * filter that lists exactly the rows behind it (`PipelineFilter` → `PipelineList.total` equals the
 * number on the chart).
 */

/** Requests still waiting for the centre's answer: these can be overdue (past `dueAt`). */
export const OPEN_REQUEST_STATUSES = ['new', 'under_review', 'scheduled'] as const satisfies readonly RequestStatus[];

export const PipelineSummary = z.object({
  generatedAt: IsoDateTime,
  totalPatients: z.number().int(),
  totalRequests: z.number().int(),
  /** Open requests past their due date. */
  overdue: z.number().int(),
  /** Every stage in funnel order (PATIENT_STAGES), zeros included. */
  byStage: z.array(z.object({ stage: PatientStage, count: z.number().int() })),
  /** Regions with patients, most first; `name` from the reference data. */
  byRegion: z.array(z.object({ region: z.string(), name: z.string(), count: z.number().int() })),
  /** Every centre, zeros included. */
  byCentre: z.array(z.object({ centre: CentreCode, name: z.string(), count: z.number().int() })),
  /** Referring organisations, most first, at most 20. */
  byOrganization: z.array(z.object({ organization: z.string(), count: z.number().int() })),
  /** Requests created per day (UTC) over the last `days` days, zeros included, oldest first. */
  trend: z.array(z.object({ day: IsoDate, count: z.number().int() })),
});
export type PipelineSummary = z.infer<typeof PipelineSummary>;

export const PIPELINE_TREND_DAYS = 30;

/**
 * What a click on a chart or number lists. At most one of the patient filters (stage, region,
 * organization, centre) or request filters (overdue, day) is meant to be set by the dashboard;
 * several combine with AND.
 */
export const PipelineFilter = z.strictObject({
  stage: PatientStage.optional(),
  region: z.string().min(1).max(8).optional(),
  organization: z.string().min(1).max(300).optional(),
  centre: CentreCode.optional(),
  overdue: z.boolean().optional(),
  day: IsoDate.optional(),
  /** List requests (one row each) rather than patients: what the «заявок» total stands for. */
  requests: z.literal(true).optional(),
});
export type PipelineFilter = z.infer<typeof PipelineFilter>;

/** The same filter as a query string (booleans as 'true'). */
export const PipelineListQuery = z.strictObject({
  stage: PatientStage.optional(),
  region: z.string().min(1).max(8).optional(),
  organization: z.string().min(1).max(300).optional(),
  centre: CentreCode.optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  day: IsoDate.optional(),
  requests: z.literal('true').transform(() => true as const).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

/**
 * One row of the list behind a number. For patient filters: one row per patient with their
 * latest request (if any). For request filters (overdue, day): one row per matching request.
 */
export const PipelineRow = z.object({
  patientId: Id,
  fullName: z.string(),
  birthDate: IsoDate,
  region: z.string().nullable(),
  organization: z.string().nullable(),
  stage: PatientStage,
  requestId: Id.nullable(),
  centre: CentreCode.nullable(),
  profile: z.string().nullable(),
  source: RequestSource.nullable(),
  requestStatus: RequestStatus.nullable(),
  dueAt: IsoDateTime.nullable(),
  overdue: z.boolean(),
  requestCreatedAt: IsoDateTime.nullable(),
});
export type PipelineRow = z.infer<typeof PipelineRow>;

export const PipelineList = z.object({ items: z.array(PipelineRow), total: z.number().int() });
export type PipelineList = z.infer<typeof PipelineList>;
