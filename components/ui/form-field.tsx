import * as React from "react";
import { CircleAlertIcon, CircleCheckIcon } from "lucide-react";

import { cn } from "@/lib/utils";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Label } from "@/components/ui/label";

type FormFieldProps = {
  label: React.ReactNode;
  /** id do controle; também gera os ids `${htmlFor}-hint` e `${htmlFor}-error`. */
  htmlFor: string;
  error?: string | string[] | null;
  hint?: React.ReactNode;
  required?: boolean;
  className?: string;
  children: React.ReactNode;
};

const DESCRIBABLE_TAGS = new Set(["input", "select", "textarea", "button"]);

function FormField({ label, htmlFor, error, hint, required, className, children }: FormFieldProps) {
  const errors = (Array.isArray(error) ? error : error ? [error] : []).filter(Boolean);
  const hasError = errors.length > 0;
  const hintId = hint ? `${htmlFor}-hint` : undefined;
  const errorId = hasError ? `${htmlFor}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;

  let control = children;
  if (React.isValidElement<Record<string, unknown>>(children)) {
    const type = children.type;
    const canDescribe = typeof type !== "string" || DESCRIBABLE_TAGS.has(type);
    if (canDescribe) {
      const extra: Record<string, unknown> = {};
      if (describedBy && children.props["aria-describedby"] === undefined) {
        extra["aria-describedby"] = describedBy;
      }
      if (hasError && children.props["aria-invalid"] === undefined) {
        extra["aria-invalid"] = true;
      }
      if (Object.keys(extra).length > 0) control = React.cloneElement(children, extra);
    }
  }

  return (
    <div
      data-slot="form-field"
      data-invalid={hasError || undefined}
      className={cn("grid gap-2", className)}
    >
      <Label htmlFor={htmlFor} className={cn(hasError && "text-destructive")}>
        {label}
        {required ? (
          <span className="text-destructive">
            <span aria-hidden="true">*</span>
            <span className="sr-only">(obrigatório)</span>
          </span>
        ) : null}
      </Label>
      {control}
      {hint ? (
        <p id={hintId} data-slot="form-field-hint" className="text-sm text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {hasError ? (
        <p
          id={errorId}
          role="alert"
          data-slot="form-field-error"
          className="text-sm font-medium text-destructive"
        >
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

type FormMessageState = { ok: boolean; message?: string | null } | null | undefined;

function FormMessage({ state, className }: { state: FormMessageState; className?: string }) {
  if (!state?.message) return null;

  if (state.ok) {
    return (
      <Alert variant="success" role="status" aria-live="polite" className={className}>
        <CircleCheckIcon aria-hidden="true" />
        <AlertDescription>{state.message}</AlertDescription>
      </Alert>
    );
  }

  return (
    <Alert variant="destructive" className={className}>
      <CircleAlertIcon aria-hidden="true" />
      <AlertDescription>{state.message}</AlertDescription>
    </Alert>
  );
}

export { FormField, FormMessage };
export type { FormFieldProps, FormMessageState };
