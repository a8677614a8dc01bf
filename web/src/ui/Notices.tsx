// What the API says a person should know about an integration (its "notices"), each with what to do.

import type { Notice } from "../api/types";

export function Notices({ notices }: { notices?: Notice[] }) {
  if (!notices || notices.length === 0) return null;
  return (
    <>
      {notices.map((notice) => (
        <div key={notice.message} className="notice" role="note">
          <p>{notice.message}</p>
          {notice.resolution && <p>What to do: {notice.resolution}</p>}
        </div>
      ))}
    </>
  );
}
