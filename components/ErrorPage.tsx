import { renderToString } from "preact-render-to-string";

interface Props {
  status: number;
  message: string;
  requestId?: string;
}

function ErrorPage({ status, message, requestId }: Props) {
  return (
    <html lang="es">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${status} · TAGUATO-SEND`}</title>
        <link rel="icon" href="/favicon.ico" sizes="any" />
        <link rel="icon" href="/panel/static/logo.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/panel/static/app.css" />
      </head>
      <body class="error-page">
        <main class="card">
          <img src="/panel/static/logo.svg" alt="" width={48} height={48} />
          <h1>{status}</h1>
          <p>{message}</p>
          {requestId && <p class="muted">Request ID: {requestId}</p>}
          <p>
            <a href="/panel/">TAGUATO-SEND</a>
          </p>
        </main>
      </body>
    </html>
  );
}

/** Renders the HTML error page used for panel and status paths. */
export function renderErrorPage(props: Props): string {
  return "<!DOCTYPE html>" + renderToString(<ErrorPage {...props} />);
}
