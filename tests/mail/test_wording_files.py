"""The default wording of every kind of message comes from its files: each kind has one per language, and
each file uses the kind's placeholders and no other, with its links standing alone."""

import pytest

from festival.mail import messages
from festival.util import placeholders


@pytest.mark.parametrize("kind", sorted(messages.KINDS))
@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_each_kinds_wording_file_exists_and_uses_only_its_placeholders(kind, language):
    path = messages.WORDING_DIR / f"{kind}.{language}.txt"
    assert path.is_file(), path
    subject, body = messages.default_wording(kind, language)
    known = messages.KINDS[kind].placeholders
    assert subject and body
    assert placeholders.unknown_placeholders(subject + "\n" + body, known) == []
    assert placeholders.misplaced_links(body, messages.LINK_PLACEHOLDERS) == []
    # every link the kind offers appears in its body: a message without its link would be useless
    for name in set(known) & (messages.LINK_PLACEHOLDERS | messages.SECRET_PLACEHOLDERS):
        assert "{" + name + "}" in body, (kind, language, name)


def test_the_kinds_text_is_the_files_text():
    subject, body = messages.default_wording("password_reset", "vi")
    assert messages.KINDS["password_reset"].subject["vi"] == subject
    assert messages.KINDS["password_reset"].body["vi"] == body


def test_a_file_without_its_blank_line_after_the_subject_is_refused(tmp_path, monkeypatch):
    (tmp_path / "broken.vi.txt").write_text("Tiêu đề\nnội dung ngay dưới\n", encoding="utf-8")
    monkeypatch.setattr(messages, "WORDING_DIR", tmp_path)
    with pytest.raises(ValueError, match="blank line"):
        messages.default_wording("broken", "vi")
