// The product's "three-dot configuration icon": a menu button (WAI-ARIA menu button pattern). Enter, Space or
// ArrowDown open it on the first item; arrows, Home and End move; Escape closes it and returns to the button.

import { useEffect, useRef, useState, type KeyboardEvent } from "react";

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

let counter = 0;

export function MenuButton({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const id = useRef(`menu-${++counter}`);

  const focusItem = (index: number) => {
    const buttons = menu.current?.querySelectorAll<HTMLButtonElement>("[role=menuitem]");
    if (!buttons?.length) return;
    buttons[(index + buttons.length) % buttons.length].focus();
  };

  useEffect(() => {
    if (!open) return;
    focusItem(0);
    const outside = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const onMenuKey = (event: KeyboardEvent<HTMLUListElement>) => {
    const buttons = Array.from(menu.current?.querySelectorAll<HTMLButtonElement>("[role=menuitem]") ?? []);
    const current = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const moves: Record<string, () => void> = {
      ArrowDown: () => focusItem(current + 1),
      ArrowUp: () => focusItem(current - 1),
      Home: () => focusItem(0),
      End: () => focusItem(buttons.length - 1),
      Escape: close,
      Tab: () => setOpen(false),
    };
    const move = moves[event.key];
    if (move) {
      if (event.key !== "Tab") event.preventDefault();
      move();
    }
  };

  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        className="icon menu-button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id.current : undefined}
        onClick={() => setOpen(!open)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span aria-hidden="true">⋮</span>
      </button>
      {open && (
        <ul ref={menu} id={id.current} role="menu" aria-label={label} className="menu-list" onKeyDown={onMenuKey}>
          {/* By position: if the items change while the menu is open (the integration went live), the focus stays. */}
          {items.map((item, index) => (
            <li key={index} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                className={item.danger ? "danger-text" : undefined}
                onClick={() => {
                  setOpen(false);
                  button.current?.focus(); // what a dialog the item opens returns focus to
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
