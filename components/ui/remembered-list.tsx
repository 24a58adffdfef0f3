"use client";

import Link from "next/link";
import { useEffect, useSyncExternalStore } from "react";

// "Back to the list" returns to the list as the user left it: its filters, order and page. The list page records
// its address for this browser tab (sessionStorage); links back to it read that. The address never travels in the
// detail page's own URL, so a contact's address stays /contatos/123 wherever it was opened from.

const keyFor = (list: string) => `disparo:lista:${list}`;

const read = (list: string) => {
  try {
    return sessionStorage.getItem(keyFor(list));
  } catch {
    return null; // storage disabled: the plain list
  }
};

/** On a list page (`list`, e.g. "/contatos"): remembers its current address (`href`, with the query string). */
export function RememberList({ list, href }: { list: string; href: string }) {
  useEffect(() => {
    try {
      sessionStorage.setItem(keyFor(list), href);
    } catch {}
  }, [list, href]);
  return null;
}

const noSubscription = () => () => {};

/** A link to the list at `href` as this tab last showed it; the plain list when it was not opened here. */
export function RememberedListLink({ href, ...props }: Omit<React.ComponentProps<typeof Link>, "href"> & { href: string }) {
  const saved = useSyncExternalStore(noSubscription, () => read(href), () => null);
  // Only an address of that same list, never a link elsewhere.
  const target = saved && (saved === href || saved.startsWith(`${href}?`)) ? saved : href;
  return <Link href={target} {...props} />;
}
