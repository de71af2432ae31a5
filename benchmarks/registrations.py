"""Batch issuance of trade registrations: time, memory, and what the time is made of.

    python benchmarks/registrations.py [--rows 1000] [--memory-rows 10000]

Side by side, in one run:
- the whole `shomei admin issue --csv … --out …` of ROWS registrations on a fresh store (a real process);
- ROWS argon2 hashes at the same parameters, spread over all cores (the floor of the hashing);
- the same ROWS cards rendered as pages of one PDF (the floor of the rendering);
- the same cards as separate PDFs, the way the batch makes them, and (for 40 cards) one document per card;
- the peak resident memory of a MEMORY_ROWS batch.
Goals (issue 4): total <= 1.5 x (parallel hashes + one-document rendering); cost per separate PDF <= 4 x cost
per page in one document; peak memory of 10,000 rows < 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

from stdnum.jp import cn

PASSWORD = "kumo-no-ue-de-odoru-77"


# Names as varied as a real chamber's: the font is subset per document, so the glyphs a batch uses (not the
# rows) decide what a card costs. Repeating a dozen kanji would make every chunk's subset artificially small.
def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = _words(
    """
佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林
斎藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤
村上 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内
小野 田村 中山 和田 石田 森田 上田 原 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 小島
谷口 今井 工藤 高田 増田 丸山 杉山 村田 大塚 新井 小山 平野 藤本 河野 上野 野口 武田 松井
千葉 岩崎 菅原 木下 久保 佐野 野村 松尾 市川 菊地 杉本 古川 大島 西田 桜井 松下 北村 永井
"""
)
GIVEN = _words(
    """
太郎 花子 一郎 健 美咲 大輔 由美 翔太 陽子 誠 蓮 陽翔 湊 樹 悠真 大和 結菜 陽葵 凛 芽依
葵 紬 澪 結衣 浩 隆 茂 勇 進 修 博 清 實 豊 昭 勝 明美 恵子 幸子 節子 洋子 京子 直樹 和也
拓也 達也 智子 裕子 真由美 千尋 康介 雄一 亮 聡 剛 徹 淳 潤 瞳 舞 彩 愛 遥 楓 颯太 悠人
朝陽 奏 律 碧 絢子 梢 綾乃 薫 操 巌 甚兵衛 與惣次
"""
)
TRADES = _words(
    """
商事 貿易 物産 産業 工業 電機 化学 精機 食品 繊維 製作所 興業 通商 交易 鋼材 造船 海運
倉庫 薬品 醸造 酒造 製菓 製紙 硝子 陶器 漆器 刃物 楽器 玩具 鞄 織物 染工 鋳造 鍛造 塗料
樹脂 肥料 飼料 茶舗 乾物
"""
)
PREFIXES = _words(
    """
東洋 日本 大和 富士 三光 丸紅 北辰 南海 朝日 旭 昭和 平成 令和 瑞穂 桜 菊 鶴 亀 龍 鳳
東邦 西部 中央 相模 武蔵 常陸 上総 駿河 遠江 尾張 近江 播磨 備前 讃岐 伊予 筑紫 肥後 薩摩
琉球 蝦夷
"""
)
PLACES = _words(
    """
東京都千代田区丸の内 東京都中央区日本橋 東京都港区芝浦 東京都大田区羽田 東京都江東区有明
東京都品川区大井 大阪府大阪市北区梅田 大阪府堺市堺区 神奈川県横浜市中区山下町
愛知県名古屋市港区 兵庫県神戸市中央区港島 福岡県福岡市博多区 北海道札幌市中央区
宮城県仙台市青葉区 広島県広島市南区 静岡県浜松市中区 新潟県新潟市中央区
京都府京都市下京区 岐阜県関市 福井県鯖江市 石川県輪島市 岡山県倉敷市児島 愛媛県今治市
熊本県八代市 鹿児島県薩摩川内市 沖縄県那覇市 長崎県佐世保市 山形県天童市 栃木県宇都宮市
群馬県桐生市
"""
)


def _pick(words: list[str], i: int, salt: int) -> str:
    return words[(i * 7919 + salt * 104729) % len(words)]


def make_csv(rows: int) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "区分",
            "法人番号",
            "企業名",
            "企業名(英字)",
            "代表者氏名",
            "代表者氏名(英字)",
            "代表者職名",
            "代表者職名(英字)",
            "郵便番号",
            "住所",
            "住所(英字)",
            "担当者",
            "部署",
            "電話番号",
            "メールアドレス",
            "会員",
        ]
    )
    for i in range(rows):
        base = f"{700000000000 + i:012d}"
        person = _pick(SURNAMES, i, 1) + " " + _pick(GIVEN, i, 2)
        writer.writerow(
            [
                "exporter" if i % 4 else "agent",
                cn.calc_check_digit(base) + base,
                f"{_pick(PREFIXES, i, 3)}{_pick(SURNAMES, i, 4)}{_pick(TRADES, i, 5)}株式会社 第{i}",
                f"Company {i} K.K.",
                person,
                f"Person {i}",
                "代表取締役",
                "President",
                f"{100 + i % 800:03d}-{i % 10000:04d}",
                f"{_pick(PLACES, i, 6)}{i % 9 + 1}丁目{i % 30 + 1}番{i % 20 + 1}号",
                f"{i} Marunouchi, Tokyo",
                _pick(SURNAMES, i, 7) + " " + _pick(GIVEN, i, 8),
                "貿易部",
                f"03-{1000 + i % 9000:04d}-{i % 10000:04d}",
                f"trade{i}@example.jp",
                "会員" if i % 3 else "非会員",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def shomei(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
    env.update(SHOMEI_HOME=str(home), SHOMEI_INSECURE_STORAGE="1")
    return subprocess.run(
        [sys.executable, "-m", "shomei_cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def fresh_store(home: Path) -> None:
    created = json.loads(
        shomei(home, "chamber", "init", "--code", "1301", "--name", "東京商工会議所", "--json").stdout
    )
    initial = created["staff"]["initial_password"]
    shomei(home, "login", "--chamber", "1301", "--id", "S00001", "--password-stdin", stdin=initial + "\n")
    shomei(home, "passwd", "--stdin", stdin=f"{initial}\n{PASSWORD}\n")


def timed_issue(home: Path, rows: int) -> tuple[float, int]:
    """Seconds and peak RSS (MB) of `admin issue` in a child process."""
    csv_file = home / f"registrations-{rows}.csv"
    csv_file.write_bytes(make_csv(rows))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
    env.update(SHOMEI_HOME=str(home), SHOMEI_INSECURE_STORAGE="1")
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shomei_cli",
            "admin",
            "issue",
            "--csv",
            str(csv_file),
            "--out",
            str(home / f"cards-{rows}"),
            "--json",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"admin issue failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, int(usage.ru_maxrss / 1024)


def parallel_hashes(count: int) -> float:
    from shomei_cli.services.hashing import PasswordHashing

    hashing = PasswordHashing()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(hashing.hash, (f"password-{i}-kumo" for i in range(count))))
    return time.perf_counter() - start


def cards(rows: int) -> list[object]:
    from shomei_cli.documents.cards import RegistrationCardData

    text = make_csv(rows).decode()
    data = []
    for i, row in enumerate(csv.DictReader(io.StringIO(text))):
        data.append(
            RegistrationCardData(
                chamber_code="1301",
                chamber_name="東京商工会議所",
                chamber_name_en="Tokyo CCI",
                registration_number=f"1301{i + 1:06d}",
                kind=row["区分"],
                corporate_number=row["法人番号"],
                company_name=row["企業名"],
                company_name_en=row["企業名(英字)"],
                representative_name=row["代表者氏名"],
                representative_name_en=row["代表者氏名(英字)"],
                representative_title=row["代表者職名"],
                representative_title_en=row["代表者職名(英字)"],
                postal_code=row["郵便番号"],
                address=row["住所"],
                address_en=row["住所(英字)"],
                valid_from=date(2026, 11, 27),
                valid_until=date(2028, 11, 26),
                issued_on=date(2026, 11, 27),
                admin_id=f"A1301{i + 1:06d}",
                password="3fAX6ndnqzAtzMCe",
                password_notice=None,
                printed_at=datetime(2026, 11, 27, 1, 0, tzinfo=UTC),
                time_zone="Asia/Tokyo",
            )
        )
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--memory-rows", type=int, default=10_000, help="0 to skip the memory run")
    args = parser.parse_args()
    from shomei_cli.documents.cards import (
        render_registration_card,
        render_registration_cards,
        render_registration_cards_document,
    )

    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory)
        fresh_store(home)
        total, peak = timed_issue(home, args.rows)
        hashes = parallel_hashes(args.rows)
        data = cards(args.rows)
        start = time.perf_counter()
        render_registration_cards_document(data)  # type: ignore[arg-type]
        one_document = time.perf_counter() - start
        start = time.perf_counter()
        separate = render_registration_cards(data)  # type: ignore[arg-type]
        batch_split = time.perf_counter() - start
        start = time.perf_counter()
        for card in data[:40]:
            render_registration_card(card)  # type: ignore[arg-type]
        naive = (time.perf_counter() - start) / 40
        memory = None
        if args.memory_rows:
            memory_home = home / "memory"
            memory_home.mkdir()
            fresh_store(memory_home)
            memory = timed_issue(memory_home, args.memory_rows)
    per_page = one_document / args.rows
    per_pdf = batch_split / len(separate)
    floor = hashes + one_document
    print(f"Batch issuance of {args.rows} registrations ({os.cpu_count()} cores, {sys.version.split()[0]})")
    print(f"{'what':52} {'seconds':>9}")
    print(f"{'shomei admin issue --csv (total, with PDFs)':52} {total:9.2f}   peak RSS {peak} MB")
    print(f"{f'{args.rows} argon2 hashes over all cores':52} {hashes:9.2f}")
    print(
        f"{f'{args.rows} cards as pages of one PDF':52} {one_document:9.2f}   {per_page * 1000:.1f} ms/page"
    )
    print(
        f"{f'{args.rows} cards as separate PDFs (chunked, split)':52} {batch_split:9.2f}   "
        f"{per_pdf * 1000:.1f} ms/PDF"
    )
    print(
        f"{'one document per card (40 cards, for comparison)':52} {naive * 40:9.2f}   "
        f"{naive * 1000:.1f} ms/PDF"
    )
    ratio_total = total / floor
    ratio_pdf = per_pdf / per_page
    print(
        f"total / (hashes + one-document rendering) = {ratio_total:.2f}  (goal <= 1.5: "
        f"{'MET' if ratio_total <= 1.5 else 'NOT MET'})"
    )
    print(
        f"per separate PDF / per page in one document = {ratio_pdf:.2f}  (goal <= 4: "
        f"{'MET' if ratio_pdf <= 4 else 'NOT MET'})"
    )
    if memory is not None:
        seconds, rss = memory
        print(
            f"{args.memory_rows} rows: {seconds:.1f} s, peak RSS {rss} MB  (goal < 300 MB: "
            f"{'MET' if rss < 300 else 'NOT MET'})"
        )


if __name__ == "__main__":
    main()
