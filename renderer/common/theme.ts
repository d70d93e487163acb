import { Badge, createTheme, Table } from '@mantine/core';

/** Shared by the desktop app and (later) the patient portal. System fonts: nothing is fetched. */
const systemSans =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif';

export const theme = createTheme({
  fontFamily: systemSans,
  headings: { fontFamily: systemSans },
  primaryColor: 'blue',
  defaultRadius: 'md',
  components: {
    // Statuses are read, not shouted; and a badge is never cut to «КОНСУЛЬТАЦИЯ Н…».
    Badge: Badge.extend({
      defaultProps: { tt: 'none' },
      styles: { root: { flexShrink: 0, overflow: 'visible' }, label: { overflow: 'visible' } },
    }),
    Table: Table.extend({ styles: { th: { whiteSpace: 'nowrap' } } }),
  },
});
