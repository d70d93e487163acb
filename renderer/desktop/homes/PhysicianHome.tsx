import { Button, Group, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import type { PatientRow } from '../../../shared/rpc/contract';
import { t } from '../../i18n';
import { useRpc } from '../../rpc/context';
import { AddPatientModal } from '../components/AddPatientModal';
import { EmptyState, NothingFound } from '../components/EmptyState';
import { NotLoaded, Shown } from '../components/ListStatus';
import { PatientTable } from '../components/PatientTable';
import { SearchBox } from '../components/SearchBox';
import { PatientDocumentsDrawer } from '../documents/PatientDocumentsDrawer';
import { useLiveQuery } from '../use-live-query';
import { useSearch } from '../use-search';

/** «Мои пациенты»: the physician's referred patients with their latest request's status. */
export function PhysicianHome() {
  const rpc = useRpc();
  const { search, setSearch, q } = useSearch();
  const [adding, add] = useDisclosure(false);
  const list = useLiveQuery(`patients:${q}`, () => rpc.call('patients.list', q ? { q } : {}));
  const [docsFor, setDocsFor] = useState<PatientRow | null>(null);
  // The open patient's row as the list has it now (a new request changes the checklist).
  const docsRow = docsFor ? (list.data?.items.find((r) => r.patient.id === docsFor.patient.id) ?? docsFor) : null;

  const addButton = (
    <Button onClick={add.open} data-testid="add-patient">
      {t('physician.add')}
    </Button>
  );

  let body;
  if (list.data === undefined) {
    body = <NotLoaded query={list} />;
  } else if (list.data.total === 0 && !q) {
    body = <EmptyState testId="patients-empty" title={t('physician.empty.title')} body={t('physician.empty.body')} />;
  } else if (list.data.items.length === 0) {
    body = <NothingFound testId="patients-nothing-found" q={q} />;
  } else {
    body = (
      <>
        <PatientTable rows={list.data.items} testId="patients-table" onDocuments={setDocsFor} />
        <Shown shown={list.data.items.length} total={list.data.total} />
      </>
    );
  }

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={2}>{t('physician.title')}</Title>
        {addButton}
      </Group>
      <SearchBox value={search} onSearch={setSearch} maw={420} testId="patients-search" />
      {body}
      <AddPatientModal opened={adding} onClose={add.close} onCreated={list.reload} />
      <PatientDocumentsDrawer row={docsRow} onClose={() => setDocsFor(null)} />
    </Stack>
  );
}
