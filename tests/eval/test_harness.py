"""The evaluation harness on a tiny set it writes itself (the held-out file has the same format)."""

from tests.eval.harness import Case, evaluate, load_cases, with_typo


def test_a_labelled_file_is_read_and_scored_in_three_ways(tmp_path):
    f = tmp_path / "heldout.yaml"
    f.write_text(
        "questions:\n"
        "  - q: \"Điều kiện công nhận là gì\"\n    expect: [a, b]\n    family: regime\n    kind: answer\n"
        "  - q: \"giá vàng hôm nay\"\n    expect: null\n    family: near-domain\n    kind: decline\n",
        encoding="utf-8")
    cases = load_cases(f)
    assert cases[0] == Case("Điều kiện công nhận là gì", ("a", "b"), frozenset(), "regime", "answer")
    assert not cases[1].in_scope

    def answerer(q: str) -> tuple[str, ...]:
        return ("b",) if "công nhận" in q else ()  # only understands the accented question

    report = evaluate(answerer, cases)
    assert (report.written.rate, report.folded.rate, report.declined.rate) == (1.0, 0.0, 1.0)
    assert report.typo.total == 1 and len(report.latencies_ms) == 4  # written, folded, typo + the decline


def test_the_injected_typo_is_one_edit_and_always_the_same():
    q = "Hội đồng đánh giá có tối đa bao nhiêu thành viên"
    typo = with_typo(q)
    assert typo == with_typo(q) and typo != q
    changed = [(a, b) for a, b in zip(q.split(), typo.split(), strict=True) if a != b]
    assert len(changed) == 1 and abs(len(changed[0][0]) - len(changed[0][1])) <= 1
