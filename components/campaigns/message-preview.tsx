import { FileTextIcon, ImageIcon, ReplyIcon, VideoIcon } from "lucide-react";
import type { TemplatePreview } from "@/lib/templates/render";
import { cn } from "@/lib/utils";

const mediaIcon = { IMAGE: ImageIcon, VIDEO: VideoIcon, DOCUMENT: FileTextIcon } as const;
const mediaLabel = { IMAGE: "Imagem", VIDEO: "Vídeo", DOCUMENT: "Documento" } as const;

// WhatsApp's bubble: a media or text header, the body with *bold*/_italic_ as the app shows them, the footer in
// grey, quick-reply buttons under the bubble.
const formatted = (text: string) =>
  text.split(/(\*[^*\n]+\*|_[^_\n]+_)/g).map((part, i) =>
    /^\*[^*]+\*$/.test(part) ? <strong key={i}>{part.slice(1, -1)}</strong> : /^_[^_]+_$/.test(part) ? <em key={i}>{part.slice(1, -1)}</em> : part,
  );

export function MessagePreview({ preview, mediaUrl, time = "09:41", className }: { preview: TemplatePreview; mediaUrl?: string | null; time?: string; className?: string }) {
  const format = preview.header?.format as keyof typeof mediaIcon | "TEXT" | undefined;
  const Icon = format && format !== "TEXT" ? mediaIcon[format] : null;
  return (
    <div className={cn("rounded-xl bg-[#efeae2] p-3 dark:bg-[#0b141a]", className)} data-testid="message-preview">
      <div className="max-w-[320px]">
        <div className="rounded-lg rounded-tl-none bg-white p-1.5 text-[14px] leading-snug text-[#111b21] shadow-sm dark:bg-[#202c33] dark:text-[#e9edef]">
          {Icon ? (
            <div className="mb-1 flex aspect-[16/9] flex-col items-center justify-center gap-1 overflow-hidden rounded-md bg-[#d9dee2] text-xs text-[#54656f] dark:bg-[#2a3942]">
              <Icon className="size-8" aria-hidden="true" />
              <span className="max-w-[90%] truncate px-2">{mediaUrl ? mediaUrl : `${mediaLabel[format as keyof typeof mediaLabel]} do cabeçalho (informe o link)`}</span>
            </div>
          ) : null}
          <div className="px-1.5 pt-1">
            {format === "TEXT" && preview.header?.text ? <p className="mb-1 font-semibold">{preview.header.text}</p> : null}
            <p className="whitespace-pre-wrap break-words" data-testid="preview-body">
              {formatted(preview.body)}
            </p>
            {preview.footer ? <p className="mt-1 text-[12px] text-[#667781] dark:text-[#8696a0]">{preview.footer}</p> : null}
            <p className="mt-0.5 text-right text-[11px] text-[#667781] dark:text-[#8696a0]">{time}</p>
          </div>
        </div>
        {preview.buttons.length ? (
          <div className="mt-1 grid gap-1">
            {preview.buttons.map((b, i) => (
              <div key={i} className="flex items-center justify-center gap-1.5 rounded-lg bg-white py-2 text-[14px] font-medium text-[#027eb5] shadow-sm dark:bg-[#202c33] dark:text-[#53bdeb]">
                <ReplyIcon className="size-4" aria-hidden="true" />
                {b.text}
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}
