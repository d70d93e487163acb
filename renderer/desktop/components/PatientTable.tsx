import { Badge, Stack, Table, Text } from '@mantine/core';
import type { PatientRow } from '../../../shared/rpc/contract';
import { t } from '../../i18n';
import { formatDate, formatSnils, fullName } from '../../i18n/format';
import { centreName, isOverdue, profileName, STATUS_COLOR, statusLabel } from '../labels';
import { DueDate } from './DueDate';

/** The patient list shared by the physician's and the manager's homes. */
export function PatientTable({ rows, testId }: { rows: readonly PatientRow[]; testId: string }) {
  const now = Date.now();
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('table.fullName')}</Table.Th>
            <Table.Th>{t('table.birthDate')}</Table.Th>
            <Table.Th>{t('table.snils')}</Table.Th>
            <Table.Th>{t('table.centreProfile')}</Table.Th>
            <Table.Th>{t('table.status')}</Table.Th>
            <Table.Th>{t('table.due')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ patient, latestRequest: req, pending }) => {
            const name = fullName(patient);
            const overdue = req ? isOverdue(req.dueAt, req.status, now) : false;
            return (
              <Table.Tr
                key={patient.id}
                data-testid="patient-row"
                data-patient-id={patient.id}
                data-status={req?.status ?? 'none'}
                data-pending={pending}
              >
                <Table.Td>
                  <Stack gap={2} align="flex-start">
                    <Text size="sm" fw={500} data-testid="patient-name">
                      {name}
                    </Text>
                    {pending && (
                      <Badge size="xs" color="orange" variant="light" data-testid="row-pending">
                        {t('table.pending')}
                      </Badge>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(patient.birthDate)}</Table.Td>
                <Table.Td ff={patient.snils ? 'monospace' : undefined} style={{ whiteSpace: 'nowrap' }}>
                  {formatSnils(patient.snils) ?? t('common.empty')}
                </Table.Td>
                <Table.Td>
                  {req ? (
                    <>
                      <Text size="sm">{centreName(req.centre)}</Text>
                      <Text size="xs" c="dimmed">
                        {profileName(req.centre, req.profile)}
                      </Text>
                    </>
                  ) : (
                    t('common.empty')
                  )}
                </Table.Td>
                <Table.Td>
                  {req ? (
                    <Badge color={STATUS_COLOR[req.status]} variant="light" data-testid="row-status">
                      {statusLabel(req.status)}
                    </Badge>
                  ) : (
                    <Text size="sm" c="dimmed" data-testid="row-status">
                      {t('status.none')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{req ? <DueDate dueAt={req.dueAt} overdue={overdue} /> : t('common.empty')}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
