"""Every CONFIRMED fact of ../shared/reference/ the bot must be able to state has an entry that states it.

The checklist below was derived by reading the reference notes (qd-25-2021, tt-09-2021, qd-27-2025,
tt-15-2025, reform-2025) and the seed plan; each fact is the words an answer must contain, all in one entry.
"""

import pytest

from handlers.answers import entry_body
from knowledge.loader import load_handbook
from knowledge.schema import Regime

CHECKLIST = [
    # QĐ 25/2021 (replaced)
    ("QĐ 25: issued 22/07/2021 by the Prime Minister", ["25/2021/QĐ-TTg", "22/07/2021", "Thủ tướng"]),
    ("QĐ 25: effective 01/01/2022", ["01/01/2022"]),
    ("QĐ 25 replaced QĐ 619/2017; 2021 assessed under QĐ 619", ["619", "năm 2021"]),
    ("QĐ 25: 5 criteria, 20 indicators, 100 points", ["5 tiêu chí", "20 chỉ tiêu", "100"]),
    ("QĐ 25: no separate purpose article", ["không có điều riêng về mục đích"]),
    ("QĐ 25: total ≥ 80", ["80 điểm trở lên"]),
    ("QĐ 25: each criterion ≥ 50%", ["50% số điểm tối đa"]),
    ("QĐ 25: no head disciplined or prosecuted",
     ["người đứng đầu cấp ủy, chính quyền cấp xã", "truy cứu trách nhiệm hình sự"]),
    ("QĐ 25: no commune types, no satisfaction threshold", ["không phân loại xã", "hài lòng"]),
    ("QĐ 25: dossier to district before 10/01", ["10/01", "Phòng Tư pháp"]),
    ("QĐ 25: district chairman decides before 10/02", ["Chủ tịch UBND cấp huyện", "10/02"]),
    ("TT 09: posting ≥ 05 days, radio ≥ 03 times", ["05 ngày", "03 lần"]),
    ("TT 09: supplement within 03 working days", ["03 ngày làm việc"]),
    ("TT 09: result online within 02 working days", ["02 ngày làm việc"]),
    ("TT 09: district reports before 15/02, province before 20/02", ["15/02", "20/02"]),
    ("TT 09: council ≤ 15 members", ["15"]),
    ("TT 09: council quorum 2/3", ["2/3"]),
    ("TT 09: council's score counts", ["điểm số do Hội đồng"]),
    ("TT 09: data 01/01–31/12", ["01/01", "31/12"]),
    ("TT 09: forms Mẫu 01–10 in Phụ lục II", ["Phụ lục II", "Mẫu 01–10"]),
    ("TT 09: issued 15/11/2021, replaced TT 07/2017", ["15/11/2021", "07/2017"]),
    ("TT 09 replaced by TT 15 from 01/01/2026", ["15/2025/TT-BTP", "01/01/2026", "09/2021"]),
    ("TT 09 indicator 2.5 bands", ["0,5 điểm", "0,25 điểm", "70%", "50%"]),
    ("TC1 10 points, from one commune's score sheet", ["10 điểm", "Đông Quang"]),
    ("Indicator 1.1 3 points, from one commune's score sheet", ["3 điểm", "Đông Quang"]),
    ("Indicator 5.4 uses the Ministry of Public Security's recognition", ["Bộ trưởng Bộ Công an"]),
    ("MTTQ requested to supervise and coordinate on democracy", ["Mặt trận Tổ quốc", "giám sát"]),
    ("BTP selects localities for satisfaction surveys", ["lựa chọn địa phương", "hài lòng"]),
    ("UBND tỉnh reports measures keeping the assessment genuine", ["tính thực chất"]),
    ("QĐ 1723: district ≥ 90, 100% communes, data of the year before",
     ["90 điểm", "100% xã", "năm trước năm đánh giá"]),
    ("QĐ 1143 (20/06/2024) refers to TC2 indicators 3–6", ["1143", "20/06/2024", "3, 4, 5 và 6"]),
    ("National results 2022–2024", ["10.073/10.743", "10.188/10.671", "9.506/9.807"]),
    ("2022 figure discrepancy 9,938", ["9.938"]),
    ("Province results: Lào Cai, Thanh Hóa 2023", ["147/152", "532/559"]),
    ("MoJ workshop 19/05/2025 shortcomings", ["19/05/2025", "hai cấp"]),
    ("QĐ 619: 5 criteria, 25 indicators, 90/80/70", ["25 chỉ tiêu", "90/80/70"]),
    # QĐ 27/2025 and TT 15/2025 (in force)
    ("QĐ 27: 04/08/2025, signed by Lê Thành Long", ["04/08/2025", "Lê Thành Long"]),
    ("QĐ 27: legal bases Laws 63/2025 and 72/2025", ["63/2025/QH15", "72/2025/QH15"]),
    ("QĐ 27: xã, phường, đặc khu", ["xã, phường, đặc khu"]),
    ("QĐ 27: purpose article (Điều 2)", ["văn hóa tuân thủ pháp luật"]),
    ("QĐ 27: 3 criteria, 14 indicators", ["03 tiêu chí", "14 chỉ tiêu"]),
    ("QĐ 27 criteria subjects",
     ["Ban hành văn bản quy phạm pháp luật", "Tiếp cận thông tin", "Hòa giải ở cơ sở"]),
    ("QĐ 27 split 3 + 7 + 4 (secondary)", ["3 + 7 + 4"]),
    ("QĐ 27 indicator 2.7 (secondary)", ["trợ giúp pháp lý theo quy định của pháp luật về trợ giúp pháp lý"]),
    ("QĐ 27 conditions not verified", ["chưa có thông tin đã xác minh về điều kiện công nhận"]),
    ("QĐ 27 effective date not verified", ["chưa có thông tin đã xác minh về ngày có hiệu lực"]),
    ("Recognition at provincial level, Sở Tư pháp advises", ["cấp tỉnh", "Sở Tư pháp tham mưu"]),
    ("QĐ 3124/QĐ-BTP (27/10/2025)", ["3124/QĐ-BTP", "27/10/2025"]),
    ("Provincial internal procedures: Cà Mau, Đắk Lắk, Sơn La, QĐ 3100",
     ["01636/QĐ-UBND", "02037/QĐ-UBND", "3010/QĐ-UBND", "3100/QĐ-BTP"]),
    ("TT 15: 11/09/2025, effective 01/01/2026", ["11/09/2025", "01/01/2026"]),
    ("TT 15: achievement levels by rate or requirement", ["mức độ đạt chuẩn", "tỷ lệ"]),
    ("TT 15 drafted by Cục PBGDPL và TGPL", ["Cục Phổ biến, giáo dục pháp luật và Trợ giúp pháp lý"]),
    ("Assessment of 2026 under QĐ 27 and TT 15", ["năm 2026", "Thông tư 15/2025/TT-BTP"]),
    ("Cà Mau plan 0176/KH-UBND, training 03/12/2025", ["0176/KH-UBND", "03/12/2025"]),
    ("Hà Nội plan 378/KH-UBND", ["378/KH-UBND"]),
    ("Thái Nguyên 2025 pause: title only", ["Tạm dừng", "Thái Nguyên"]),
    # 2025 reform
    ("Two-tier government from 01/07/2025; NQ 203/2025", ["01/07/2025", "203/2025/QH15"]),
    ("34 provinces (28 + 6), NQ 202/2025", ["34", "28 tỉnh", "6 thành phố"]),
    ("3,321 commune-level units, 687 phường, 13 đặc khu", ["3.321", "687", "13 đặc khu"]),
    ("Cần Thơ: Sóc Trăng, Hậu Giang merged", ["Sóc Trăng", "Hậu Giang", "Cần Thơ"]),
    ("Cần Thơ: 103 units, 31 phường, 72 xã (NQ 1668)", ["103", "31 phường", "72 xã"]),
    ("Commune VBQPPL from 01/07/2025 (Luật 87/2025)", ["87/2025/QH15", "01/07/2025"]),
    ("NĐ 307/2025 classification", ["307/2025/NĐ-CP", "75 điểm"]),
    ("TT 08/2025/TT-BTP (12/06/2025)", ["08/2025/TT-BTP", "12/06/2025"]),
    ("Cần Thơ plan 25/KH-UBND 20/01/2026", ["25/KH-UBND", "20/01/2026"]),
    # the plan
    ("Plan signed by Lâm Hoàng Nghiệp", ["Lâm Hoàng Nghiệp"]),
    ("Plan likely KH 145/KH-UBND 21/9/2021, not verified", ["145/KH-UBND", "21/9/2021"]),
    ("III.1.c: Sở Tài chính phối hợp với Sở Tư pháp", ["Sở Tài chính phối hợp với Sở Tư pháp"]),
    ("II.5 from 01/01/2022", ["01/01/2022", "II.5"]),
    ("II.7.b every 2 years", ["02 năm"]),
    ("II.8: sơ kết 2023, tổng kết 2025; Sóc Trăng sơ kết 28/6/2024", ["cuối năm 2023", "28/6/2024"]),
]


@pytest.fixture(scope="module")
def handbook():
    return load_handbook()


@pytest.mark.parametrize("fact, words", CHECKLIST, ids=[f for f, _ in CHECKLIST])
def test_each_confirmed_fact_has_an_entry_that_states_it(handbook, fact, words):
    stating = [e.id for e in handbook.entries.values() if all(w in e.answer for w in words)]
    assert stating, f"no entry states: {fact}"


def test_no_figure_of_the_old_rules_is_stated_as_the_rules_in_force(handbook):
    old_figures = ["80 điểm", "10/01", "10/02", "15/02", "20/02", "05 ngày", "03 ngày làm việc", "Mẫu 01"]
    for e in handbook.entries.values():
        if handbook.documents[e.document].regime is not Regime.QD27:
            continue
        for figure in old_figures:
            if figure in e.answer:
                # Only ever to say the old figure does not apply, or as the replaced rule, labelled.
                labels = ("Không áp dụng", "không dùng", "không được dùng", "đã được thay thế",
                          "đã bị thay thế", "trước đây", "như trước")
                assert any(w in e.answer for w in labels), (e.id, figure)


def test_every_answer_from_a_replaced_document_says_so_once(handbook):
    for e in handbook.entries.values():
        body = entry_body(handbook, e)
        doc = handbook.documents[e.document]
        base = handbook.documents.get(doc.based_on) if doc.based_on else None
        if doc.replaced_by or (base is not None and base.replaced_by):
            assert "thay thế" in body or "lỗi thời" in body, e.id
        sentences = [s.strip() for s in body.replace("\n", " ").split(". ") if s.strip()]
        assert len(sentences) == len(set(sentences)), e.id
