"use client";

import { useActionState, useEffect, useState } from "react";
import { toast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/auth/action";

type Action<T> = (prev: ActionResult<T> | null, input: FormData) => Promise<ActionResult<T>>;

/** A dialog driven by a server action: closes and toasts on success, keeps errors on screen otherwise. */
export function useDialogAction<T>(action: Action<T>) {
  const [open, setOpen] = useState(false);
  const [state, dispatch, pending] = useActionState(action, null);
  useEffect(() => {
    if (!state?.ok) return;
    toast.success(state.message ?? "Feito.");
    const close = () => setOpen(false);
    close();
  }, [state]);
  const fieldErrors = state && !state.ok ? state.fieldErrors : undefined;
  const formError = state && !state.ok && !state.fieldErrors ? state : null;
  return { open, setOpen, state, dispatch, pending, fieldErrors, formError };
}
