from __future__ import annotations

from conversations import privacy_texts
from conversations.texts import placeholders


def test_privacy_texts_have_the_same_keys_and_placeholders_in_both_languages() -> None:
    sv, en = privacy_texts.SV, privacy_texts.EN
    assert sv.keys() == en.keys()
    for key in sv:
        assert placeholders(sv[key]) == placeholders(en[key]), key
