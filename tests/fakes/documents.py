"""Official texts made up for the tests, written as .txt, .docx, .pdf and .html files.

Every text here is invented and says so: a ministry that does not exist ("Bộ Thử nghiệm Phần mềm"),
dates in 2099, and an aquarium as its subject. Nothing here is, or resembles, a real legal rule.
"""

from __future__ import annotations

import io
from pathlib import Path

HEADER_LEFT = ["BỘ THỬ NGHIỆM PHẦN MỀM", "Số: 99/2099/QĐ-BTN"]
HEADER_RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                "Hà Nội, ngày 04 tháng 8 năm 2099"]

DECISION_BODY = [
    "QUYẾT ĐỊNH",
    "Quy định thí điểm về việc nuôi cá cảnh trong trụ sở cơ quan (văn bản giả định, chỉ dùng để kiểm thử)",
    "Căn cứ Luật Thử nghiệm số 1/2098/QH99;",
    "Bộ trưởng Bộ Thử nghiệm Phần mềm ban hành Quyết định quy định thí điểm về việc nuôi cá cảnh.",
    "Chương I",
    "QUY ĐỊNH CHUNG",
    "Điều 1. Phạm vi điều chỉnh",
    "Quyết định này quy định việc nuôi cá cảnh trong trụ sở cơ quan thuộc Bộ Thử nghiệm Phần mềm.",
    "Điều 2. Điều kiện nuôi cá cảnh",
    "1. Bể cá phải có dung tích từ 50 lít trở lên và đặt ở nơi không có ánh nắng trực tiếp chiếu vào"
    " cả ngày.",
    "2. Cơ quan được nuôi cá cảnh khi đáp ứng đủ các điều kiện sau đây:",
    "a) Có người phụ trách chăm sóc cá;",
    "b) Có kinh phí mua thức ăn cho cá trong dự toán hằng năm;",
    "c) Nước trong bể được thay ít nhất 07 ngày một lần.",
    "Chương II",
    "THỦ TỤC ĐĂNG KÝ",
    "Điều 3. Hồ sơ đăng ký nuôi cá",
    "1. Hồ sơ gồm đơn đăng ký theo mẫu tại Phụ lục I và ảnh chụp bể cá.",
    "2. Hồ sơ nộp cho Văn phòng Bộ trước ngày 10 tháng 01 hằng năm.",
    "5. Dòng này không theo thứ tự khoản nên là lời văn của khoản 2.",
    "Điều 4. Hiệu lực thi hành",
    "1. Quyết định này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2100.",
    "2. Quyết định này thay thế Quyết định số 98/2098/QĐ-BTN.",
    "Nơi nhận:",
    "- Như Điều 4;",
    "- Lưu: VT.",
    "KT. BỘ TRƯỞNG",
    "THỨ TRƯỞNG",
    "Nguyễn Văn Thử",
    "PHỤ LỤC I",
    "MẪU ĐƠN ĐĂNG KÝ NUÔI CÁ CẢNH",
    "1. Tên cơ quan đăng ký.",
    "2. Số lượng và dung tích bể cá.",
]

CIRCULAR = [
    "BỘ THỬ NGHIỆM PHẦN MỀM", "Số: 7/2099/TT-BTN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 15 tháng 9 năm 2099",
    "THÔNG TƯ",
    "Hướng dẫn việc chấm điểm bể cá cảnh (văn bản giả định, chỉ dùng để kiểm thử)",
    "Căn cứ Quyết định số 99/2099/QĐ-BTN;",
    "Điều 1. Thang điểm",
    "1. Bể cá được chấm theo thang điểm 10.",
    "2. Bể cá đạt từ 7 điểm trở lên được xếp loại đẹp.",
    "Điều 2. Hiệu lực",
    "Thông tư này có hiệu lực kể từ ngày ký.",
]

# A made-up decision in the handbook's own words ("tiêu chí", "hồ sơ đề nghị công nhận", "Ủy ban nhân dân
# cấp xã", "điểm") on a subject the handbook does not know: the aquarium again.
AQUARIUM_STANDARD = [
    "BỘ THỬ NGHIỆM PHẦN MỀM", "Số: 97/2099/QĐ-BTN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 10 tháng 10 năm 2099",
    "QUYẾT ĐỊNH",
    "Quy định tiêu chí công nhận xã đạt chuẩn nuôi cá cảnh (văn bản giả định, chỉ dùng để kiểm thử)",
    "Căn cứ Quyết định số 99/2099/QĐ-BTN;",
    "Điều 1. Tiêu chí công nhận xã đạt chuẩn nuôi cá cảnh",
    "1. Tiêu chí về bể cá: trụ sở Ủy ban nhân dân cấp xã có ít nhất một bể cá cảnh.",
    "2. Tiêu chí về chăm sóc: bể cá được chăm sóc và ghi sổ theo dõi hằng tuần.",
    "Điều 2. Điểm số và điều kiện công nhận",
    "1. Mỗi tiêu chí được chấm tối đa 50 điểm.",
    "2. Xã được công nhận đạt chuẩn nuôi cá cảnh khi tổng số điểm đạt từ 90 điểm trở lên.",
    "Điều 3. Hồ sơ đề nghị công nhận",
    "1. Hồ sơ đề nghị công nhận xã đạt chuẩn nuôi cá cảnh gồm tờ trình của Ủy ban nhân dân cấp xã, bảng"
    " chấm điểm và ảnh chụp bể cá.",
    "2. Ủy ban nhân dân cấp xã gửi hồ sơ đến Bộ Thử nghiệm Phần mềm trước ngày 15 tháng 11 hằng năm.",
    "Điều 4. Thẩm quyền công nhận",
    "Bộ trưởng Bộ Thử nghiệm Phần mềm quyết định công nhận xã đạt chuẩn nuôi cá cảnh trong thời hạn 20"
    " ngày kể từ ngày nhận đủ hồ sơ.",
    "Điều 5. Hiệu lực thi hành",
    "Quyết định này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2100.",
]

PLAN = [
    "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM", "Số: 5/KH-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc", "Thử Nghiệm, ngày 20 tháng 10 năm 2099",
    "KẾ HOẠCH",
    "Thực hiện Quyết định số 99/2099/QĐ-BTN (văn bản giả định, chỉ dùng để kiểm thử)",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Nuôi cá cảnh đúng quy định.",
    "II. NỘI DUNG THỰC HIỆN",
    "1. Mua bể cá",
    "a) Khảo sát giá bể cá.",
    "- Cơ quan chủ trì: Văn phòng.",
    "b) Mua bể cá và thức ăn cho cá.",
    "- Cơ quan chủ trì: Phòng Tài vụ.",
    "- Thời gian thực hiện: Hàng năm.",
    "2. Chăm sóc cá",
    "- Cơ quan chủ trì: Tổ chăm sóc cá.",
    "Nơi nhận:",
    "- Lưu: VT.",
]


def decision_lines() -> list[str]:
    return HEADER_LEFT + HEADER_RIGHT + DECISION_BODY


def write_txt(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_docx(path: Path, lines: list[str], header: tuple[list[str], list[str]] | None = None) -> Path:
    """Write a Word file; the header, if given, as the usual two-column table."""
    import docx

    document = docx.Document()
    if header is not None:
        table = document.add_table(rows=1, cols=2)
        for cell, column in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].text = column[0]
            for line in column[1:]:
                cell.add_paragraph(line)
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def write_html(path: Path, lines: list[str]) -> Path:
    """Write an HTML page: articles' numbers in bold (inline), one paragraph per line."""
    import html

    body = []
    for line in lines:
        if line.startswith("Điều "):
            head, _, rest = line.partition(".")
            body.append(f"<p><b>{html.escape(head)}.</b>{html.escape(rest)}</p>")
        else:
            body.append(f"<p>{html.escape(line)}</p>")
    page = ("<!doctype html><html><head><title>Văn bản thử</title><style>p{margin:0}</style></head>"
            "<body><div class='content'>" + "\n".join(body) + "<script>var x=1;</script></div></body></html>")
    path.write_text(page, encoding="utf-8")
    return path


def _box_font(characters: set[str]) -> bytes:
    """Build a TrueType font with a plain box for each character: enough for a PDF text layer."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = sorted(characters | {" "})
    names = [".notdef"] + [f"u{ord(c):04X}" for c in chars]

    def glyph(empty: bool):  # type: ignore[no-untyped-def]
        pen = TTGlyphPen(None)
        if not empty:
            pen.moveTo((50, 0))
            pen.lineTo((50, 700))
            pen.lineTo((450, 700))
            pen.lineTo((450, 0))
            pen.closePath()
        return pen.glyph()

    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): f"u{ord(c):04X}" for c in chars})
    fb.setupGlyf({n: glyph(n in (".notdef", "u0020")) for n in names})
    fb.setupHorizontalMetrics({n: (500, 0) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "TcplTestBox", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


def write_pdf(path: Path, lines: list[str]) -> Path:
    """Write a PDF with a text layer; long lines wrap at the page width as in a real PDF."""
    from fpdf import FPDF

    font = path.with_suffix(".ttf")
    font.write_bytes(_box_font({c for line in lines for c in line}))
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("Box", "", str(font))
    pdf.set_font("Box", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    font.unlink()
    return path


def write_scanned_pdf(path: Path) -> Path:
    """Write a PDF whose pages hold only a drawing, as a scan does: no text layer."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return path


def long_decision(articles: int = 300, clauses: int = 3) -> list[str]:
    """A made-up decision of many articles, for the benchmark."""
    lines = list(HEADER_LEFT + HEADER_RIGHT) + ["QUYẾT ĐỊNH", "Quy định giả định rất dài (chỉ dùng để đo)"]
    topics = ["bể cá", "thức ăn", "máy lọc nước", "đèn chiếu sáng", "cây thủy sinh", "nhiệt độ nước"]
    for n in range(1, articles + 1):
        if n % 30 == 1:
            lines += [f"Chương {n // 30 + 1}", f"NHÓM QUY ĐỊNH SỐ {n // 30 + 1}"]
        topic = topics[n % len(topics)]
        lines.append(f"Điều {n}. Quy định về {topic} loại {n}")
        for k in range(1, clauses + 1):
            lines.append(f"{k}. Cơ quan bảo đảm {topic} loại {n} đạt mức {k * 10} theo hướng dẫn:")
            lines += [f"a) Kiểm tra {topic} mỗi {k} tuần;", f"b) Ghi sổ theo dõi {topic} số {n}."]
    return lines
