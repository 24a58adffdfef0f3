"use client";

import { useTransition, type FormHTMLAttributes } from "react";

type ActionFormProps = Omit<FormHTMLAttributes<HTMLFormElement>, "action" | "onSubmit"> & {
  action: (formData: FormData) => void;
};

/**
 * A form for server actions that keeps what the user typed when the action answers with errors
 * (React resets uncontrolled forms after a `<form action>` submission, wiping the fields to fix).
 */
function ActionForm({ action, children, ...props }: ActionFormProps) {
  const [, startTransition] = useTransition();
  return (
    <form
      {...props}
      onSubmit={(event) => {
        event.preventDefault();
        const formData = new FormData(event.currentTarget);
        startTransition(() => action(formData));
      }}
    >
      {children}
    </form>
  );
}

export { ActionForm };
