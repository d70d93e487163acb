import { Badge, Button, Stack, Table, Text } from '@mantine/core';
import type { PatientRow } from '../../../shared/rpc/contract';
import { t } from '../../i18n';
import { formatDate, formatSnils, fullName } from '../../i18n/format';
import { centreName, isOverdue, profileName, STATUS_COLOR, statusLabel } from '../labels';
import { DueDate } from './DueDate';

/**
 * The patient list shared by the physician's and the manager's homes. With `onDocuments` each row
 * gets a «Документы» action (the physician's).
 */
export function PatientTable({ rows, testId, onDocuments }: { rows: readonly PatientRow[]; testId: string; onDocuments?: (row: PatientRow) => void }) {
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
            {onDocuments && <Table.Th>{t('table.actions')}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => {
            const { patient, latestRequest: req, pending } = row;
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
                {onDocuments && (
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => onDocuments(row)}
                      aria-label={t('documents.open.aria', { name })}
                      aria-haspopup="dialog"
                      data-testid="patient-documents-open"
                    >
                      {t('documents.open')}
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
