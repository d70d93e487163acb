import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';

/** What is typed into a list's search box, and the trimmed query it settles to after 250 ms. */
export function useSearch(): { search: string; setSearch: (value: string) => void; q: string } {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  return { search, setSearch, q };
}
