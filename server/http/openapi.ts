import { z } from 'zod';
import { API, type RouteDef } from '../../shared/api/contract.js';
import { ApiErrorBody } from '../../shared/domain/errors.js';

/** OpenAPI 3.1 document generated from the shared contract (the contract is the source of truth). */
export function buildOpenApi(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schema = (s: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'openapi-3.0' });
  for (const [name, def] of Object.entries(API) as [string, RouteDef][]) {
    const path = def.path.replace(/:(\w+)/g, '{$1}');
    const op: Record<string, unknown> = {
      operationId: name,
      summary: def.summary,
      'x-roles': def.roles,
      'x-patient-data': def.patientData,
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: schema(def.response, 'output') } } },
        default: { description: 'Ошибка', content: { 'application/json': { schema: schema(ApiErrorBody, 'output') } } },
      },
    };
    if (def.roles !== 'public') op.security = [{ bearer: [] }];
    const parameters: unknown[] = [];
    for (const [where, s] of [['path', def.params], ['query', def.query]] as const) {
      if (!s) continue;
      const js = schema(s, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [pname, pschema] of Object.entries(js.properties ?? {})) {
        parameters.push({ name: pname, in: where, required: where === 'path' || (js.required ?? []).includes(pname), schema: pschema });
      }
    }
    if (parameters.length) op.parameters = parameters;
    if (def.body) op.requestBody = { required: true, content: { 'application/json': { schema: schema(def.body, 'input') } } };
    if (def.rawBody) op.requestBody = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
    if (def.binaryResponse) {
      const bytes = { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };
      op.responses = {
        '200': { description: 'Файл целиком (ETag — SHA-256)', content: bytes },
        '206': { description: 'Запрошенный диапазон (Range)', content: bytes },
        default: (op.responses as Record<string, unknown>).default,
      };
    }
    (paths[path] ??= {})[def.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Облако здоровья — центральный API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
