// Load something from the API when a screen opens (and again on reload()): every screen reads fresh data, so there
// is no cache to keep consistent. A newer load supersedes an older one still in flight.

import { useCallback, useEffect, useRef, useState } from "react";
import { asProblem, type ApiProblem } from "../api/problem";

export interface Loaded<T> {
  data: T | undefined;
  error: ApiProblem | null;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiProblem | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  // `deps` name what `load` reads (as for useEffect): a new load when they change.
  const run = useCallback(load, deps);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await run();
      if (mine === generation.current) {
        setData(value);
        setError(null);
      }
    } catch (e) {
      if (mine === generation.current) setError(asProblem(e));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [run]);

  useEffect(() => {
    void reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  return { data, error, loading, reload };
}
