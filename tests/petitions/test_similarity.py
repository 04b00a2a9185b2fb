"""Word-overlap similarity used to find letters that repeat each other."""

from petitions.similarity import containment, fold, jaccard, text_score, words


def test_folding_removes_diacritics_and_d_stroke():
    assert fold("Đường LIÊN xóm") == "duong lien xom"


def test_common_syllables_carry_no_weight():
    assert words("Đề nghị sửa đường của xóm") == {"sua", "duong", "xom"}


def test_jaccard_and_containment():
    left, right = frozenset("abc"), frozenset("abcd")
    assert jaccard(left, right) == 0.75
    assert containment(left, right) == 1.0
    assert jaccard(frozenset(), right) == 0.0


def test_a_retyped_title_without_diacritics_scores_high():
    score = text_score(
        title="Duong lien xom xuong cap",
        content="",
        other_title="Đường liên xóm xuống cấp",
        other_content="",
    )
    assert score == 1.0


def test_a_content_needs_five_shared_words():
    short = text_score(
        title="A", content="sụt lún", other_title="B", other_content="sụt lún"
    )
    assert short == 0.0
    long = text_score(
        title="A",
        content="Đoạn đường qua xóm 3 bị sụt lún nặng, xe không đi được",
        other_title="B",
        other_content="Đoạn đường qua xóm 3 bị sụt lún, đề nghị sửa chữa gấp",
    )
    assert long > 0.5
