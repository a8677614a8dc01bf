// A modal dialog on the browser's own <dialog>: focus moves in and is kept there, Escape closes it, and focus
// returns to what opened it.

import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  /** While true, Escape and the close button do nothing (a request is in flight). */
  busy?: boolean;
}

let counter = 0;

export function Dialog({ title, onClose, children, wide, busy }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(`dialog-${++counter}`);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const busyRef = useRef(busy);
  busyRef.current = busy;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!dialog.open) {
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
    }
    const cancel = (event: Event) => {
      event.preventDefault();
      if (!busyRef.current) closeRef.current();
    };
    dialog.addEventListener("cancel", cancel);
    return () => {
      dialog.removeEventListener("cancel", cancel);
      if (dialog.open && typeof dialog.close === "function") dialog.close();
      opener?.focus?.();
    };
  }, []);

  return (
    <dialog ref={ref} className={wide ? "dialog wide" : "dialog"} aria-labelledby={`${id.current}-title`}>
      <header className="dialog-header">
        <h2 id={`${id.current}-title`}>{title}</h2>
        <button type="button" className="icon" aria-label="Close" disabled={busy} onClick={onClose}>
          ×
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
