import { TextInput, type TextInputProps } from '@mantine/core';
import { t } from '../../i18n';

/** The search field above a list; `value` is what was typed (see `useSearch` for the debounced query). */
export function SearchBox({
  value,
  onSearch,
  testId,
  placeholder = t('table.search.placeholder'),
  ...width
}: {
  value: string;
  onSearch: (value: string) => void;
  testId: string;
  placeholder?: string;
} & Pick<TextInputProps, 'w' | 'maw'>) {
  return (
    <TextInput
      label={t('table.search')}
      placeholder={placeholder}
      value={value}
      onChange={(e) => onSearch(e.currentTarget.value)}
      type="search"
      {...width}
      data-testid={testId}
    />
  );
}
