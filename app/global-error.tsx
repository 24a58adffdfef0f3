"use client";

export default function GlobalError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="pt-BR">
      <body style={{ fontFamily: "system-ui, sans-serif", padding: 40 }}>
        <h1>Algo deu errado do nosso lado.</h1>
        <p>Tente de novo em instantes. Se continuar, fale com o suporte.</p>
        <button onClick={() => reset()}>Tentar de novo</button>
      </body>
    </html>
  );
}
