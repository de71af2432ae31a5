"""The public verification page the QR code on a certificate opens: small, mobile-friendly, Japanese and
English, showing exactly what `shomei cert verify` shows and nothing more."""

from __future__ import annotations

from html import escape

from shomei_cli.domain.records import DocumentVerification, Verification

STYLE = """
body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:0;padding:1rem;max-width:36rem;
margin:auto;color:#111;line-height:1.5}h1{font-size:1.25rem}.ok{color:#0a6b2d}.ng{color:#9b1c1c}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{color:#555}
dd{margin:0;overflow-wrap:anywhere}
form{margin-top:1.5rem}
input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box;margin:.2rem 0 .6rem}
button{font-size:1rem;padding:.5rem 1rem}
"""


def verification_page(result: Verification | None, number: str, *, limited: int | None = None) -> str:
    if limited is not None:
        body = (
            f'<p class="ng">照会が多すぎます。{limited}秒後に再度お試しください。<br>'
            f"Too many checks; try again in {limited} seconds.</p>"
        )
    elif result is None:
        body = (
            "<p>証明書番号とアクセスコードを入力してください。<br>"
            "Enter the certificate number and access code.</p>"
        )
    elif result.status in ("genuine", "cancelled"):
        goods = "".join(f"<li>{escape(g)}</li>" for g in result.goods)
        verdict = (
            '<p class="ok"><strong>この証明書は真正です。<br>This certificate is genuine.</strong></p>'
            if result.status == "genuine"
            else '<p class="ng"><strong>この証明書は取り消されています。<br>This certificate has been '
            "cancelled by the issuing chamber.</strong></p>"
        )
        cancelled = (
            f"<dt>取消日 Cancelled on</dt><dd>{result.cancelled_on.isoformat()}</dd>"
            if result.cancelled_on
            else ""
        )
        body = (
            f"{verdict}<dl>"
            f"<dt>証明書番号 Certificate No.</dt><dd>{escape(result.certificate_number)}</dd>"
            f"<dt>発給 Issued by</dt><dd>{escape(result.chamber or '')}</dd>"
            f"<dt>発給日 Issued on</dt><dd>{result.issued_on.isoformat() if result.issued_on else ''}</dd>"
            f"{cancelled}"
            f"<dt>輸出者 Exporter</dt><dd>{escape(result.exporter or '')}</dd>"
            f"<dt>荷受人 Consignee</dt><dd>{escape(result.consignee or '')}</dd>"
            f"<dt>仕向地 Destination</dt><dd>{escape(result.destination_country or '')}</dd>"
            f"<dt>品名 Goods</dt><dd><ul>{goods}</ul></dd></dl>"
        )
    else:
        body = (
            '<p class="ng"><strong>該当する証明書はありません。<br>No such certificate: the number or the '
            "access code is wrong.</strong></p>"
        )
    return _page(
        body + '<form method="get" action="/verify"><label>証明書番号 Certificate No.'
        f'<input name="n" value="{escape(number)}" autocomplete="off"></label>'
        '<label>アクセスコード Access code<input name="c" autocomplete="off"></label>'
        "<button>確認 Verify</button></form>"
    )


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>証明書の確認 Certificate verification</title><style>{STYLE}</style></head><body>"
        f"<h1>証明書の確認<br>Certificate verification</h1>{body}{UPLOAD_FORM}</body></html>"
    )


UPLOAD_FORM = (
    '<form method="post" action="/verify/document" enctype="multipart/form-data">'
    "<label>署名付きPDFを確認 Check a signed PDF"
    '<input type="file" name="pdf" accept="application/pdf,.pdf" required></label>'
    "<button>PDFを確認 Check the PDF</button></form>"
)

VERDICTS = {
    "genuine": (
        "ok",
        "この文書は商工会議所が署名したもので、署名後に変更されていません。",
        "Signed by the chamber and unchanged since.",
    ),
    "modified": (
        "ng",
        "この文書は署名後に変更されています。",
        "This document was changed after it was signed.",
    ),
    "unknown_issuer": (
        "ng",
        "署名はこの商工会議所のものではありません。",
        "The signature is not this chamber's: it does not chain to the chamber's root.",
    ),
    "unsigned": ("ng", "この文書には電子署名がありません。", "This document carries no digital signature."),
}
ONLINE = {
    "genuine": "有効 Valid",
    "cancelled": "取消済み Cancelled by the chamber",
    "not_found": "記録なし Not on record",
}


def document_verification_page(result: DocumentVerification | None, error: str | None) -> str:
    """The answer to an uploaded PDF: the verdict, what the signature says, and the signed data's key
    particulars; or why the file could not be read."""
    if result is None:
        return _page(f'<p class="ng">{escape(error or "")}</p>')
    tone, ja, en = VERDICTS[result.verdict]
    if result.verdict == "genuine" and result.online_status == "cancelled":
        tone = "ng"
    rows = []
    if result.online_status:
        cancelled = f" ({result.cancelled_on.isoformat()})" if result.cancelled_on else ""
        rows.append(("現在の状態 Status", ONLINE.get(result.online_status, result.online_status) + cancelled))
    data = result.data or {}
    for label, key in (
        ("証明書番号 Certificate No.", "certificate_number"),
        ("領収書番号 Receipt No.", "receipt_number"),
        ("発給日 Issued on", "issued_on"),
        ("会社 Company", "company"),
    ):
        if data.get(key):
            rows.append((label, str(data[key])))
    if result.signer:
        rows.append(("署名者 Signed by", result.signer))
    if result.signed_at:
        rows.append(("署名日時 Signed at", result.signed_at.isoformat(timespec="seconds")))
    if result.timestamp:
        rows.append(
            (
                "タイムスタンプ Timestamp",
                f"{result.timestamp.isoformat(timespec='seconds')} ({result.timestamp_authority})",
            )
        )
    if result.root_sha256:
        rows.append(("ルート証明書 Root SHA-256", result.root_sha256))
    listed = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return _page(f'<p class="{tone}" id="verdict"><strong>{ja}<br>{en}</strong></p><dl>{listed}</dl>')
