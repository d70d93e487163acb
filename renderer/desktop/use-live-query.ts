import { useCallback, useEffect, useRef, useState } from 'react';
import { useReconnected, useRpcEvent } from '../rpc/context';

export interface LiveQuery<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Data from the local store that stays current: fetched on mount and whenever `key` changes,
 * again on each `data.changed` push and after a reconnect. Pushes arrive in bursts during a sync,
 * so a push during a fetch only marks it stale and one more fetch follows; an answer to an
 * older key is dropped.
 */
export function useLiveQuery<T>(key: string, fetcher: () => Promise<T>): LiveQuery<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const fetcherRef = useRef(fetcher);
  const inFlight = useRef(false);
  const stale = useRef(false);
  const keyRef = useRef(key);

  useEffect(() => {
    fetcherRef.current = fetcher;
  });

  const run = useCallback(() => {
    if (inFlight.current) {
      stale.current = true;
      return;
    }
    inFlight.current = true;
    stale.current = false;
    const forKey = keyRef.current;
    setLoading(true);
    fetcherRef.current().then(
      (value) => {
        if (forKey === keyRef.current) {
          setData(value);
          setError(null);
        }
      },
      (e: unknown) => {
        if (forKey === keyRef.current) setError(e);
      },
    ).finally(() => {
      inFlight.current = false;
      if (forKey !== keyRef.current || stale.current) run();
      else setLoading(false);
    });
  }, []);

  useEffect(() => {
    keyRef.current = key;
    run();
  }, [key, run]);

  useRpcEvent('data.changed', run);
  useReconnected(run);

  return { data, error, loading, reload: run };
}
